package dev.reprox.server.upstream;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * The {@code Authorization} header for a request URL: the credentials of the configured base
 * URL on the same origin whose path is the longest prefix of the URL's, else of any base on that
 * origin (a redirect within the host keeps them, as curl does); never for another origin, so a
 * redirect to a CDN does not carry them away.
 */
final class UpstreamAuth {
  record Entry(String origin, String path, String authorization) {}

  static final UpstreamAuth NONE = new UpstreamAuth(List.of());

  private final List<Entry> entries;

  UpstreamAuth(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  static Entry entry(URI base, String authorization) {
    String path = base.getRawPath() == null ? "" : base.getRawPath();
    return new Entry(HostGate.originOf(base), path, authorization);
  }

  Optional<String> authorization(URI uri) {
    if (entries.isEmpty()) {
      return Optional.empty();
    }
    String origin = HostGate.originOf(uri);
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    Entry best = null;
    Entry any = null;
    for (Entry e : entries) {
      if (!e.origin().equals(origin)) {
        continue;
      }
      any = any == null ? e : any;
      if (path.startsWith(e.path()) && (best == null || e.path().length() > best.path().length())) {
        best = e;
      }
    }
    Entry chosen = best != null ? best : any;
    return chosen == null ? Optional.empty() : Optional.of(chosen.authorization());
  }
}
