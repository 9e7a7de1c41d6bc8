package dev.reprox.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprox.config.ApiConfig;
import dev.reprox.config.ConfigException;
import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.pinning.TimeSpec;
import dev.reprox.pinning.TimeSpecException;
import dev.reprox.server.ReproxServer;
import dev.reprox.server.lock.LockEntry;
import dev.reprox.server.lock.LockfileFormatException;
import dev.reprox.server.lock.LockfileReaders;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code reprox prewarm FILE…}: every package the lockfiles name made present in reprox before a
 * build, through the admin route {@code POST /-/api/admin/prewarm/<repo>} (one request per
 * package, at most {@code --jobs} at once), against a running server ({@code --server} and the
 * admin token) or a stopped store ({@code --data}: the serving stack is started in this process on
 * loopback with a one-time token). Progress: a bar on a terminal, plain lines otherwise; a summary
 * table at the end; exit 1 if anything is missing afterwards, 2 for usage and lockfile errors.
 */
@Command(name = "prewarm", mixinStandardHelpOptions = true,
    description = "Fill reprox with every package the lockfiles name (reprox lockfile, SHA256SUMS, Debian .buildinfo,"
        + " apko.lock.json, rpms.lock.yaml, repro-env.lock).")
final class PrewarmCommand implements Callable<Integer> {
  /** The summary's rows, in order; the server's outcomes by their lower-case names. */
  enum Row { STORED, PRESENT, NOT_FOUND, MISMATCH, UPSTREAM_FAILURE, NOT_SUPPORTED }

  private static final Map<Row, String> TITLES = Map.of(Row.STORED, "stored", Row.PRESENT, "already present",
      Row.NOT_FOUND, "not found at T", Row.MISMATCH, "hash mismatch", Row.UPSTREAM_FAILURE, "upstream failure",
      Row.NOT_SUPPORTED, "not supported");

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

  @Option(names = "--jobs", paramLabel = "N", defaultValue = "4", description = "packages at once (default 4)")
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
    ReproxConfig effective;
    try {
      effective = ConfigLoader.load(Optional.ofNullable(config), System.getenv(), new ConfigLoader.Overrides(
          Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.ofNullable(data), Optional.empty()));
    } catch (ConfigException e) {
      Errors.print(err, e);
      return Main.EXIT_CONFIG;
    }
    dev.reprox.server.lock.UrlMapper urls = new dev.reprox.server.lock.UrlMapper(effective.repositories().values(),
        root != null ? root : "dists/stable/InRelease");
    List<LockEntry> entries = new ArrayList<>();
    // Packages of systems reprox does not serve (repro-env's Arch Linux): a line each, counted, skipped.
    List<String> unsupported = new ArrayList<>();
    for (Path f : files) {
      try {
        entries.addAll(LockfileReaders.read(f, new LockfileReaders.Defaults(Optional.ofNullable(repo),
            Optional.ofNullable(root), t, urls, unsupported::add)));
      } catch (LockfileFormatException e) {
        err.println("prewarm: " + e.getMessage());
        return Main.EXIT_CONFIG;
      } catch (IOException e) {
        err.println("prewarm: cannot read " + f + ": " + e.getMessage());
        return Main.EXIT_CONFIG;
      }
    }
    if (data == null) {
      String token = tokenFile != null ? Files.readString(tokenFile).strip() : System.getenv("REPROX_ADMIN_TOKEN");
      return prewarm(out, err, entries, unsupported, server == null ? URI.create("http://127.0.0.1:3142") : server,
          token, Map.of());
    }
    // A token only this process knows: the admin route stays behind its guard even on loopback.
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    String token = HexFormat.of().formatHex(secret);
    ReproxConfig cfg = effective.withApi(new ApiConfig(Optional.of(new ApiConfig.Token(token, Optional.empty())),
        Optional.empty()));
    Clock clock = Clock.systemUTC();
    try (ReproxServer s = ReproxServer.builder().config(cfg).storage(StorageOpener.open(data, clock)).clock(clock)
        .drainTimeout(Duration.ofSeconds(5)).start()) {
      Map<String, String> roots = new java.util.HashMap<>();
      cfg.repositories().values().forEach(r -> roots.put(r.name(), defaultRoot(r.format())));
      return prewarm(out, err, entries, unsupported, URI.create("http://127.0.0.1:" + s.address().getPort()), token,
          roots);
    }
  }

  static String defaultRoot(dev.reprox.config.RepositoryConfig.Format format) {
    return switch (format) {
      case APT -> "dists/stable/InRelease";
      case DNF -> "repodata/repomd.xml";
      case APK -> "x86_64/APKINDEX.tar.gz";
    };
  }

  private int prewarm(PrintWriter out, PrintWriter err, List<LockEntry> entries, List<String> unsupported, URI base,
      String token, Map<String, String> defaultRoots) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
        .connectTimeout(Duration.ofSeconds(10)).build();
    Map<Row, AtomicLong> counts = new EnumMap<>(Row.class);
    for (Row r : Row.values()) {
      counts.put(r, new AtomicLong());
    }
    Progress progress = new Progress(out, entries.size(), System.console() != null);
    Semaphore slots = new Semaphore(jobs);
    List<CompletableFuture<Void>> all = new ArrayList<>();
    List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
    counts.get(Row.NOT_SUPPORTED).addAndGet(unsupported.size());
    unsupported.forEach(u -> problems.add(u + ": skipped"));
    for (LockEntry e : entries) {
      slots.acquire();
      String rootPath = e.root() != null ? e.root() : defaultRoots.getOrDefault(e.repo(), "dists/stable/InRelease");
      StringBuilder q = new StringBuilder(base.toString().replaceAll("/$", "")).append("/-/api/admin/prewarm/")
          .append(enc(e.repo())).append("?root=").append(enc(rootPath)).append("&at=").append(e.at().getEpochSecond());
      if (e.named() != null) {
        q.append("&name=").append(enc(e.named().name())).append("&version=").append(enc(e.named().version()))
            .append("&arch=").append(enc(e.named().arch()));
      } else {
        q.append("&path=").append(enc(e.path()));
      }
      if (e.generation() != null) {
        q.append("&generation=").append(enc(e.generation()));
      }
      if (e.sha256() != null) {
        q.append("&sha256=").append(e.sha256());
      }
      if (e.q1() != null) {
        q.append("&q1=").append(enc(e.q1()));
      }
      if (e.size() >= 0) {
        q.append("&size=").append(e.size());
      }
      HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(q.toString())).timeout(Duration.ofMinutes(30))
          .POST(HttpRequest.BodyPublishers.noBody());
      if (token != null && !token.isEmpty()) {
        rb.header("Authorization", "Bearer " + token);
      }
      all.add(http.sendAsync(rb.build(), HttpResponse.BodyHandlers.ofString()).handle((r, x) -> {
        Row row;
        String message;
        if (x != null) {
          row = Row.UPSTREAM_FAILURE;
          message = "cannot reach reprox at " + base + ": " + x.getMessage();
        } else if (r.statusCode() != 200) {
          row = r.statusCode() == 404 ? Row.NOT_FOUND : Row.UPSTREAM_FAILURE;
          message = "reprox answered " + r.statusCode() + ": " + r.body().strip();
        } else {
          JsonNode o;
          try {
            o = new ObjectMapper().readTree(r.body());
          } catch (IOException ex) {
            o = new ObjectMapper().createObjectNode();
          }
          row = parse(o.path("outcome").asText());
          message = o.path("message").asText("");
        }
        counts.get(row).incrementAndGet();
        if (row != Row.STORED && row != Row.PRESENT) {
          problems.add(e.source() + ": " + e.repo() + "/" + e.what() + ": " + TITLES.get(row) + ": " + message);
        }
        progress.done(e, row, Math.max(0, e.size()));
        slots.release();
        return null;
      }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    progress.end();
    problems.stream().sorted().forEach(err::println);
    out.println();
    out.printf("%-18s %8s%n", "RESULT", "PACKAGES");
    for (Row r : Row.values()) {
      out.printf("%-18s %8d%n", TITLES.get(r), counts.get(r).get());
    }
    out.printf("%-18s %8d%n", "total", entries.size() + unsupported.size());
    long missing = counts.get(Row.NOT_FOUND).get() + counts.get(Row.MISMATCH).get()
        + counts.get(Row.UPSTREAM_FAILURE).get() + counts.get(Row.NOT_SUPPORTED).get();
    return missing == 0 ? 0 : 1;
  }

  private static Row parse(String outcome) {
    for (Row r : Row.values()) {
      if (r.name().toLowerCase(Locale.ROOT).equals(outcome)) {
        return r;
      }
    }
    return Row.UPSTREAM_FAILURE;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** A bar redrawn in place on a terminal; one line per package otherwise. */
  static final class Progress {
    private final PrintWriter out;
    private final long total;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long done;
    private long bytes;

    Progress(PrintWriter out, long total, boolean terminal) {
      this.out = out;
      this.total = total;
      this.terminal = terminal;
    }

    synchronized void done(LockEntry e, Row row, long size) {
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
}
