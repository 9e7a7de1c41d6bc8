package dev.reprox.storage;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Build records: per label, every answer a labelled build was served ({@link BuildEntry}), kept
 * across restarts until the label has not been used for the retention the server configures.
 *
 * <p>The label namespace is bounded without letting one client push out another build's record:
 * a label not yet recorded is refused ({@link Outcome#LABELS_FULL}) while {@code maxLabels} labels
 * are held, and a label holds at most {@link #MAX_ENTRIES} entries (more are dropped and the label
 * marked truncated). Records leave only by age ({@link #expire}) or by an explicit
 * {@link #delete}.
 */
public interface BuildRecords {
  /** Entries one label may hold; far above any real build (a Debian base image is ~100 packages). */
  int MAX_ENTRIES = 100_000;

  /** What {@link #record} did. */
  enum Outcome {
    /** A new entry, or a changed answer, was written. */
    WRITTEN,
    /** The same answer was already recorded (only the label's last use may have moved). */
    UNCHANGED,
    /** A new label while {@code maxLabels} are held: nothing recorded. */
    LABELS_FULL,
    /** The label already holds {@link #MAX_ENTRIES}: the entry was dropped, the label marked truncated. */
    ENTRIES_FULL
  }

  /**
   * Records {@code entry} under its label (creating the label unless {@code maxLabels} labels are
   * held) and moves the label's last use to {@code entry.servedAt()}. Atomic per label.
   */
  Outcome record(BuildEntry entry, int maxLabels) throws IOException;

  /** Every label's head, in label order. */
  List<BuildLabel> labels() throws IOException;

  Optional<BuildLabel> label(String label) throws IOException;

  /** Every entry of {@code label}, in key order (repo, at, path); empty when unknown. */
  List<BuildEntry> entries(String label) throws IOException;

  /** Removes {@code label} and its entries; its head as it was, or empty when none was held. */
  Optional<BuildLabel> delete(String label) throws IOException;

  /** Removes every label last used before {@code cutoff}; how many. */
  int expire(Instant cutoff) throws IOException;
}
