package dev.reprox.pinning;

/** A T that is not one of the accepted forms or out of range; the message names the forms (→ 400). */
public final class TimeSpecException extends Exception {
  private static final long serialVersionUID = 1L;

  public TimeSpecException(String message) {
    super(message);
  }
}
