package dev.reprox.storage;

/** The blob is not in the store. */
public final class BlobNotFoundException extends StorageException {
  private static final long serialVersionUID = 1L;
  private final transient Digest digest;

  public BlobNotFoundException(Digest digest) {
    super("open: blob not found: " + digest);
    this.digest = digest;
  }

  public Digest digest() {
    return digest;
  }
}
