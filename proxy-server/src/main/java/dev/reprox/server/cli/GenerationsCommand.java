package dev.reprox.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code reprox generations <repo>}: the observed generations of a root as a table, read from the
 * running server's API (RocksDB allows one writer, so the store is not opened while serve runs).
 */
@Command(name = "generations", mixinStandardHelpOptions = true,
    description = "List the observed generations of a repository's root index (asks the running server).")
final class GenerationsCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "REPO", description = "repository name")
  String repo;

  @Option(names = "--root", paramLabel = "PATH", defaultValue = "dists/stable/InRelease",
      description = "root index path (default ${DEFAULT-VALUE})")
  String root;

  @Option(names = "--server", paramLabel = "URL", defaultValue = "http://127.0.0.1:3142",
      description = "the running reprox (default ${DEFAULT-VALUE})")
  URI server;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    URI uri = URI.create(server.toString().replaceAll("/$", "") + "/-/api/repos/"
        + URLEncoder.encode(repo, StandardCharsets.UTF_8) + "/generations?root="
        + URLEncoder.encode(root, StandardCharsets.UTF_8));
    try {
      HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
          .send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        err.println("generations: " + uri + " answered " + r.statusCode() + ": " + r.body().strip());
        err.flush();
        return 1;
      }
      JsonNode list = new ObjectMapper().readTree(r.body());
      out.printf("%-22s %-22s %-22s %-15s %-71s %s%n", "PUBLISHED", "FIRST FETCHED", "LAST FETCHED", "SOURCE",
          "DIGEST", "SIGNER");
      for (JsonNode g : list) {
        out.printf("%-22s %-22s %-22s %-15s %-71s %s%n",
            g.path("publishedAt").asText() + (g.path("publishedEstimated").asBoolean() ? "~" : ""),
            g.path("firstFetchedAt").asText(), g.path("lastFetchedAt").asText(), g.path("source").asText(),
            g.path("digest").asText(), g.path("signer").asText());
      }
      out.flush();
      return 0;
    } catch (IOException e) {
      err.println("generations: " + uri + ": " + e.getMessage());
      err.flush();
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }
}
