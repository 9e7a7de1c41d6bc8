package dev.reprox.server.cli;

import dev.reprox.config.ReproxConfig;
import dev.reprox.config.StorageConfig;
import dev.reprox.storage.Digest;
import dev.reprox.storage.ScrubReport;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reprox verify}: re-reads every blob with checksums on, and re-checks every package its
 * index names by a format's own hash (apk: Q1 and datahash; {@link BodyCheckScrub}); exit 1 if anything is damaged, 2 if
 * {@code --data} holds no store. Opens the store read-only, so it runs beside a serving reprox
 * and checks what was committed when it started. With {@code --config} naming a shared store
 * ({@code storage.type: shared}) it re-reads every catalogued object from the bucket instead.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Scrub the store: recompute every blob's SHA-256 and every stored .apk's Q1 and datahash.")
final class VerifyCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--data", paramLabel = "DIR", defaultValue = "./reprox-data",
      description = "data directory (default ${DEFAULT-VALUE})")
  Path data;

  @Option(names = "--config", paramLabel = "FILE",
      description = "config file (YAML): with storage.type shared, verify the shared store it names")
  Path config;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (config != null) {
      Optional<ReproxConfig> loaded = Errors.load(config, null, err);
      if (loaded.isEmpty()) {
        return Main.EXIT_CONFIG;
      }
      if (loaded.get().storage().type() != StorageConfig.Type.ROCKSDB) {
        return verifyShared(loaded.get(), out, err);
      }
    }
    if (!StorageOpener.holdsStore(data)) {
      // Opening would create an empty store here and report "0 damaged": a typo'd --data looked clean.
      err.println("verify: " + data + " is not a reprox data directory (no store in "
          + StorageOpener.store(data) + "); give the --data directory of reprox serve");
      err.flush();
      return Main.EXIT_CONFIG;
    }
    // Read-only: a running server holds RocksDB's lock, and the scrub writes nothing.
    try (Storage storage = StorageOpener.openReadOnly(data)) {
      return scrub(storage, out, missing -> stillStored(data, missing));
    } catch (IOException e) {
      err.println("verify: " + data + ": " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  /**
   * The shared store: every catalogued object re-read from the bucket and hashed, while replicas
   * serve. Its local copies go to a temporary directory of this run's own (a replica's cache is
   * that replica's), removed at the end.
   */
  private Integer verifyShared(ReproxConfig effective, PrintWriter out, PrintWriter err) {
    Path cache;
    try {
      cache = Files.createTempDirectory("reprox-verify-cache");
    } catch (IOException e) {
      err.println("verify: cannot create a temporary cache directory: " + e.getMessage());
      err.flush();
      return 1;
    }
    try (Storage storage = StorageOpener.openShared(effective, Clock.systemUTC(), cache)) {
      return scrub(storage, out, missing -> missing);
    } catch (IOException e) {
      err.println("verify: " + StorageOpener.describe(effective) + ": " + e.getMessage());
      err.flush();
      return 1;
    } finally {
      deleteTree(cache);
    }
  }

  private static void deleteTree(Path dir) {
    try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temporary directory: the system cleans it if we cannot.
    }
  }

  /**
   * The digests of {@code missing} a fresh read-only open of the store still has. A read-only
   * store sees the server's state at its open; a blob the server deleted since (its garbage
   * collection) has no file any more, and is not damage.
   */
  static List<Digest> stillStored(Path data, List<Digest> missing) throws IOException {
    if (missing.isEmpty()) {
      return missing;
    }
    try (Storage now = StorageOpener.openReadOnly(data)) {
      List<Digest> still = new ArrayList<>();
      for (Digest d : missing) {
        if (now.blobs().stat(d).isPresent()) {
          still.add(d);
        }
      }
      return still;
    }
  }

  /** Which of the blobs found missing are still stored now. */
  @FunctionalInterface
  interface Recheck {
    List<Digest> stillStored(List<Digest> missing) throws IOException;
  }

  /** Missing blobs re-checked at the end, at most this many; past it each is reported at once. */
  private static final int RECHECK_MAX = 100_000;

  /** Scrubs {@code storage}, printing each damaged blob and the summary; the exit code. */
  static int scrub(Storage storage, PrintWriter out, Recheck recheck) throws IOException {
    Map<Digest, String> missing = new LinkedHashMap<>();
    ScrubReport report = storage.blobs().scrub(d -> {
      if (d.missing() && missing.size() < RECHECK_MAX) {
        missing.put(d.digest(), d.reason());
        return;
      }
      out.println("damaged " + d.digest() + ": " + d.reason());
      out.flush();
    });
    List<Digest> still = recheck.stillStored(new ArrayList<>(missing.keySet()));
    for (Digest d : still) {
      out.println("damaged " + d + ": " + missing.get(d));
    }
    long deleted = missing.size() - still.size();
    if (deleted > 0) {
      out.printf("verify: %d blobs deleted by the running server while verify read (not damage)%n", deleted);
    }
    report = new ScrubReport(report.blobsChecked() - deleted, report.bytesChecked(), report.damagedBlobs() - deleted);
    List<BodyCheckScrub.Report> own = BodyCheckScrub.run(storage, Clock.systemUTC(), (digest, reason) -> {
      out.println("damaged " + digest + ": " + reason);
      out.flush();
    });
    out.printf("verify: %d blobs, %d bytes checked, %d damaged%n",
        report.blobsChecked(), report.bytesChecked(), report.damagedBlobs());
    long bad = 0;
    for (BodyCheckScrub.Report r : own) {
      out.printf("verify: %d %s packages re-checked by their index's own hash, %d bad%n", r.packages(), r.format(),
          r.bad());
      bad += r.bad();
    }
    out.flush();
    return report.clean() && bad == 0 ? 0 : 1;
  }
}
