package dev.reprox.storage;

/** A write's content does not hash to what was expected; nothing became visible. */
public final class DigestMismatchException extends StorageException {
  private static final long serialVersionUID = 1L;
  private final transient Digest expected;
  private final transient Digest actual;

  public DigestMismatchException(Digest expected, Digest actual) {
    super("commit: digest mismatch: expected " + expected + ", got " + actual);
    this.expected = expected;
    this.actual = actual;
  }

  public Digest expected() {
    return expected;
  }

  public Digest actual() {
    return actual;
  }
}
