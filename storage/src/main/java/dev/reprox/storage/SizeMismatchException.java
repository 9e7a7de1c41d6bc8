package dev.reprox.storage;

/** A write's length is not what was expected; nothing became visible. */
public final class SizeMismatchException extends StorageException {
  private static final long serialVersionUID = 1L;
  private final long expected;
  private final long actual;

  public SizeMismatchException(long expected, long actual) {
    super("commit: size mismatch: expected " + expected + " bytes, got " + actual);
    this.expected = expected;
    this.actual = actual;
  }

  public long expected() {
    return expected;
  }

  public long actual() {
    return actual;
  }
}
