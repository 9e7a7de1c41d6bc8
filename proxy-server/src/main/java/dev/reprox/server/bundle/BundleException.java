package dev.reprox.server.bundle;

import java.io.IOException;

/** Why an export or import stopped; the kind decides the exit code and the HTTP status. */
public final class BundleException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Kind {
    /** A bad request: unknown repository, unparsable T. */
    USAGE,
    /** Something asked for is not in the store. */
    NOT_FOUND,
    /** A signature, hash or size does not verify, or the bundle is malformed or truncated. */
    INTEGRITY,
    /** The store failed. */
    STORE
  }

  private final Kind kind;

  public BundleException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public BundleException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
