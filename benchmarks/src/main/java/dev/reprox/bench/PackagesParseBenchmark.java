package dev.reprox.bench;

import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import dev.reprox.pinning.apt.AptListings;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.tukaani.xz.XZInputStream;

/**
 * Issue 3: parse the real Debian bookworm main amd64 {@code Packages.xz} (8.8 MB, ~63,000
 * stanzas) with {@link AptListings#packages}, streaming, as the server does when it indexes a
 * generation: wall time (first pass in a fresh JVM, then the median of warm passes) and heap
 * (see {@link HeapProbe}: the live set after GC is the figure that shows it streams). The time to
 * only decompress the same file is printed next to it, so the parse's own cost is visible.
 * The file is downloaded once into {@code benchmarks/target/} (over plain http, from
 * {@code -Dbench.packages.url}, default deb.debian.org); {@code -Dbench.packages=FILE} uses a local copy.
 *
 * <p>Run from the repository root:
 * <pre>
 * ./mvnw -B -o -q -pl index-pinning -am install -DskipTests &amp;&amp; ./mvnw -B -o -q -pl benchmarks compile exec:exec -Dbench.main=dev.reprox.bench.PackagesParseBenchmark -Dbench.xmx=64m
 * </pre>
 * ({@code -Dbench.xmx=64m} proves the parse fits a small heap; the default is 512m.)
 */
public final class PackagesParseBenchmark {
  static final String DEFAULT_URL = "http://deb.debian.org/debian/dists/bookworm/main/binary-amd64/Packages.xz";
  private static final int WARM_PASSES = 5;

  private PackagesParseBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path file = packagesFile();
    System.out.printf("Packages.xz: %s, %.1f MB, heap max %d MB%n", file, Files.size(file) / 1e6,
        Runtime.getRuntime().maxMemory() >> 20);
    long[] parse = new long[WARM_PASSES];
    long[] unxz = new long[WARM_PASSES];
    Result first = parse(file);
    System.out.printf("first pass (cold JVM): %d files, %.0f ms; %s%n", first.files, Timings.millis(first.nanos),
        first.heap);
    Result last = first;
    for (int i = 0; i < WARM_PASSES; i++) {
      unxz[i] = Timings.time(() -> decompressOnly(file));
      last = parse(file);
      parse[i] = last.nanos;
    }
    Timings p = new Timings(parse);
    Timings u = new Timings(unxz);
    System.out.printf("warm, median of %d: parse %.0f ms (min %.0f), xz decompression alone %.0f ms; %.0f stanzas/s%n",
        WARM_PASSES, Timings.millis(p.median()), Timings.millis(p.min()), Timings.millis(u.median()),
        last.files / (p.median() / 1e9));
    System.out.printf("last warm pass: %s%n", last.heap);
  }

  record Result(long files, long nanos, String heap) {}

  private static Result parse(Path file) throws Exception {
    long[] files = new long[1];
    try (HeapProbe heap = HeapProbe.start()) {
      long nanos = Timings.time(() -> {
        try (ListingReader reader = AptListings.packages(Files.newInputStream(file))) {
          for (ListedFile f = reader.next(); f != null; f = reader.next()) {
            files[0]++;
          }
        }
      });
      return new Result(files[0], nanos, heap.summary());
    }
  }

  private static void decompressOnly(Path file) throws IOException {
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = new XZInputStream(new BufferedInputStream(Files.newInputStream(file), 64 * 1024))) {
      while (in.read(buf) >= 0) {
        // discard: only the decompression cost is wanted
      }
    }
  }

  /** The local copy, downloaded on first use; a partial download never takes the final name. */
  private static Path packagesFile() throws IOException, InterruptedException {
    String given = System.getProperty("bench.packages");
    if (given != null) {
      return Path.of(given);
    }
    Path target = Path.of(System.getProperty("bench.target", "target"));
    Path file = target.resolve("bookworm-main-amd64-Packages.xz");
    if (Files.isRegularFile(file)) {
      return file;
    }
    Files.createDirectories(target);
    URI url = URI.create(System.getProperty("bench.packages.url", DEFAULT_URL));
    System.out.println("downloading " + url);
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
        .followRedirects(HttpClient.Redirect.NORMAL).build();
    Path part = Files.createTempFile(target, "Packages", ".part");
    HttpResponse<Path> response = client.send(HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(5)).build(),
        HttpResponse.BodyHandlers.ofFile(part));
    if (response.statusCode() != 200) {
      Files.deleteIfExists(part);
      throw new IOException("download " + url + ": HTTP " + response.statusCode());
    }
    return Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
  }
}
