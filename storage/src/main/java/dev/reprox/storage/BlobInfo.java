package dev.reprox.storage;

import java.time.Instant;

/** What the store knows about one committed blob. */
public record BlobInfo(Digest digest, long size, int chunkSize, Instant created, Instant lastAccess) {}
