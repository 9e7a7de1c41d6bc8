package dev.reprox.server.fetch;

/**
 * Why a fetch produced no body. The {@link Kind} is the HTTP status, mapped in one place; the
 * message starts with the operation and names the repository and path.
 */
public final class FetchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * The kind of every failure reprox answers, fetch or request: the one place that says which
   * status, status-line reason phrase and metric outcome ({@code reprox_requests{outcome}}) it
   * becomes ({@link #answer}). docs/troubleshooting.md lists the reason phrases clients print.
   */
  public enum Kind {
    NOT_FOUND(404),
    OFFLINE(503, "Offline and not stored"),
    OVERLOADED(503),
    UPSTREAM_STATUS(502),
    /** A root index failed verification, or a body its verified index did not promise. */
    INTEGRITY(502, "Integrity check failed"),
    /** Strict pinning policy and the generation at T is not proven. */
    UNPROVEN(503, "Not proven at T (strict)"),
    BAD_REQUEST(400),
    UPSTREAM_UNREACHABLE(502),
    UPSTREAM_TIMEOUT(504),
    /** The polite layer holds the host back (breaker open, Retry-After too long): try later. */
    UPSTREAM_UNAVAILABLE(503),
    STORAGE(500),
    /**
     * A service the store depends on is down (the shared store's PostgreSQL or object store): try
     * later; the body names what is down. Never built directly: a STORAGE failure caused by a
     * {@link dev.reprox.storage.StorageUnavailableException} becomes this one ({@link
     * FetchException#FetchException(Kind, String, Throwable)}).
     */
    STORAGE_UNAVAILABLE(503, "Storage unavailable"),
    /**
     * T is pinned to a generation whose observation the store no longer holds (a damaged store, a
     * partial import): not a read failure (STORAGE) and not a miss (NOT_FOUND), since answering
     * any other generation would break the pin. The operator restores the generation.
     */
    PIN_BROKEN(500, "Pinned generation not in the store"),
    NOT_IMPLEMENTED(501),
    // Refusals decided from the request alone, before any fetch.
    METHOD_NOT_ALLOWED(405, null, "method"),
    UNKNOWN_REPOSITORY(404),
    /** Forward mode: the absolute URL is no configured repository's (reprox is no open proxy). */
    NOT_COVERED(403, "Forbidden (reprox: no configured repository covers this URL)", "forbidden"),
    /** Forward mode: CONNECT to a host not in {@code tunnel-allow}. */
    NO_TUNNELS(403, "Forbidden (reprox: use http:// sources, TLS tunnels cannot be cached)", "forbidden"),
    /** Forward mode: the proxy user name is no time. */
    BAD_PIN(407, "Proxy Authentication Required (reprox: user name must be SOURCE_DATE_EPOCH or YYYYMMDDTHHMMSSZ)",
        "proxy_auth"),
    TUNNEL_FAILED(502, "Bad Gateway (reprox: tunnel target unreachable)", "tunnel_failed"),
    TOO_MANY_CONNECTIONS(503),
    UNAUTHORIZED(401),
    /** No {@code api.admin-token}: admin actions are off. */
    ADMIN_DISABLED(403),
    // Bundle import and export (admin API).
    /** A server without a store of its own has nothing to import into or export. */
    NO_STORE(503),
    /** One import at a time. */
    IMPORT_RUNNING(409),
    /** One collection at a time (the API's {@code "reason"} is {@code conflict}). */
    GC_RUNNING(409),
    /** A bundle request that cannot be served as asked: unknown repository, unparsable T. */
    USAGE(400),
    /** A bundle whose signature, hash or size does not verify, or that is malformed or truncated. */
    REFUSED(422),
    /** The store failed while importing or exporting. */
    STORE(500),
    /** An import or export failed for another reason. */
    FAILED(500);

    private final int status;
    private final String reasonPhrase;
    private final String outcome;

    Kind(int status) {
      this(status, null, null);
    }

    Kind(int status, String reasonPhrase) {
      this(status, reasonPhrase, null);
    }

    Kind(int status, String reasonPhrase, String outcome) {
      this.status = status;
      this.reasonPhrase = reasonPhrase;
      this.outcome = outcome != null ? outcome : tag();
    }

    public int status() {
      return status;
    }

    /** The kind's name in the API's error bodies ({@code "reason":"not_found"}). */
    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * What the client and the metrics see for this kind: the status, the reason phrase ({@code
     * reasonPhrase} when not null, a more precise one the failure carries, else the kind's own, else
     * null for the standard phrase) and the metric outcome.
     */
    public Answer answer(String reasonPhrase) {
      return new Answer(status, reasonPhrase != null ? reasonPhrase : this.reasonPhrase, outcome);
    }
  }

  /** A failure as answered: {@code reasonPhrase} null means the status's standard phrase. */
  public record Answer(int status, String reasonPhrase, String outcome) {}

  /** Reason phrases for answers at T, which apt, dnf and apk print beside the status code. */
  public static final String NOT_IN_GENERATION = "Not in the generation at T";
  public static final String NOT_IN_LIVE_INDEX = "Not in the current index";

  private final Kind kind;
  private final String reasonPhrase;

  public FetchException(Kind kind, String message) {
    this(kind, message, (String) null);
  }

  /** With a reason phrase for the status line (constant text: no CR/LF, nothing from a request). */
  public FetchException(Kind kind, String message, String reasonPhrase) {
    super(message);
    this.kind = kind;
    this.reasonPhrase = reasonPhrase;
  }

  /**
   * With the failure beneath. A STORAGE failure whose cause is a {@link
   * dev.reprox.storage.StorageUnavailableException} is STORAGE_UNAVAILABLE (503): the many places
   * that wrap a storage error need not each know that a shared store can be down for a while.
   */
  public FetchException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind == Kind.STORAGE && unavailable(cause) ? Kind.STORAGE_UNAVAILABLE : kind;
    this.reasonPhrase = null;
  }

  /**
   * {@code kind}, or STORAGE_UNAVAILABLE when {@code cause} is (or wraps) a {@link
   * dev.reprox.storage.StorageUnavailableException}: for answers built without a FetchException
   * (the admin and builds APIs), so a shared store that is down is a 503 there as on the serving path.
   */
  public static Kind unlessUnavailable(Kind kind, Throwable cause) {
    return unavailable(cause) ? Kind.STORAGE_UNAVAILABLE : kind;
  }

  private static boolean unavailable(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof dev.reprox.storage.StorageUnavailableException) {
        return true;
      }
    }
    return false;
  }

  public Kind kind() {
    return kind;
  }

  /**
   * The HTTP reason phrase: clients print the status line but not the body (apt: {@code 503  Not
   * proven at T (strict)}), so the answers a build cannot get past say why there. Null: the
   * standard phrase of the status.
   */
  public String reasonPhrase() {
    return answer().reasonPhrase();
  }

  /** Status, reason phrase and metric outcome of this failure: {@link Kind#answer}. */
  public Answer answer() {
    return kind.answer(reasonPhrase);
  }

  /**
   * The 503 of offline mode. The body a client sees names the repository, the path and T ({@code
   * live} when unpinned), because an offline build fails on exactly this line and has to know what
   * to pre-warm: {@code fetch <repo>/<path> at <T|live>: offline: <why>}. {@code why} says what was
   * missing and which switch made the repository offline.
   */
  public static FetchException offline(FetchRequest request, String why) {
    return new FetchException(Kind.OFFLINE, offlinePrefix(request) + why);
  }

  /** The start of every offline message for {@code request}: {@code fetch <repo>/<path> at <T|live>: offline: }. */
  static String offlinePrefix(FetchRequest request) {
    return "fetch " + request.repository().name() + "/" + request.path() + " at "
        + request.at().map(java.time.Instant::toString).orElse("live") + ": offline: ";
  }

  /**
   * {@code this}, or for an offline 503 whose message does not yet name {@code request} (it named
   * an inner request, such as the root index a package path needed), the same 503 naming it.
   */
  public FetchException naming(FetchRequest request) {
    if (kind != Kind.OFFLINE || getMessage().startsWith(offlinePrefix(request))) {
      return this;
    }
    return new FetchException(Kind.OFFLINE, offlinePrefix(request) + getMessage(), this);
  }

  /** Why a repository asks no upstream: the server-wide switch or its own {@code offline:}. */
  public static String offlineSwitch(boolean globallyOffline, String repository) {
    return globallyOffline ? "reprox runs with --offline (or offline: true) and asks no upstream"
        : "repository " + repository + " has offline: true and asks no upstream";
  }

  /**
   * Unwraps completion wrappers; a rejected task becomes OVERLOADED, a blob that is not stored
   * NOT_FOUND, anything else that is not a FetchException STORAGE.
   */
  public static FetchException of(Throwable t, FetchRequest request) {
    Throwable c = t;
    while ((c instanceof java.util.concurrent.CompletionException
            || c instanceof java.util.concurrent.ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof FetchException f) {
      return f;
    }
    if (c instanceof java.util.concurrent.RejectedExecutionException) {
      return new FetchException(Kind.OVERLOADED, "fetch " + request + ": server busy", c);
    }
    if (c instanceof dev.reprox.storage.BlobNotFoundException) {
      // A blob named by a ref or index but gone by the time it was opened is simply not stored:
      // the same 404 as a stat that finds nothing (callers refetch or fall back on NOT_FOUND), not
      // a storage failure.
      return new FetchException(Kind.NOT_FOUND, "fetch " + request + ": " + c.getMessage() + " (not stored)", c);
    }
    return new FetchException(Kind.STORAGE, "fetch " + request + ": " + c, c);
  }

  /** {@code t} without its {@link java.util.concurrent.CompletionException} wrapper. */
  public static Throwable unwrap(Throwable t) {
    return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
