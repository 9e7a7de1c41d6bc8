package dev.reprox.pinning;

/**
 * The check of one body that its index names by a format's own hash instead of a SHA-256 (apk's
 * {@code C:Q1}): fed every piece as it streams, asked once at the end. One instance per body, used
 * by one thread at a time. The size the index gives is checked by the caller, between
 * {@link #unreadable} and {@link #mismatch}.
 */
public interface BodyCheck {
  /** The next piece of the body; a body that cannot be read as the format says is remembered. */
  void update(byte[] b, int off, int len);

  /** Why the body cannot be read at all (not a package of this format), or null. */
  String unreadable();

  /** Why the body is not the one the index names, or null when it is. After {@link #unreadable}. */
  String mismatch();
}
