package dev.reprox.server.fetch;

/**
 * Why a fetch produced no body. The {@link Kind} is the HTTP status, mapped in one place; the
 * message starts with the operation and names the repository and path.
 */
public final class FetchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Each kind carries the status the client gets. */
  public enum Kind {
    NOT_FOUND(404),
    OFFLINE(503),
    OVERLOADED(503),
    UPSTREAM_STATUS(502),
    /** A root index failed verification, or a body its verified index did not promise. */
    INTEGRITY(502),
    /** Strict pinning policy and the generation at T is not proven. */
    UNPROVEN(503),
    BAD_REQUEST(400),
    UPSTREAM_UNREACHABLE(502),
    UPSTREAM_TIMEOUT(504),
    /** The polite layer holds the host back (breaker open, Retry-After too long): try later. */
    UPSTREAM_UNAVAILABLE(503),
    STORAGE(500),
    NOT_IMPLEMENTED(501);

    private final int status;

    Kind(int status) {
      this.status = status;
    }

    public int status() {
      return status;
    }

    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

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

  public FetchException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.reasonPhrase = null;
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
    if (reasonPhrase != null) {
      return reasonPhrase;
    }
    return switch (kind) {
      case UNPROVEN -> "Not proven at T (strict)";
      case OFFLINE -> "Offline and not stored";
      case INTEGRITY -> "Integrity check failed";
      default -> null;
    };
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
  static String offlineSwitch(boolean globallyOffline, String repository) {
    return globallyOffline ? "reprox runs with --offline (or offline: true) and asks no upstream"
        : "repository " + repository + " has offline: true and asks no upstream";
  }

  /** Unwraps completion wrappers; anything that is not a FetchException becomes STORAGE. */
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
    return new FetchException(Kind.STORAGE, "fetch " + request + ": " + c, c);
  }
}
