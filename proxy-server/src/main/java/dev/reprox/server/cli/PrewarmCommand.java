package dev.reprox.server.cli;

import dev.reprox.config.ConfigLoader;
import dev.reprox.pinning.TimeSpec;
import dev.reprox.pinning.TimeSpecException;
import dev.reprox.server.lock.LockEntry;
import dev.reprox.server.lock.LockfileFormatException;
import dev.reprox.server.lock.LockfileReaders;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code reprox prewarm FILE…}: every package the lockfiles name made present in reprox before a
 * build: against a running server ({@code --server} and the admin token) through the batch form
 * of the admin route {@code POST /-/api/admin/prewarm} (requests of 256 entries, two in flight,
 * the server running at most {@code --jobs} at once, {@link PrewarmBatchClient}), or into a stopped
 * store ({@code --data}: each entry goes straight to the fetch chain in this process, {@link
 * LocalPrewarm}, with the route's checks and outcomes, at most {@code --jobs} at once; no server
 * is started, and only the repositories the lockfiles name). Progress: a bar on a terminal, plain
 * lines otherwise; a summary
 * table at the end; exit 1 if anything is missing afterwards, 2 for usage and lockfile errors.
 *
 * <p>Memory stays flat in the number of entries: the lockfiles are read twice, streamed
 * ({@link LockfileReaders#stream}), first only to check and count them (a bad line stops the run
 * before anything is fetched), then to send each entry as it is read, at most a few batches of them
 * unanswered; the summary keeps counts and a bounded list of problems ({@link PrewarmSummary}).
 */
@Command(name = "prewarm", mixinStandardHelpOptions = true,
    description = "Fill reprox with every package the lockfiles name (reprox lockfile, SHA256SUMS, Debian .buildinfo,"
        + " apko.lock.json, rpms.lock.yaml, repro-env.lock).")
final class PrewarmCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "lockfiles")
  List<Path> files;

  @Option(names = "--server", paramLabel = "URL", description = "the running reprox (default http://127.0.0.1:3142)")
  URI server;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "file holding the server's api.admin-token (default: $REPROX_ADMIN_TOKEN)")
  Path tokenFile;

  @Option(names = "--data", paramLabel = "DIR", description = "fill a stopped reprox's data directory instead")
  Path data;

  @Option(names = "--config", paramLabel = "FILE",
      description = "the configuration reprox serves with (--data; and how lockfile URLs map to repositories)")
  Path config;

  @Option(names = "--repo", paramLabel = "NAME", description = "for SHA256SUMS and .buildinfo: the repository (.buildinfo: default the only apt one)")
  String repo;

  @Option(names = "--root", paramLabel = "PATH", description = "for SHA256SUMS and .buildinfo: the root index (default per format)")
  String root;

  @Option(names = "--at", paramLabel = "T",
      description = "for SHA256SUMS, apko and rpms.lock.yaml: T (epoch seconds, YYYYMMDD, YYYYMMDDTHHMMSSZ)")
  String at;

  @Option(names = "--jobs", paramLabel = "N", defaultValue = "4", description = "packages at once (default 4; --server: per batch request, two in flight)")
  int jobs;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      return run(out, err);
    } finally {
      out.flush();
      err.flush();
    }
  }

  private int run(PrintWriter out, PrintWriter err) throws Exception {
    if (server != null && data != null) {
      err.println("prewarm: give --server or --data, not both");
      return Main.EXIT_CONFIG;
    }
    if (jobs < 1 || jobs > 64) {
      err.println("prewarm: --jobs must be 1 to 64");
      return Main.EXIT_CONFIG;
    }
    Optional<Instant> t;
    try {
      t = at == null ? Optional.empty() : Optional.of(TimeSpec.parse(at));
    } catch (TimeSpecException e) {
      err.println("prewarm: --at: " + e.getMessage());
      return Main.EXIT_CONFIG;
    }
    // The configuration maps foreign lockfiles' URLs to repositories (the built-ins without --config).
    // --data and --config load it now (its errors come first); --server alone only when a foreign
    // lockfile's URL is mapped: a reprox lockfile names its repositories, and the YAML, databind
    // and validation were a sixth of the client's start-up (issue 11). The REPROX_ variables are
    // checked either way, as serve checks them (Errors.environmentValid).
    LazyConfig effective = new LazyConfig(() -> ConfigLoader.load(Optional.ofNullable(config), System.getenv(),
        new ConfigLoader.Overrides(Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.ofNullable(data),
            Optional.empty())));
    if (data != null || config != null) {
      try {
        effective.get();
      } catch (LazyConfig.Failed e) {
        Errors.print(err, e.getCause());
        return Main.EXIT_CONFIG;
      }
    } else if (!Errors.environmentValid(err)) {
      return Main.EXIT_CONFIG;
    }
    dev.reprox.server.lock.UrlMapper urls = new dev.reprox.server.lock.UrlMapper(effective.repositories(),
        root != null ? root : "dists/stable/InRelease");
    // Packages of systems reprox does not serve (repro-env's Arch Linux): counted and listed by the
    // first pass, skipped by the second.
    PrewarmSummary summary = new PrewarmSummary();
    long[] unsupported = {0};
    LockfileReaders.Defaults check = new LockfileReaders.Defaults(Optional.ofNullable(repo),
        Optional.ofNullable(root), t, urls, u -> {
          unsupported[0]++;
          summary.count(PrewarmSummary.Row.NOT_SUPPORTED, u, "skipped");
        });
    long total = 0;
    // The configured repositories the entries name: --data starts only those (bounded by the config).
    java.util.Set<String> named = new java.util.HashSet<>();
    for (Path f : files) {
      try {
        total += LockfileReaders.stream(f, check, e -> {
          if (data != null && effective.get().repositories().containsKey(e.repo())) {
            named.add(e.repo());
          }
        });
      } catch (LazyConfig.Failed e) {
        Errors.print(err, e.getCause());
        return Main.EXIT_CONFIG;
      } catch (LockfileFormatException e) {
        err.println("prewarm: " + e.getMessage());
        return Main.EXIT_CONFIG;
      } catch (IOException e) {
        err.println("prewarm: cannot read " + f + ": " + e.getMessage());
        return Main.EXIT_CONFIG;
      }
    }
    Entries entries = new Entries(new LockfileReaders.Defaults(Optional.ofNullable(repo), Optional.ofNullable(root),
        t, urls, u -> { }), total, unsupported[0], summary);
    if (data == null) {
      String token = tokenFile != null ? Files.readString(tokenFile).strip() : System.getenv("REPROX_ADMIN_TOKEN");
      return prewarmBatch(out, err, entries, server == null ? URI.create("http://127.0.0.1:3142") : server, token);
    }
    // In this process, without a server: only the fetch chain of the repositories the entries name.
    Clock clock = Clock.systemUTC();
    boolean blobFiles = effective.get().storage().blobFiles();
    try (LocalPrewarm local = LocalPrewarm.open(effective.get(), named, StorageOpener.openBatch(data, clock, blobFiles),
        clock)) {
      return prewarm(out, err, entries, local::send);
    }
  }

  static String defaultRoot(dev.reprox.config.RepositoryConfig.Format format) {
    return switch (format) {
      case APT -> "dists/stable/InRelease";
      case DNF -> "repodata/repomd.xml";
      case APK -> "x86_64/APKINDEX.tar.gz";
    };
  }

  /** The lockfiles' entries, read again for sending; counted (and the unsupported ones) by the first pass. */
  private record Entries(LockfileReaders.Defaults defaults, long total, long unsupported, PrewarmSummary summary) {}

  /** {@code --data}: the entries straight to the fetch chain, at most {@code --jobs} at once. */
  private int prewarm(PrintWriter out, PrintWriter err, Entries entries,
      Function<LockEntry, CompletableFuture<PrewarmSummary.Answer>> client) throws InterruptedException {
    PrewarmSummary summary = entries.summary();
    PrewarmProgress progress = new PrewarmProgress(out, entries.total(), System.console() != null);
    Semaphore slots = new Semaphore(jobs);
    for (Path f : files) {
      try {
        LockfileReaders.stream(f, entries.defaults(), e -> {
          slots.acquire();
          client.apply(e).whenComplete((a, x) -> {
            try {
              PrewarmSummary.Row row = a == null ? PrewarmSummary.Row.UPSTREAM_FAILURE : a.row();
              progress.done(e, row, Math.max(0, e.size()));
              summary.count(row, e.source() + ": " + e.repo() + "/" + e.what(), a == null ? String.valueOf(x)
                  : a.message());
            } finally {
              slots.release();
            }
          });
        });
      } catch (IOException | LockfileFormatException e) {
        // The first pass read this file whole: it changed under us.
        err.println("prewarm: " + f + " changed while read: " + e.getMessage());
        slots.acquire(jobs);
        return Main.EXIT_CONFIG;
      }
    }
    slots.acquire(jobs); // every answer is in
    progress.end();
    return summary.print(out, err, entries.total() + entries.unsupported()) ? 0 : 1;
  }

  /** {@code --server}: the entries in batch requests, the server running {@code --jobs} at once. */
  private int prewarmBatch(PrintWriter out, PrintWriter err, Entries entries, URI base, String token)
      throws InterruptedException {
    PrewarmSummary summary = entries.summary();
    PrewarmProgress progress = new PrewarmProgress(out, entries.total(), System.console() != null);
    if (entries.total() > 0) {
      PrewarmBatchClient.Run batch = new PrewarmBatchClient(base, token, Map.of(), jobs).open((e, row, message) -> {
        progress.done(e, row, Math.max(0, e.size()));
        summary.count(row, e.source() + ": " + e.repo() + "/" + e.what(), message);
      }, notice -> {
        err.println(notice);
        err.flush();
      });
      for (Path f : files) {
        try {
          LockfileReaders.stream(f, entries.defaults(), batch::send);
        } catch (IOException | LockfileFormatException e) {
          // The first pass read this file whole: it changed under us.
          err.println("prewarm: " + f + " changed while read: " + e.getMessage());
          batch.finish();
          return Main.EXIT_CONFIG;
        }
      }
      batch.finish(); // every answer is in
    }
    progress.end();
    return summary.print(out, err, entries.total() + entries.unsupported()) ? 0 : 1;
  }
}
