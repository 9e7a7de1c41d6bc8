package dev.reprox.server.lock;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.storage.Alias;
import dev.reprox.storage.BuildEntry;
import dev.reprox.storage.BuildLabel;
import dev.reprox.storage.PathEntry;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One persisted build record as JSON ({@code GET /-/api/builds/<label>}, and what
 * {@code reprox lock --label --data} reads without a server): the label's head, the configured
 * repositories it used ({@code format}, {@code upstream}), and every answer it was served. A
 * package also carries the format's own hash where one applies, found in the listings stored for
 * its path: {@code apkQ1} (apk's {@code C:} field) and {@code checksumType} (the hash a dnf
 * primary listing names it by). Blocks (storage).
 */
public final class BuildRecordJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private BuildRecordJson() {}

  /** The record of {@code label}, or empty when none is held. */
  public static Optional<ObjectNode> render(Storage storage, Map<String, RepositoryConfig> repositories, String label)
      throws IOException {
    Optional<BuildLabel> head = storage.builds().label(label);
    if (head.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode root = JSON.createObjectNode();
    head(root, head.get());
    ObjectNode repos = root.putObject("repositories");
    ArrayNode served = root.putArray("served");
    Map<String, Map<String, String>> apkIndexes = new java.util.HashMap<>();
    for (BuildEntry e : storage.builds().entries(label)) {
      RepositoryConfig repo = repositories.get(e.repo());
      if (repo != null && !repos.has(e.repo())) {
        repos.putObject(e.repo()).put("format", repo.format().name().toLowerCase(Locale.ROOT))
            .put("upstream", repo.upstream().toString());
      }
      ObjectNode o = served.addObject();
      entry(o, e);
      if (e.isPackage() && repo != null && repo.format() == RepositoryConfig.Format.APK) {
        apkQ1(storage, apkIndexes, e, o);
      } else if (e.isPackage() && repo != null) {
        extras(storage, repo.format(), e, o);
      }
    }
    return Optional.of(root);
  }

  public static void head(ObjectNode o, BuildLabel l) {
    o.put("label", l.label());
    o.put("firstUsed", l.firstUsed().toString());
    o.put("lastUsed", l.lastUsed().toString());
    o.put("entries", l.entries());
    o.put("truncated", l.truncated());
  }

  static void entry(ObjectNode o, BuildEntry e) {
    o.put("repository", e.repo());
    o.put("at", e.at().map(Instant::toString).orElse("live"));
    o.put("path", e.path());
    e.root().ifPresent(r -> o.put("root", r));
    e.generation().ifPresent(g -> o.put("generation", g.toString()));
    e.publishedAt().ifPresent(t -> o.put("publishedAt", t.toString()));
    o.put("sha256", e.sha256().hex());
    o.put("size", e.size());
    e.pin().ifPresent(pin -> o.put("pin", pin));
    o.put("package", e.isPackage());
    o.put("servedAt", e.servedAt().toString());
  }

  /**
   * apk's Q1 of the package, from the APKINDEX generation it was served under (apk packages are
   * named by the root itself, not by an indexed listing); each index is read once per record.
   */
  private static void apkQ1(Storage storage, Map<String, Map<String, String>> indexes, BuildEntry e, ObjectNode o)
      throws IOException {
    if (e.root().isEmpty() || e.generation().isEmpty()) {
      return;
    }
    String key = e.root().get() + "\n" + e.generation().get();
    Map<String, String> q1s = indexes.get(key);
    if (q1s == null) {
      q1s = storage.blobs().stat(e.generation().get()).isPresent()
          ? ApkNames.q1ByPath(storage, e.root().get(), e.generation().get()) : Map.of();
      indexes.put(key, q1s);
    }
    String q1 = q1s.get(e.path());
    if (q1 != null) {
      o.put("apkQ1", q1);
    }
  }

  /** The listing's own name for the body served, when it is not (only) its SHA-256. */
  private static void extras(Storage storage, RepositoryConfig.Format format, BuildEntry e, ObjectNode o)
      throws IOException {
    if (format == RepositoryConfig.Format.APT) {
      return;
    }
    for (PathEntry p : storage.paths().lookup(e.repo(), e.path())) {
      PathEntry.Expected x = p.expected();
      if (x.sha256() != null) {
        if (format == RepositoryConfig.Format.DNF && x.sha256().equals(e.sha256())) {
          o.put("checksumType", "sha256");
          return;
        }
        continue;
      }
      if (!storage.aliases().resolve(x.alias()).filter(e.sha256()::equals).isPresent()) {
        continue;
      }
      if (x.alias().kind() == Alias.Kind.APK_Q1) {
        o.put("apkQ1", "Q1" + Base64.getEncoder().encodeToString(x.alias().value()));
      } else if (format == RepositoryConfig.Format.DNF) {
        o.put("checksumType", x.alias().kind().name().toLowerCase(Locale.ROOT));
        o.put("checksum", x.alias().hex());
      }
      return;
    }
  }
}
