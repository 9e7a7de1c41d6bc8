package dev.reprox.storage;

/**
 * A service the store depends on cannot be reached right now (the shared store's PostgreSQL or
 * object store is down, restarting or refusing connections): nothing is known to be wrong with the
 * stored data, and the same call may succeed later. The proxy answers 503, not 500, and the
 * message names the component that is down.
 */
public class StorageUnavailableException extends StorageException {
  private static final long serialVersionUID = 1L;

  public StorageUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
