package dev.reprox.pinning.pgp;

/** A keyring that cannot be read or holds no usable public key. */
public final class KeyringException extends Exception {
  private static final long serialVersionUID = 1L;

  public KeyringException(String message) {
    super(message);
  }

  public KeyringException(String message, Throwable cause) {
    super(message, cause);
  }
}
