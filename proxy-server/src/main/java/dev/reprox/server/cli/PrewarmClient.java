package dev.reprox.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprox.server.lock.LockEntry;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code reprox prewarm}'s side of {@code POST /-/api/admin/prewarm/<repo>}: one lockfile entry
 * per request, its outcome read from the JSON answer. Holds nothing per entry once answered.
 */
final class PrewarmClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final URI base;
  private final String token;
  private final Map<String, String> defaultRoots;

  /** @param defaultRoots per repository, the root an entry without one is looked up under */
  PrewarmClient(URI base, String token, Map<String, String> defaultRoots) {
    this.base = base;
    this.token = token;
    this.defaultRoots = defaultRoots;
  }

  record Answer(PrewarmSummary.Row row, String message) {}

  /** One entry through {@code POST /-/api/admin/prewarm/<repo>}; a transport failure is an answer too. */
  CompletableFuture<Answer> send(LockEntry e) {
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
    return http.sendAsync(rb.build(), HttpResponse.BodyHandlers.ofString()).handle((r, x) -> {
      if (x != null) {
        return new Answer(PrewarmSummary.Row.UPSTREAM_FAILURE, "cannot reach reprox at " + base + ": "
            + x.getMessage());
      }
      if (r.statusCode() != 200) {
        return new Answer(r.statusCode() == 404 ? PrewarmSummary.Row.NOT_FOUND : PrewarmSummary.Row.UPSTREAM_FAILURE,
            "reprox answered " + r.statusCode() + ": " + r.body().strip());
      }
      JsonNode o;
      try {
        o = JSON.readTree(r.body());
      } catch (IOException ex) {
        o = JSON.createObjectNode();
      }
      return new Answer(PrewarmSummary.parse(o.path("outcome").asText()), o.path("message").asText(""));
    });
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
