package dev.reprox.server.gc;

import java.time.Duration;
import java.time.Instant;

/**
 * What one collection did (or, for a dry run, would do).
 *
 * @param generations root generations forgotten (with their observations)
 * @param pathEntries listings' path index entries removed
 * @param refs refs removed
 * @param aliases aliases removed (their blob went, now or in an earlier collection)
 * @param blobs blobs deleted
 * @param bytes their bytes: what the store no longer holds (the disk gives it back after compaction)
 * @param keptBlobs blobs kept
 * @param keptBytes their bytes
 * @param diskBefore bytes the data directory took before, or -1 when not measured
 * @param diskAfter bytes it takes after, or -1
 */
public record GcReport(boolean dryRun, Instant started, Duration took, long generations, long pathEntries,
    long refs, long aliases, long blobs, long bytes, long keptBlobs, long keptBytes, long diskBefore,
    long diskAfter) {

  /** Bytes the data directory shrank by, or 0 when not measured (or it grew). */
  public long reclaimedDiskBytes() {
    return diskBefore < 0 || diskAfter < 0 ? 0 : Math.max(0, diskBefore - diskAfter);
  }

  /** One line for the CLI and the log. */
  public String summary() {
    String verb = dryRun ? "would delete" : "deleted";
    String disk = diskBefore >= 0 && diskAfter >= 0 && !dryRun
        ? String.format(", disk %d -> %d bytes", diskBefore, diskAfter) : "";
    return String.format("gc: %s %d generations, %d path entries, %d refs, %d aliases, %d blobs (%d bytes);"
            + " kept %d blobs (%d bytes)%s in %d ms", verb, generations, pathEntries, refs, aliases, blobs, bytes,
        keptBlobs, keptBytes, disk, took.toMillis());
  }
}
