package dev.reprox.server.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

/**
 * One reading of a child process from /proc: resident set size (VmRSS) and the number of open
 * file descriptors, with what the load had done by then.
 *
 * @param seconds since the load started
 * @param rssKiB VmRSS of /proc/PID/status
 * @param fds entries of /proc/PID/fd
 * @param heapUsedMiB the child's own jvm_memory_used_bytes{area="heap"}, for the table only (-1: unread)
 * @param requests responses checked so far
 * @param errors unexpected outcomes so far
 */
record ProcSample(long seconds, long rssKiB, long fds, long heapUsedMiB, long requests, long errors) {

  static ProcSample read(long pid, long seconds, long heapUsedMiB, long requests, long errors) throws IOException {
    long rss = -1;
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").strip());
      }
    }
    long fds;
    try (Stream<Path> entries = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      fds = entries.count();
    }
    return new ProcSample(seconds, rss, fds, heapUsedMiB, requests, errors);
  }

  /** The largest value of {@code field} among {@code samples}. */
  static long max(List<ProcSample> samples, ToLongFunction<ProcSample> field) {
    return samples.stream().mapToLong(field).max().orElseThrow();
  }

  static String header() {
    return String.format("| %6s | %8s | %5s | %9s | %9s | %6s |%n|%s|%s|%s|%s|%s|%s|", "t s", "RSS MiB", "fds",
        "heap MiB", "requests", "errors", "-------:", "---------:", "------:", "----------:", "----------:", "-------:");
  }

  String row() {
    return String.format("| %6d | %8.1f | %5d | %9d | %9d | %6d |", seconds, rssKiB / 1024.0, fds, heapUsedMiB,
        requests, errors);
  }
}
