package dev.reprox.bench;

import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import dev.reprox.pinning.apk.ApkIndex;
import dev.reprox.pinning.dnf.PrimaryReader;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Issue 5: parse time and heap for the real dnf and apk listings among the checkout's fixtures: the
 * CentOS Stream 9 AppStream {@code *-primary.xml.gz} (3.5 MB gzip, 52 MB of XML) with
 * {@link PrimaryReader}, and the Alpine v3.16 main x86_64 {@code APKINDEX.tar.gz} with
 * {@link ApkIndex#parse} and its {@link ApkIndex#entries} reader. For each: the first pass in a
 * fresh JVM, the median of warm passes, and heap as {@link HeapProbe} measures it (the apk index
 * is parsed from a byte array, as the server holds it, so its size is part of the live set).
 *
 * <p>Run from the repository root:
 * <pre>
 * ./mvnw -B -o -q -pl index-pinning -am install -DskipTests &amp;&amp; ./mvnw -B -o -q -pl benchmarks compile exec:exec -Dbench.main=dev.reprox.bench.ListingParseBenchmark -Dbench.xmx=64m
 * </pre>
 * ({@code -Dbench.fixtures=DIR} points at a fixtures directory; by default the checkout's {@code fixtures/} is looked up
 * above the working directory.)
 */
public final class ListingParseBenchmark {
  private static final int WARM_PASSES = 5;

  private ListingParseBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path fixtures = fixtures();
    Path primary = only(fixtures.resolve("real/rpm/centos-stream-9-appstream-x86_64/repodata"), "*-primary.xml.gz");
    Path apkindex = fixtures.resolve("real/alpine/v3.16-main-x86_64/APKINDEX.tar.gz");
    System.out.printf("heap max %d MB%n", Runtime.getRuntime().maxMemory() >> 20);
    run("dnf primary.xml.gz (CentOS Stream 9 AppStream)", primary,
        () -> PrimaryReader.open(Files.newInputStream(primary), "", primary.getFileName().toString()));
    run("apk APKINDEX.tar.gz (Alpine v3.16 main x86_64)", apkindex,
        () -> ApkIndex.parse(Files.readAllBytes(apkindex), "APKINDEX.tar.gz").entries("v3.16/main/x86_64/"));
  }

  interface Opener {
    ListingReader open() throws Exception;
  }

  private static void run(String name, Path file, Opener opener) throws Exception {
    System.out.printf("%n%s: %s, %.1f MB%n", name, file, Files.size(file) / 1e6);
    long[] files = new long[1];
    Timings.Body pass = () -> {
      files[0] = 0;
      try (ListingReader reader = opener.open()) {
        for (ListedFile f = reader.next(); f != null; f = reader.next()) {
          files[0]++;
        }
      }
    };
    try (HeapProbe heap = HeapProbe.start()) {
      long nanos = Timings.time(pass);
      System.out.printf("  first pass (cold JVM): %d packages, %.0f ms; %s%n", files[0], Timings.millis(nanos),
          heap.summary());
    }
    long[] nanos = new long[WARM_PASSES];
    String lastHeap = "";
    for (int i = 0; i < WARM_PASSES; i++) {
      try (HeapProbe heap = HeapProbe.start()) {
        nanos[i] = Timings.time(pass);
        lastHeap = heap.summary();
      }
    }
    Timings t = new Timings(nanos);
    System.out.printf("  warm, median of %d: %.0f ms (min %.0f); %.0f packages/s%n", WARM_PASSES,
        Timings.millis(t.median()), Timings.millis(t.min()), files[0] / (t.median() / 1e9));
    System.out.printf("  last warm pass: %s%n", lastHeap);
  }

  private static Path only(Path dir, String glob) throws IOException {
    try (DirectoryStream<Path> found = Files.newDirectoryStream(dir, glob)) {
      for (Path p : found) {
        return p;
      }
    }
    throw new IOException("listing benchmark: no " + glob + " in " + dir);
  }

  /** {@code -Dbench.fixtures}, else the checkout's {@code fixtures/} above the working directory. */
  private static Path fixtures() {
    String given = System.getProperty("bench.fixtures");
    if (given != null) {
      return Path.of(given);
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("fixtures");
      if (Files.isRegularFile(candidate.resolve("SOURCES.md")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("listing benchmark: fixtures/SOURCES.md not found above "
        + Path.of("").toAbsolutePath() + "; pass -Dbench.fixtures=DIR");
  }
}
