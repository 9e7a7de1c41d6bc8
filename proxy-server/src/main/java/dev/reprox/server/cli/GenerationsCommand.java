package dev.reprox.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprox.server.upstream.LazyTls;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code reprox generations <repo> [--root PATH]}: the roots a repository has observed, or the
 * observed generations of one root as a table, read from the running server's API (RocksDB allows
 * one writer, so the store is not opened while serve runs).
 */
@Command(name = "generations", mixinStandardHelpOptions = true,
    description = "List the root indexes a repository has observed, or with --root the generations of one"
        + " (asks the running server).")
final class GenerationsCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "REPO", description = "repository name")
  String repo;

  @Option(names = "--root", paramLabel = "PATH",
      description = "root index path, e.g. dists/stable/InRelease (without it: the observed roots)")
  String root;

  @Option(names = "--server", paramLabel = "URL", defaultValue = "http://127.0.0.1:3142",
      description = "the running reprox (default ${DEFAULT-VALUE})")
  URI server;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "file holding the server's api.read-token (default: $REPROX_READ_TOKEN, if set)")
  java.nio.file.Path tokenFile;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!Errors.environmentValid(err)) {
      return Main.EXIT_CONFIG;
    }
    String base = server.toString().replaceAll("/$", "");
    String api = base + "/-/api/repos/" + URLEncoder.encode(repo, StandardCharsets.UTF_8);
    URI uri = URI.create(root == null ? api + "/roots"
        : api + "/generations?root=" + URLEncoder.encode(root, StandardCharsets.UTF_8));
    String token;
    try {
      token = tokenFile != null ? java.nio.file.Files.readString(tokenFile).strip() : System.getenv("REPROX_READ_TOKEN");
    } catch (IOException e) {
      err.println("generations: cannot read --token-file " + tokenFile + ": " + e.getMessage());
      err.flush();
      return Main.EXIT_CONFIG;
    }
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
      if (token != null && !token.isEmpty()) {
        request.header("Authorization", "Bearer " + token);
      }
      HttpResponse<String> r = LazyTls.onFirstUse(HttpClient.newBuilder())
          .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build()
          .send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        err.println("generations: " + uri + " answered " + r.statusCode() + ": " + r.body().strip());
        err.flush();
        return 1;
      }
      JsonNode list = new ObjectMapper().readTree(r.body());
      if (root == null) {
        printRoots(out, err, list);
      } else {
        printGenerations(out, list);
      }
      out.flush();
      return 0;
    } catch (IOException e) {
      err.println("cannot reach reprox at " + base + ": " + reason(e) + (refused(e) ? " (is it running?)" : ""));
      err.flush();
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  private void printRoots(PrintWriter out, PrintWriter err, JsonNode list) {
    if (list.isEmpty()) {
      err.println("generations: " + repo + " has observed no root index yet (a client's first request records one)");
      err.flush();
      return;
    }
    out.println("ROOT (reprox generations " + repo + " --root ROOT lists its generations)");
    for (JsonNode r : list) {
      out.println(r.asText());
    }
  }

  private static void printGenerations(PrintWriter out, JsonNode list) {
    out.printf("%-22s %-22s %-22s %-15s %-71s %s%n", "PUBLISHED", "FIRST FETCHED", "LAST FETCHED", "SOURCE",
        "DIGEST", "SIGNER");
    for (JsonNode g : list) {
      out.printf("%-22s %-22s %-22s %-15s %-71s %s%n",
          g.path("publishedAt").asText() + (g.path("publishedEstimated").asBoolean() ? "~" : ""),
          g.path("firstFetchedAt").asText(), g.path("lastFetchedAt").asText(), g.path("source").asText(),
          g.path("digest").asText(), g.path("signer").asText());
    }
  }

  /** Connection refused: the JDK client's ConnectException often carries no message at all. */
  private static boolean refused(IOException e) {
    ConnectException c = connectException(e);
    return c != null && (c.getMessage() == null || c.getMessage().toLowerCase(Locale.ROOT).contains("refused"));
  }

  private static String reason(IOException e) {
    if (e instanceof HttpConnectTimeoutException) {
      return "connection timed out";
    }
    if (refused(e)) {
      return "connection refused";
    }
    Throwable t = connectException(e) != null ? connectException(e) : e;
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().toLowerCase(Locale.ROOT);
  }

  private static ConnectException connectException(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException c) {
        return c;
      }
    }
    return null;
  }
}
