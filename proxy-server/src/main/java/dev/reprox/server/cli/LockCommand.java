package dev.reprox.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprox.config.ConfigException;
import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.lock.BuildRecordJson;
import dev.reprox.server.lock.Lockfile;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

  @Option(names = "--label", paramLabel = "LABEL", required = true,
      description = "the build label (the password of http_proxy=http://<T>:<label>@reprox:3142)")
  String label;

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
      Optional<JsonNode> record = data != null ? fromStore(err) : fromServer(err);
      if (record == null) {
        return Main.EXIT_CONFIG;
      }
      if (record.isEmpty()) {
        err.println("lock: no build record for label \"" + label + "\" (was the build run through reprox in forward"
            + " mode with http_proxy=http://<T>:" + label + "@…, and within builds.retention?)");
        return 1;
      }
      String text = Lockfile.write(Lockfile.fromRecord(record.get(), w -> err.println("lock: " + w)));
      if (output != null) {
        Path tmp = output.resolveSibling(output.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, output, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } else {
        out.print(text);
      }
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

  private Optional<JsonNode> fromServer(PrintWriter err) throws IOException, InterruptedException {
    String base = (server == null ? "http://127.0.0.1:3142" : server.toString()).replaceAll("/$", "");
    URI uri = URI.create(base + "/-/api/builds/" + URLEncoder.encode(label, StandardCharsets.UTF_8).replace("+", "%20"));
    String token = tokenFile != null ? Files.readString(tokenFile).strip() : System.getenv("REPROX_READ_TOKEN");
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60));
    if (token != null && !token.isEmpty()) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
        .connectTimeout(Duration.ofSeconds(5)).build().send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    if (r.statusCode() != 200) {
      throw new IOException(uri + " answered " + r.statusCode() + ": " + r.body().strip());
    }
    return Optional.of(new ObjectMapper().readTree(r.body()));
  }
}
