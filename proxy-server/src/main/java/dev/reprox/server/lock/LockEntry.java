package dev.reprox.server.lock;

import java.time.Instant;

/**
 * One package a lockfile names, as {@code reprox prewarm} fetches it: the repository (reprox's
 * name), the root whose generation at {@code at} lists it, its path below the repository, and the
 * hashes the lockfile gives (either may be null, not both). {@code source} is
 * {@code <file>:<line>}, for messages. A {@code .buildinfo} names packages by name and version
 * only ({@code named}): then path and both hashes are null and the server resolves them in the
 * generation's signed Packages.
 */
public record LockEntry(String repo, String root, Instant at, String path, String generation, String sha256,
    String q1, long size, String source, Named named) {

  /** An apt package by name, version and architecture, resolved in the Packages at T. */
  public record Named(String name, String version, String arch) {
    @Override
    public String toString() {
      return name + ":" + arch + " (= " + version + ")";
    }
  }

  public LockEntry(String repo, String root, Instant at, String path, String generation, String sha256, String q1,
      long size, String source) {
    this(repo, root, at, path, generation, sha256, q1, size, source, null);
  }

  static LockEntry named(String repo, String root, Instant at, Named named, String source) {
    return new LockEntry(repo, root, at, null, null, null, null, -1, source, named);
  }

  /** What the entry names, for messages: its path, or its name and version. */
  public String what() {
    return named != null ? named.toString() : path;
  }
}
