package dev.reprox.pinning;

/**
 * Index bytes that cannot be parsed (a malformed Release, Packages, APKINDEX or repomd.xml). Thrown
 * instead of any runtime exception, whatever the bytes: an upstream can send anything. The message
 * names the operation, the file and, where it helps, the line.
 */
public final class IndexParseException extends Exception {
  private static final long serialVersionUID = 1L;

  public IndexParseException(String message) {
    super(message);
  }

  public IndexParseException(String message, Throwable cause) {
    super(message, cause);
  }
}
