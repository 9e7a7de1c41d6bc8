package dev.reprox.storage;

import java.time.Instant;

/** The blob last seen at a path of a repository, and when: the live pass-through's memory. */
public record Ref(String repo, String path, Digest digest, Instant seenAt) {}
