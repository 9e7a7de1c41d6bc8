package dev.reprox.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reprox.pinning.Preview;
import dev.reprox.storage.Generation;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The JSON bodies of the read API ({@link RepositoryApi} routes and checks the parameters): what
 * the store says of a repository's roots, generations, coverage and of a T. Blocking (storage):
 * called on the work executor, never on the event loop.
 */
final class RepositoryViews {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServingContext sc;

  RepositoryViews(ServingContext sc) {
    this.sc = sc;
  }

  /** Per root (every observed one, or {@code only}): the proven spans and the gaps ({@link Coverage}). */
  String coverage(String repo, String only) throws Exception {
    Instant now = sc.clock.instant();
    ObjectNode o = JSON.createObjectNode();
    o.put("repo", repo);
    o.put("now", now.toString());
    ArrayNode roots = o.putArray("roots");
    List<String> paths = only != null ? List.of(only) : sc.fetchers.rootsBlocking(repo);
    for (String path : paths) {
      ObjectNode r = roots.addObject();
      r.put("root", path);
      Coverage.root(r, sc.fetchers.generationsBlocking(repo, path),
          sc.fetchers.watches().watching(repo, path) ? sc.fetchers.watches().longestPause(repo) : Optional.empty(),
          sc.fetchers.watches().status(repo, path), now);
    }
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
  }

  String roots(String repo) throws Exception {
    ArrayNode out = JSON.createArrayNode();
    sc.fetchers.rootsBlocking(repo).forEach(out::add);
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out) + "\n";
  }

  String generations(String repo, String root) throws Exception {
    ArrayNode out = JSON.createArrayNode();
    for (Generation g : sc.fetchers.generationsBlocking(repo, root)) {
      ObjectNode o = out.addObject();
      o.put("publishedAt", g.publishedAt().toString());
      o.put("publishedEstimated", g.publishedEstimated());
      o.put("firstFetchedAt", g.firstFetchedAt().toString());
      o.put("lastFetchedAt", g.lastFetchedAt().toString());
      o.put("digest", g.digest().toString());
      o.put("signer", g.signer());
      o.put("source", g.source().name().toLowerCase(Locale.ROOT));
    }
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out) + "\n";
  }

  String resolve(String repo, String root, Instant at) throws Exception {
    Preview p = sc.fetchers.previewBlocking(repo, root, at);
    ObjectNode o = JSON.createObjectNode();
    o.put("repo", repo);
    o.put("root", root);
    o.put("at", at.toString());
    o.put("status", p.statusValue());
    o.put("pinned", p.pin().isPresent());
    o.put("wouldPin", p.wouldPin());
    o.put("mayFetch", p.mayFetch());
    p.generation().ifPresent(g -> {
      o.put("generation", g.digest().toString());
      o.put("publishedAt", g.publishedAt().toString());
      o.put("publishedEstimated", g.publishedEstimated());
    });
    p.pin().ifPresent(pin -> {
      o.put("pinnedAt", pin.pinnedAt().toString());
      o.put("pinFrom", pin.from().toString());
      o.put("pinTo", pin.to().toString());
    });
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
  }
}
