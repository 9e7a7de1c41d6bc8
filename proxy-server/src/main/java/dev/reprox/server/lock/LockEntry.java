package dev.reprox.server.lock;

import java.time.Instant;

/**
 * One package a lockfile names, as {@code reprox prewarm} fetches it: the repository (reprox's
 * name), the root whose generation at {@code at} lists it, its path below the repository, and the
 * hashes the lockfile gives (either may be null, not both). {@code source} is
 * {@code <file>:<line>}, for messages.
 */
public record LockEntry(String repo, String root, Instant at, String path, String generation, String sha256,
    String q1, long size, String source) {}
