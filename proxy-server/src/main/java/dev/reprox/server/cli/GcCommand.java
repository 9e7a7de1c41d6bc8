package dev.reprox.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.gc.Collector;
import dev.reprox.server.gc.GcReport;
import dev.reprox.server.gc.RootProvider;
import dev.reprox.server.trust.StoredRoots;
import dev.reprox.server.upstream.LazyTls;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code reprox gc}: collects what the retention policy no longer keeps (docs/DESIGN.md §4a),
 * either in a stopped store ({@code --data}, with the configuration that recorded it) or in a
 * running server ({@code --server}, through {@code POST /-/api/admin/gc} with the admin token).
 */
@Command(name = "gc", mixinStandardHelpOptions = true,
    description = "Delete what no pin and no retention rule keeps, and give the disk space back.")
final class GcCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "config file (YAML), merged over the built-ins")
  Path config;

  @Option(names = "--data", paramLabel = "DIR", description = "data directory of a stopped reprox (default ./reprox-data)")
  Path data;

  @Option(names = "--server", paramLabel = "URL", description = "collect in this running reprox instead (admin API)")
  URI server;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "with --server: file holding api.admin-token (default: $REPROX_ADMIN_TOKEN)")
  Path tokenFile;

  @Option(names = "--dry-run", description = "print what would be deleted and its bytes; delete nothing")
  boolean dryRun;

  @Option(names = "--quiet", description = "only the summary line, not one line per item")
  boolean quiet;

  /** Test hook (GcCrashIT): stops for good after this many deletions, so a kill lands mid-sweep. */
  @Option(names = "--pause-after-deletes", hidden = true, paramLabel = "N")
  int pauseAfterDeletes;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (server != null) {
      if (data != null || config != null) {
        err.println("gc: --server collects in the running reprox, with its own --data and configuration;"
            + " give either --server or --data/--config");
        err.flush();
        return Main.EXIT_CONFIG;
      }
      return remote(out, err);
    }
    Optional<ReproxConfig> loaded = Errors.load(config, data, err);
    if (loaded.isEmpty()) {
      return Main.EXIT_CONFIG;
    }
    ReproxConfig effective = loaded.get();
    boolean shared = effective.storage().type() != dev.reprox.config.StorageConfig.Type.ROCKSDB;
    if (!shared && !StorageOpener.holdsStore(effective.data())) {
      err.println("gc: " + effective.data() + " is not a reprox data directory (no store in "
          + StorageOpener.store(effective.data()) + ")");
      err.flush();
      return Main.EXIT_CONFIG;
    }
    Clock clock = Clock.systemUTC();
    int[] deletes = {0};
    // The configured store: with storage.type shared this collects the shared archive (one
    // collection at a time across replicas is the operator's business, as with --server).
    try (Storage storage = StorageOpener.open(effective, clock)) {
      GcReport report = Collector.builder().storage(storage).clock(clock).retention(effective.retention())
          .roots(StoredRoots.of(effective, clock)).dryRun(dryRun).diskDirectory(effective.data())
          .provider(RootProvider.buildRecords(effective.builds().retention(), clock))
          .out(line -> {
            if (!quiet) {
              out.println(line);
              out.flush();
            }
            if (pauseAfterDeletes > 0 && line.startsWith("delete ") && ++deletes[0] >= pauseAfterDeletes) {
              out.println("gc: paused (test hook)");
              out.flush();
              while (true) {
                java.util.concurrent.locks.LockSupport.park(); // until the test kills this process
              }
            }
          }).build().run();
      out.println(report.summary());
      out.flush();
      return 0;
    } catch (IOException e) {
      String m = String.valueOf(e.getMessage());
      err.println("gc: " + effective.data() + ": " + m
          + (m.contains("LOCK") ? " (a running reprox holds the store: use --server URL)" : ""));
      err.flush();
      return 1;
    }
  }

  /** Starts a collection in the server, waits for it, prints its report. */
  private int remote(PrintWriter out, PrintWriter err) {
    if (!Errors.environmentValid(err)) {
      return Main.EXIT_CONFIG;
    }
    String token;
    try {
      token = tokenFile != null ? Files.readString(tokenFile).strip() : System.getenv("REPROX_ADMIN_TOKEN");
    } catch (IOException e) {
      err.println("gc: cannot read --token-file " + tokenFile + ": " + e.getMessage());
      err.flush();
      return Main.EXIT_CONFIG;
    }
    String base = server.toString().replaceAll("/$", "") + "/-/api/admin/gc";
    HttpClient http = LazyTls.onFirstUse(HttpClient.newBuilder()).version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    ObjectMapper json = new ObjectMapper();
    try {
      HttpResponse<String> started = http.send(request(URI.create(base + (dryRun ? "/dry-run" : "")), token)
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      if (started.statusCode() != 202) {
        err.println("gc: " + base + " answered " + started.statusCode() + ": " + started.body().strip());
        err.flush();
        return 1;
      }
      long run = json.readTree(started.body()).path("run").asLong();
      // A timeout on this command's own wait, not domain time: the monotonic clock.
      long deadline = System.nanoTime() + Duration.ofHours(24).toNanos();
      while (System.nanoTime() - deadline < 0) {
        HttpResponse<String> state = http.send(request(URI.create(base), token).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        JsonNode s = json.readTree(state.body());
        JsonNode last = s.path("last");
        if (last.path("run").asLong() == run) {
          if (last.has("error")) {
            err.println("gc: run " + run + " failed: " + last.path("error").asText());
            err.flush();
            return 1;
          }
          out.println(last.path("summary").asText());
          out.flush();
          return 0;
        }
        Thread.sleep(500); // polling a remote job's state, not standing in for synchronisation
      }
      err.println("gc: run " + run + " did not finish within 24 h");
      err.flush();
      return 1;
    } catch (IOException e) {
      err.println("gc: cannot reach reprox at " + server + ": " + e);
      err.flush();
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  private static HttpRequest.Builder request(URI uri, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
    if (token != null && !token.isEmpty()) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }
}
