package dev.reprox.server.http;

import static dev.reprox.server.LogSafe.escape;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reprox.pinning.TimeSpec;
import dev.reprox.pinning.TimeSpecException;
import dev.reprox.server.fetch.Fetchers;
import dev.reprox.server.fetch.Prewarm;
import dev.reprox.storage.Digest;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lockfile entry of the admin prewarm route, checked: the query of the single form
 * ({@code POST /-/api/admin/prewarm/<repo>?root=&at=&path=…}) or one JSON line of the batch form
 * ({@link PrewarmBatch}) read through the same field names, so that both forms accept and refuse
 * the same entries and answer the same outcome object.
 */
public record PrewarmEntry(String repo, String root, Instant at, String path, String name, String version, String arch,
    Digest generation, Digest sha256, String q1, long size) {
  // The INFO line per stored package is the operators' audit trail (and what benchmarks count).
  private static final Logger log = LoggerFactory.getLogger(AdminActions.class);

  /**
   * The entry {@code field} describes ({@code repo} is used when {@code field} names none);
   * IllegalArgumentException with the reason when it is not one.
   */
  public static PrewarmEntry parse(String repo, Function<String, String> field) {
    boolean named = field.apply("name") != null;
    try {
      if (field.apply("repo") != null) {
        repo = field.apply("repo");
      }
      if (repo == null || repo.isEmpty()) {
        throw new IllegalArgumentException("repo is required");
      }
      if (field.apply("root") == null || field.apply("at") == null || (field.apply("path") != null) == named) {
        throw new IllegalArgumentException("root, at and path (or name, version and arch) are required");
      }
      if (named && (field.apply("version") == null || field.apply("arch") == null
          || !field.apply("name").matches("[a-z0-9][a-z0-9+.-]*") || !field.apply("arch").matches("[a-z0-9-]+"))) {
        throw new IllegalArgumentException("name must be a Debian package name, with version and arch");
      }
      if (!named) {
        checkPath(field.apply("path"));
      }
      checkPath(field.apply("root"));
      Instant at = TimeSpec.parse(field.apply("at"));
      String g = field.apply("generation");
      Digest generation = g == null ? null : Digest.sha256(g.startsWith("sha256:") ? g.substring(7) : g);
      Digest sha256 = field.apply("sha256") == null ? null : Digest.sha256(field.apply("sha256"));
      long size = field.apply("size") == null ? -1 : Long.parseLong(field.apply("size"));
      if (!named && sha256 == null && field.apply("q1") == null) {
        throw new IllegalArgumentException("sha256 or q1 is required");
      }
      return new PrewarmEntry(repo, field.apply("root"), at, field.apply("path"), field.apply("name"),
          field.apply("version"), field.apply("arch"), generation, sha256, field.apply("q1"), size);
    } catch (TimeSpecException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /**
   * The request path parser's safety rules for a repository-relative path that arrives as data,
   * not as a request target; IllegalArgumentException with the reason when it breaks one.
   */
  public static void checkPath(String path) {
    try {
      RequestPath.parse("/" + path);
    } catch (RequestPath.Unsafe e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** What the entry names, for log lines and answers: its path, or its name and version. */
  String what() {
    return name != null ? name + " (= " + version + ")" : path;
  }

  /** Runs the entry through the verified chain ({@link Prewarm}); never blocks. */
  public CompletableFuture<Prewarm.Result> run(Fetchers fetchers) {
    return name != null ? fetchers.prewarmNamed(repo, root, at, name, version, arch)
        : fetchers.prewarm(repo, root, at, path, generation, sha256, q1, size);
  }

  /**
   * Puts the outcome of {@link #run} into {@code o} ({@code outcome}, {@code message}, {@code
   * generation}), and logs a stored package.
   */
  ObjectNode answer(ObjectNode o, Prewarm.Result r, Throwable e) {
    if (e != null) {
      o.put("outcome", "upstream_failure");
      o.put("message", String.valueOf(e.getMessage()));
      return o;
    }
    o.put("outcome", r.outcome().name().toLowerCase(Locale.ROOT));
    if (r.message() != null) {
      o.put("message", r.message());
    }
    if (r.generation() != null) {
      o.put("generation", r.generation());
    }
    if (r.outcome() == Prewarm.Outcome.STORED) {
      log.info("admin: prewarm stored {}/{} at {}", repo, escape(what()), at);
    }
    return o;
  }
}
