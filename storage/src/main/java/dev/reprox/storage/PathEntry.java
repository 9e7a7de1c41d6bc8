package dev.reprox.storage;

/**
 * A file that a listing (a Packages, APKINDEX or primary file, named by its own SHA-256) says
 * lives at {@code path} with {@code expected} content of {@code size} bytes. The expected hash is
 * the format's own ({@code sha256} for apt and most rpm, Q1 for apk), so it is an {@link Expected}.
 */
public record PathEntry(String path, Expected expected, long size, Digest listing) {

  /** The content check a listing demands: a SHA-256, or an alias kind and value. */
  public record Expected(Digest sha256, Alias alias) {
    public static Expected sha256(Digest d) {
      return new Expected(d, null);
    }

    public static Expected alias(Alias a) {
      return new Expected(null, a);
    }
  }
}
