package dev.reprox.server.cli;

import dev.reprox.server.upstream.LazyTls;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The running server's admin routes for export and import ({@code --server}), with the admin token. */
final class AdminClient {
  private AdminClient() {}

  /** The admin token from {@code tokenFile}, else {@code $REPROX_ADMIN_TOKEN}; null when neither. */
  static String token(Path tokenFile) throws IOException {
    return tokenFile != null ? Files.readString(tokenFile).strip() : System.getenv("REPROX_ADMIN_TOKEN");
  }

  static HttpRequest.Builder request(URI server, String pathAndQuery, String token) {
    String base = server.toString().replaceAll("/$", "");
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery));
    if (token != null && !token.isEmpty()) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  /** {@code s} as one path segment or query value (a space is {@code %20}, not {@code +}). */
  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static HttpClient client() {
    return LazyTls.onFirstUse(HttpClient.newBuilder()).version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
  }
}
