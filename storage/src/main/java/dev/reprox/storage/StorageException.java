package dev.reprox.storage;

import java.io.IOException;

/** Base of the storage errors; the proxy maps each subtype to one HTTP status. */
public class StorageException extends IOException {
  private static final long serialVersionUID = 1L;

  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
