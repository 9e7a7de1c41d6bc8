package dev.reprox.server.lock;

/** A lockfile that cannot be read; the message names the file and the line. */
public final class LockfileFormatException extends Exception {
  public LockfileFormatException(String file, long line, String what) {
    super(file + ":" + line + ": " + what);
  }
}
