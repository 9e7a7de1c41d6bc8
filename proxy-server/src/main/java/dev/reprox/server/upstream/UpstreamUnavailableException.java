package dev.reprox.server.upstream;

import java.net.URI;
import java.util.OptionalInt;

/**
 * The polite layer gave up on a request before any body byte reached the caller. The
 * {@link Kind} says why; the message names the operation and the URL.
 */
public final class UpstreamUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why the request got no usable response. */
  public enum Kind {
    /** The host's breaker is open (or half-open with its one probe already out): not sent. */
    BREAKER_OPEN,
    /** Every attempt failed (5xx, 429, connect error, timeout) and the retries are used up. */
    RETRIES_EXHAUSTED,
    /** The server asked to wait ({@code Retry-After}) longer than the policy allows. */
    RETRY_AFTER_TOO_LONG,
    /** A redirect pointed at a host that is neither the original one nor an allowed one. */
    REDIRECT_REFUSED,
    /** More redirects than the limit, or a redirect without a usable Location. */
    TOO_MANY_REDIRECTS,
    /** The layer is closed or its scheduler refused the work. */
    CLOSED
  }

  private final Kind kind;
  private final URI uri;
  private final int lastStatus;

  UpstreamUnavailableException(Kind kind, URI uri, int lastStatus, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.uri = uri;
    this.lastStatus = lastStatus;
  }

  public Kind kind() {
    return kind;
  }

  /** The URL of the attempt that failed (after redirects). */
  public URI uri() {
    return uri;
  }

  /** The status of the last response, when the last attempt got one. */
  public OptionalInt lastStatus() {
    return lastStatus > 0 ? OptionalInt.of(lastStatus) : OptionalInt.empty();
  }
}
