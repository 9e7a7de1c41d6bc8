package dev.reprox.config;

/**
 * {@code threads:}: the size of each thread pool the server runs. Every pool is bounded: a full
 * queue answers 503, it does not grow threads or memory.
 *
 * @param eventLoops Netty event loops serving the connections; 0 is Netty's default (two per core)
 * @param storage storage lookups and the blocking steps of a request (default 4)
 * @param body body chunk reads, apart from lookups so bulk streaming never delays a first byte
 *     (default 4)
 * @param upstream the HTTP client's callbacks (response heads, body pieces; default 2)
 * @param signed root work: verification, resolving T, listing indexing, the read API (default 4)
 * @param rootFetch root index GETs, apart so a coalesced revalidation is never starved by the
 *     signed threads waiting for it (default 2)
 * @param tunnelResolve name lookups of forward-mode CONNECT targets (default 2)
 */
public record ThreadsConfig(int eventLoops, int storage, int body, int upstream, int signed, int rootFetch,
    int tunnelResolve) {
  public static final ThreadsConfig DEFAULT = new ThreadsConfig(0, 4, 4, 2, 4, 2, 2);
  /** The most threads one pool may have: far above what the work needs, low enough to stop a typo. */
  public static final int CEILING = 1024;

  public ThreadsConfig {
    check("event-loops", eventLoops, 0);
    check("storage", storage, 1);
    check("body", body, 1);
    check("upstream", upstream, 1);
    check("signed", signed, 1);
    check("root-fetch", rootFetch, 1);
    check("tunnel-resolve", tunnelResolve, 1);
  }

  private static void check(String key, int n, int min) {
    if (n < min || n > CEILING) {
      throw new IllegalArgumentException("threads." + key + " must be from " + min + " to " + CEILING + ": " + n);
    }
  }
}
