package dev.reprox.server.cli;

import dev.reprox.config.ReproxConfig;
import dev.reprox.pinning.TimeSpec;
import dev.reprox.pinning.TimeSpecException;
import dev.reprox.server.bundle.BundleException;
import dev.reprox.server.bundle.BundleExport;
import dev.reprox.server.fetch.Formats;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reprox export --repo R --at T… [--repo R2 --at T…] -o FILE}: writes a bundle of the pins
 * covering each T, with everything they need to resolve offline elsewhere (docs/bundle.md). Works
 * on the store of {@code --data}, stopped or serving (opened read-only); the file appears under its name only when complete.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Write a bundle (zstd tar) of the pins covering each --at T of each --repo, with their signed"
        + " roots, listings and packages, for 'reprox import' elsewhere. Reads the store (also while it"
        + " serves), or asks a running server (--server).")
final class ExportCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** One {@code --repo R --at T…}. */
  static final class Selection {
    @Option(names = "--repo", required = true, paramLabel = "REPO", description = "repository name")
    String repo;

    @Option(names = "--at", required = true, arity = "1..*", paramLabel = "T",
        description = "a pinned time: YYYYMMDDTHHMMSSZ, YYYYMMDD or epoch seconds")
    List<String> at;
  }

  @ArgGroup(exclusive = false, multiplicity = "0..*")
  List<Selection> selections = new ArrayList<>();

  @Option(names = "--label", paramLabel = "LABEL",
      description = "the pins of every (repository, T) a build label's persisted record holds")
  String label;

  @Option(names = "--lockfile", paramLabel = "FILE",
      description = "the pins of every (repository, T) a lockfile names (reprox lock's, or any format prewarm reads"
          + " that carries its repository and T)")
  List<Path> lockfiles = new ArrayList<>();

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "bundle to write")
  Path output;

  @Option(names = "--config", paramLabel = "FILE", description = "config file (YAML), merged over the built-ins")
  Path config;

  @Option(names = "--data", paramLabel = "DIR", description = "data directory (default ./reprox-data)")
  Path data;

  @Option(names = "--server", paramLabel = "URL",
      description = "export from this running reprox instead (GET /-/api/admin/export, needs the admin token)")
  java.net.URI server;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "file holding the server's api.admin-token (default: $REPROX_ADMIN_TOKEN)")
  Path tokenFile;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<ReproxConfig> loaded = Errors.load(config, data, err);
    if (loaded.isEmpty()) {
      return Main.EXIT_CONFIG;
    }
    ReproxConfig effective = loaded.get();
    if (selections.isEmpty() && label == null && lockfiles.isEmpty()) {
      err.println("export: give --repo R --at T (repeatable), --label L or --lockfile F");
      err.flush();
      return Main.EXIT_CONFIG;
    }
    List<BundleExport.Selection> wanted = new ArrayList<>();
    for (Selection s : selections) {
      for (String t : s.at) {
        try {
          wanted.add(new BundleExport.Selection(s.repo, TimeSpec.parse(t)));
        } catch (TimeSpecException e) {
          err.println("export: --at " + t + ": " + e.getMessage());
          err.flush();
          return Main.EXIT_CONFIG;
        }
      }
    }
    Optional<String> lockError = fromLockfiles(effective, wanted);
    if (lockError.isPresent()) {
      err.println("export: " + lockError.get());
      err.flush();
      return Main.EXIT_CONFIG;
    }
    if (server != null) {
      return fromServer(out, err, wanted);
    }
    if (!StorageOpener.holdsStore(effective.data())) {
      err.println("export: " + effective.data() + " is not a reprox data directory (no store in "
          + StorageOpener.store(effective.data()) + ")");
      err.flush();
      return Main.EXIT_CONFIG;
    }
    Clock clock = Clock.systemUTC();
    Path partial = output.resolveSibling(output.getFileName() + ".partial");
    long start = System.nanoTime();
    // Read-only: export writes nothing, and RocksDB lets it run beside a serving reprox (it sees
    // what was committed when it opened).
    try (Storage storage = StorageOpener.openReadOnly(effective.data())) {
      if (label != null) {
        // The persisted build record (builds:), as the running server's ?label= reads it.
        if (storage.builds().label(label).isEmpty()) {
          err.println("export: no build label \"" + label + "\" recorded in " + effective.data());
          err.flush();
          return Main.EXIT_CONFIG;
        }
        List<BundleExport.Selection> fromLabel = BundleExport.forBuild(storage.builds().entries(label));
        if (fromLabel.isEmpty()) {
          err.println("export: build label \"" + label + "\" asked for no pinned T");
          err.flush();
          return Main.EXIT_CONFIG;
        }
        wanted.addAll(fromLabel);
      }
      BundleExport.Summary summary;
      try (OutputStream file = Files.newOutputStream(partial)) {
        summary = new BundleExport(storage, Formats.of(effective.repositories(), clock), clock).write(wanted, file);
      }
      Files.move(partial, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      double seconds = (System.nanoTime() - start) / 1e9;
      out.printf("export: %s: %d pins, %d roots, %d files, %d blobs, %d bytes of blobs (%d bytes written) in %.1f s%n",
          output, summary.pins(), summary.roots(), summary.files(), summary.blobs(), summary.blobBytes(),
          Files.size(output), seconds);
      out.flush();
      return 0;
    } catch (BundleException e) {
      deleteQuietly(partial);
      err.println(e.getMessage());
      err.flush();
      return e.kind() == BundleException.Kind.USAGE ? Main.EXIT_CONFIG : 1;
    } catch (IOException | RuntimeException e) {
      deleteQuietly(partial);
      err.println("export: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  /**
   * Adds every distinct (repository, T) the {@code --lockfile}s name to {@code wanted}; the reason
   * when one cannot be read or names a package without its repository or T.
   */
  private Optional<String> fromLockfiles(ReproxConfig effective, List<BundleExport.Selection> wanted) {
    dev.reprox.server.lock.UrlMapper urls =
        new dev.reprox.server.lock.UrlMapper(effective.repositories().values(), "dists/stable/InRelease");
    java.util.Set<BundleExport.Selection> seen = new java.util.LinkedHashSet<>(wanted);
    String[] unplaced = {null};
    for (Path f : lockfiles) {
      try {
        // Streamed: a lockfile of 50,000 entries names a handful of (repository, T) pairs.
        dev.reprox.server.lock.LockfileReaders.stream(f, new dev.reprox.server.lock.LockfileReaders.Defaults(
            Optional.empty(), Optional.empty(), Optional.empty(), urls), e -> {
              if (e.repo() == null || e.at() == null) {
                if (unplaced[0] == null) {
                  unplaced[0] = e.source();
                }
              } else if (seen.add(new BundleExport.Selection(e.repo(), e.at()))) {
                wanted.add(new BundleExport.Selection(e.repo(), e.at()));
              }
            });
        if (unplaced[0] != null) {
          return Optional.of(unplaced[0] + ": names no repository and T (a lockfile without them cannot select pins)");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.of("interrupted while reading " + f);
      } catch (dev.reprox.server.lock.LockfileFormatException e) {
        return Optional.of(e.getMessage());
      } catch (IOException e) {
        return Optional.of("cannot read " + f + ": " + e.getMessage());
      }
    }
    return Optional.empty();
  }

  private int fromServer(PrintWriter out, PrintWriter err, List<BundleExport.Selection> wanted) {
    StringBuilder query = new StringBuilder("/-/api/admin/export?");
    for (BundleExport.Selection s : wanted) {
      query.append("repo=").append(java.net.URLEncoder.encode(s.repo(), java.nio.charset.StandardCharsets.UTF_8))
          .append("&at=").append(s.at().getEpochSecond()).append('&');
    }
    if (label != null) {
      query.append("label=").append(java.net.URLEncoder.encode(label, java.nio.charset.StandardCharsets.UTF_8))
          .append('&');
    }
    Path partial = output.resolveSibling(output.getFileName() + ".partial");
    long start = System.nanoTime();
    try {
      java.net.http.HttpResponse<Path> r = AdminClient.client().send(
          AdminClient.request(server, query.substring(0, query.length() - 1), AdminClient.token(tokenFile)).GET()
              .build(), java.net.http.HttpResponse.BodyHandlers.ofFile(partial));
      if (r.statusCode() != 200) {
        err.println("export: " + server + " answered " + r.statusCode() + ": " + Files.readString(partial).strip());
        err.flush();
        deleteQuietly(partial);
        return r.statusCode() == 400 ? Main.EXIT_CONFIG : 1;
      }
      Files.move(partial, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      out.printf("export: %s: %d bytes from %s in %.1f s%n", output, Files.size(output), server,
          (System.nanoTime() - start) / 1e9);
      out.flush();
      return 0;
    } catch (IOException e) {
      deleteQuietly(partial);
      err.println("export: " + server + ": " + e);
      err.flush();
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      deleteQuietly(partial);
      return 1;
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // best effort: the .partial name says what it is
    }
  }
}
