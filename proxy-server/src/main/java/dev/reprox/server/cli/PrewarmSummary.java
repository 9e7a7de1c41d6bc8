package dev.reprox.server.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What {@code reprox prewarm} counts: one counter per outcome, and the messages of the first
 * {@value #MAX_PROBLEMS} entries that did not become present. Bounded so that memory stays flat
 * however many entries the lockfiles name and however many fail (a lockfile of 50,000 against
 * the wrong upstream); the rest are counted and said to be left out. Thread-safe: answers arrive
 * on the HTTP client's threads.
 */
final class PrewarmSummary {
  /** The summary's rows, in order; the server's outcomes by their lower-case names. */
  enum Row { STORED, PRESENT, NOT_FOUND, MISMATCH, UPSTREAM_FAILURE, NOT_SUPPORTED }

  /** One entry's answer ({@link LocalPrewarm}); the batch client passes row and message alike. */
  record Answer(Row row, String message) {}

  static final int MAX_PROBLEMS = 100;

  private static final Map<Row, String> TITLES = Map.of(Row.STORED, "stored", Row.PRESENT, "already present",
      Row.NOT_FOUND, "not found at T", Row.MISMATCH, "hash mismatch", Row.UPSTREAM_FAILURE, "upstream failure",
      Row.NOT_SUPPORTED, "not supported");

  private final Map<Row, AtomicLong> counts = new EnumMap<>(Row.class);
  private final List<String> problems = new ArrayList<>();
  private long omitted;

  PrewarmSummary() {
    for (Row r : Row.values()) {
      counts.put(r, new AtomicLong());
    }
  }

  static Row parse(String outcome) {
    for (Row r : Row.values()) {
      if (r.name().toLowerCase(Locale.ROOT).equals(outcome)) {
        return r;
      }
    }
    return Row.UPSTREAM_FAILURE;
  }

  /** Counts one answer; {@code what} names the entry ({@code file:line: repo/path}) for a problem line. */
  void count(Row row, String what, String message) {
    counts.get(row).incrementAndGet();
    if (row != Row.STORED && row != Row.PRESENT) {
      synchronized (problems) {
        if (problems.size() < MAX_PROBLEMS) {
          problems.add(what + ": " + TITLES.get(row) + ": " + message);
        } else {
          omitted++;
        }
      }
    }
  }

  /** The problems (sorted) on {@code err}, the table on {@code out}; true when every entry is present. */
  boolean print(PrintWriter out, PrintWriter err, long total) {
    synchronized (problems) {
      problems.stream().sorted().forEach(err::println);
      if (omitted > 0) {
        err.println("prewarm: " + omitted + " more entries not made present (only the first " + MAX_PROBLEMS
            + " are listed; the table counts them all)");
      }
    }
    out.println();
    out.printf("%-18s %8s%n", "RESULT", "PACKAGES");
    for (Row r : Row.values()) {
      out.printf("%-18s %8d%n", TITLES.get(r), counts.get(r).get());
    }
    out.printf("%-18s %8d%n", "total", total);
    return counts.get(Row.NOT_FOUND).get() + counts.get(Row.MISMATCH).get()
        + counts.get(Row.UPSTREAM_FAILURE).get() + counts.get(Row.NOT_SUPPORTED).get() == 0;
  }
}
