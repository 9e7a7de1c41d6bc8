package dev.reprox.storage;

import java.time.Instant;

/**
 * A build label's record head: when it was first and last used, how many entries it holds and
 * whether some were not recorded because the label reached {@link BuildRecords#MAX_ENTRIES}.
 */
public record BuildLabel(String label, Instant firstUsed, Instant lastUsed, long entries, boolean truncated) {}
