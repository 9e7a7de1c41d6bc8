package dev.reprox.testkit.apk;

/** What apk would report as an error: the message names the URL or file and the reason. */
public final class ApkException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ApkException(String message) {
    super(message);
  }

  public ApkException(String message, Throwable cause) {
    super(message, cause);
  }
}
