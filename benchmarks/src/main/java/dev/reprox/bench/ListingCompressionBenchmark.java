package dev.reprox.bench;

import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import dev.reprox.pinning.apt.AptListings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Issue 10: which variant of a listing reprox fetches when it completes a chain itself. Parses
 * the real Debian bookworm main amd64 {@code Packages.gz} and {@code Packages.xz} (downloaded once
 * into {@code benchmarks/target/}) the way the indexer does ({@link AptListings#packages},
 * streaming): the JDK's native zlib against the pure-Java xz decoder. Median of warm passes.
 *
 * <p>Run from the repository root (no install: the reactor compiles, java runs the classes):
 * <pre>
 * ./mvnw -B -o -q -pl benchmarks -am compile
 * java -cp benchmarks/target/classes:index-pinning/target/classes:storage/target/classes:$(cat cp.txt) \
 *   dev.reprox.bench.ListingCompressionBenchmark
 * </pre>
 * ({@code cp.txt}: {@code ./mvnw -o -q -pl benchmarks -am dependency:build-classpath -Dmdep.outputFile=$PWD/cp.txt}).
 */
public final class ListingCompressionBenchmark {
  private static final String BASE = "http://deb.debian.org/debian/dists/bookworm/main/binary-amd64/";
  private static final int WARM_PASSES = 5;

  private ListingCompressionBenchmark() {}

  public static void main(String[] args) throws Exception {
    for (String name : new String[] {"Packages.gz", "Packages.xz"}) {
      Path file = download(name);
      long[] files = new long[1];
      long cold = Timings.time(() -> files[0] = parse(file));
      long[] warm = new long[WARM_PASSES];
      for (int i = 0; i < WARM_PASSES; i++) {
        warm[i] = Timings.time(() -> parse(file));
      }
      Timings t = new Timings(warm);
      System.out.printf("%s: %.1f MB, %d files; first pass %.0f ms, warm median %.0f ms (min %.0f)%n", name,
          Files.size(file) / 1e6, files[0], Timings.millis(cold), Timings.millis(t.median()), Timings.millis(t.min()));
    }
  }

  private static long parse(Path file) throws Exception {
    long n = 0;
    try (ListingReader reader = AptListings.packages(Files.newInputStream(file))) {
      for (ListedFile f = reader.next(); f != null; f = reader.next()) {
        n++;
      }
    }
    return n;
  }

  private static Path download(String name) throws IOException, InterruptedException {
    Path target = Path.of(System.getProperty("bench.target", "benchmarks/target"));
    Path file = target.resolve("bookworm-main-amd64-" + name);
    if (Files.isRegularFile(file)) {
      return file;
    }
    Files.createDirectories(target);
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
    Path part = Files.createTempFile(target, "Packages", ".part");
    HttpResponse<Path> response = client.send(HttpRequest.newBuilder(URI.create(BASE + name))
        .timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofFile(part));
    if (response.statusCode() != 200) {
      Files.deleteIfExists(part);
      throw new IOException("download " + BASE + name + ": HTTP " + response.statusCode());
    }
    return Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
  }
}
