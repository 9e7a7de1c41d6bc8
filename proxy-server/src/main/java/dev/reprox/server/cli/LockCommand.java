package dev.reprox.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprox.config.ConfigException;
import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.lock.BuildRecordJson;
import dev.reprox.server.lock.LockNames;
import dev.reprox.server.lock.Lockfile;
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
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reprox lock --label L}: writes reprox's lockfile ({@link Lockfile}) of a labelled build,
 * from the running server's {@code GET /-/api/builds/<label>} or, with {@code --data}, from a
 * stopped store read-only (then {@code --config} names the repositories' upstreams).
 */
@Command(name = "lock", mixinStandardHelpOptions = true,
    description = "Write the lockfile of a labelled build (every package it was served at its T).")
final class LockCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--label", paramLabel = "LABEL",
      description = "the build label (the password of http_proxy=http://<T>:<label>@reprox:3142)")
  String label;

  @Option(names = "--repo", paramLabel = "NAME",
      description = "instead of a label: resolve PACKAGE[=VERSION]s in this repository (apt, dnf or apk) at --at"
          + " (with --data; dnf and apk also with --server, and --config names the repository's format)")
  String repo;

  @Option(names = "--at", paramLabel = "T", description = "with --repo: T (epoch seconds, YYYYMMDD, YYYYMMDDTHHMMSSZ)")
  String at;

  @Option(names = "--root", paramLabel = "PATH",
      description = "with --repo: the root index (default: apt dists/stable/InRelease, dnf repodata/repomd.xml,"
          + " apk the one APKINDEX.tar.gz the store holds)")
  String root;

  @CommandLine.Parameters(paramLabel = "PACKAGE[=VERSION]", arity = "0..*", description = "with --repo: what to lock")
  java.util.List<String> packages = new java.util.ArrayList<>();

  @Option(names = "--server", paramLabel = "URL",
      description = "the running reprox (default http://127.0.0.1:3142 unless --data is given)")
  URI server;

  @Option(names = "--data", paramLabel = "DIR", description = "read a stopped reprox's data directory instead")
  Path data;

  @Option(names = "--config", paramLabel = "FILE", description = "with --data: the configuration reprox serves with")
  Path config;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write here (default: standard output)")
  Path output;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "file holding the server's api.read-token (default: $REPROX_READ_TOKEN, if set)")
  Path tokenFile;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      if (server != null && data != null) {
        err.println("lock: give --server or --data, not both");
        return Main.EXIT_CONFIG;
      }
      if ((label == null) == (repo == null)) {
        err.println("lock: give --label LABEL, or --repo NAME --at T PACKAGE[=VERSION]…");
        return Main.EXIT_CONFIG;
      }
      if (repo != null) {
        return byName(out, err);
      }
      Optional<JsonNode> record = data != null ? fromStore(err) : fromServer(err);
      if (record == null) {
        return Main.EXIT_CONFIG;
      }
      if (record.isEmpty()) {
        err.println("lock: no build record for label \"" + label + "\" (was the build run through reprox in forward"
            + " mode with http_proxy=http://<T>:" + label + "@…, and within builds.retention?)");
        return 1;
      }
      write(out, Lockfile.write(Lockfile.fromRecord(record.get(), w -> err.println("lock: " + w))));
      return 0;
    } catch (IOException e) {
      err.println("lock: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } finally {
      out.flush();
      err.flush();
    }
  }

  /**
   * {@code --repo R --at T NAME[=VERSION]…}: apt, dnf or apk from a stopped store; dnf and apk also
   * through a running reprox ({@code --server}: its mirror routes at T, which fetch what it lacks).
   */
  private int byName(PrintWriter out, PrintWriter err) throws IOException {
    if ((data == null && server == null) || at == null || packages.isEmpty()) {
      err.println("lock --repo: needs --data DIR (a stopped store) or --server URL (dnf, apk), --at T and at least"
          + " one PACKAGE[=VERSION]");
      return Main.EXIT_CONFIG;
    }
    java.time.Instant t;
    try {
      t = dev.reprox.pinning.TimeSpec.parse(at);
    } catch (dev.reprox.pinning.TimeSpecException e) {
      err.println("lock: --at: " + e.getMessage());
      return Main.EXIT_CONFIG;
    }
    ReproxConfig effective;
    try {
      effective = ConfigLoader.load(Optional.ofNullable(config), System.getenv(), ConfigLoader.Overrides.none());
    } catch (ConfigException e) {
      Errors.print(err, e);
      return Main.EXIT_CONFIG;
    }
    var cfg = effective.repositories().get(repo);
    if (cfg == null) {
      err.println("lock --repo: no repository " + repo + " is configured" + (config == null ? " (give --config)" : "")
          + "; configured: " + new java.util.TreeSet<>(effective.repositories().keySet()));
      return Main.EXIT_CONFIG;
    }
    String format = cfg.format().name().toLowerCase(java.util.Locale.ROOT);
    LockNames.Result r;
    if (server != null) {
      String token = tokenFile != null ? Files.readString(tokenFile).strip() : System.getenv("REPROX_READ_TOKEN");
      r = LockNames.resolve(new dev.reprox.server.lock.ServerNames(server, token), cfg.format(), repo, root, t,
          packages);
    } else {
      if (!StorageOpener.holdsStore(data)) {
        err.println("lock: " + data + " is not a reprox data directory (no store in " + StorageOpener.store(data)
            + ")");
        return Main.EXIT_CONFIG;
      }
      try (Storage storage = StorageOpener.openReadOnly(data)) {
        r = LockNames.resolve(storage, cfg.format(), repo, root, t, packages);
      }
    }
    if (r.usage() != null) {
      err.println("lock --repo: " + r.usage());
      return Main.EXIT_CONFIG;
    }
    com.fasterxml.jackson.databind.node.ObjectNode record = new ObjectMapper().createObjectNode();
    record.putObject("repositories").putObject(repo).put("format", format).put("upstream", cfg.upstream().toString());
    var served = record.putArray("served");
    for (var f : r.resolved().found()) {
      var o = served.addObject().put("repository", repo).put("at", t.toString()).put("path", f.path())
          .put("root", r.root()).put("generation", r.resolved().generation()).put("size", f.size())
          .put("package", true);
      if (f.sha256() != null) {
        o.put("sha256", f.sha256());
      }
      if (f.apkQ1() != null) {
        o.put("apkQ1", f.apkQ1());
      }
      if (f.checksumType() != null) {
        o.put("checksumType", f.checksumType());
      }
      if (r.resolved().publishedAt() != null) {
        o.put("publishedAt", r.resolved().publishedAt().toString());
      }
    }
    write(out, Lockfile.write(Lockfile.fromRecord(record, w -> err.println("lock: " + w))));
    r.resolved().problems().forEach(m -> err.println("lock: " + m));
    return r.resolved().problems().isEmpty() ? 0 : 1;
  }

  /** To {@code -o FILE} whole or not at all (a temporary file moved over it), else to standard output. */
  private void write(PrintWriter out, String text) throws IOException {
    if (output == null) {
      out.print(text);
      return;
    }
    Path tmp = output.resolveSibling(output.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, output, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Null after a usage error was printed. */
  private Optional<JsonNode> fromStore(PrintWriter err) throws IOException {
    if (!StorageOpener.holdsStore(data)) {
      err.println("lock: " + data + " is not a reprox data directory (no store in " + StorageOpener.store(data) + ")");
      return null;
    }
    ReproxConfig effective;
    try {
      effective = ConfigLoader.load(Optional.ofNullable(config), System.getenv(), ConfigLoader.Overrides.none());
    } catch (ConfigException e) {
      Errors.print(err, e);
      return null;
    }
    try (Storage storage = StorageOpener.openReadOnly(data)) {
      return BuildRecordJson.render(storage, effective.repositories(), label).map(n -> n);
    }
  }

  /** Null after a configuration error was printed. */
  private Optional<JsonNode> fromServer(PrintWriter err) throws IOException, InterruptedException {
    if (!Errors.environmentValid(err)) {
      return null;
    }
    String base = (server == null ? "http://127.0.0.1:3142" : server.toString()).replaceAll("/$", "");
    URI uri = URI.create(base + "/-/api/builds/" + AdminClient.encode(label));
    String token = tokenFile != null ? Files.readString(tokenFile).strip() : System.getenv("REPROX_READ_TOKEN");
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60));
    if (token != null && !token.isEmpty()) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = LazyTls.onFirstUse(HttpClient.newBuilder()).proxy(HttpClient.Builder.NO_PROXY)
        .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build().send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    if (r.statusCode() != 200) {
      throw new IOException(uri + " answered " + r.statusCode() + ": " + r.body().strip());
    }
    return Optional.of(new ObjectMapper().readTree(r.body()));
  }
}
