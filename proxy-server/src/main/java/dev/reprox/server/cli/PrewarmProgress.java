package dev.reprox.server.cli;

import dev.reprox.server.lock.LockEntry;
import java.io.PrintWriter;
import java.util.Locale;

/** {@code reprox prewarm}'s progress: a bar redrawn in place on a terminal; one line per package otherwise. */
final class PrewarmProgress {
  private final PrintWriter out;
  private final long total;
  private final boolean terminal;
  private final long start = System.nanoTime();
  private long done;
  private long bytes;

  PrewarmProgress(PrintWriter out, long total, boolean terminal) {
    this.out = out;
    this.total = total;
    this.terminal = terminal;
  }

  synchronized void done(LockEntry e, PrewarmSummary.Row row, long size) {
    done++;
    bytes += size;
    double secs = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
    if (terminal) {
      int width = 30;
      int filled = (int) (total == 0 ? width : width * done / total);
      long eta = done == 0 ? 0 : (long) (secs * (total - done) / done);
      out.printf("\r[%s%s] %d/%d  %.1f MiB  %.1f pkg/s  ETA %ds ", "#".repeat(filled), " ".repeat(width - filled),
          done, total, bytes / 1048576.0, done / secs, eta);
    } else {
      out.printf("prewarm %d/%d %s %s/%s%n", done, total, row.name().toLowerCase(Locale.ROOT), e.repo(), e.what());
    }
    out.flush();
  }

  synchronized void end() {
    if (terminal) {
      out.println();
    }
    double secs = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
    out.printf("prewarm: %d packages, %.1f MiB in %.1f s%n", done, bytes / 1048576.0, secs);
  }
}
