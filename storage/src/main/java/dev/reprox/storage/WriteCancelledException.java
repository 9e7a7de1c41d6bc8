package dev.reprox.storage;

/** The write a tail was following was cancelled or failed its commit. */
public final class WriteCancelledException extends StorageException {
  private static final long serialVersionUID = 1L;

  public WriteCancelledException(String message) {
    super(message);
  }
}
