package dev.reprox.server.lock;

import dev.reprox.server.upstream.LazyTls;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * {@link NameSource} over a running reprox: the root and the listings at T through its mirror
 * routes ({@code /<repo>/@<T>/<path>}), which resolve and pin T, verify what they serve against the
 * signed root and fetch what the store lacks, exactly as for a client. The generation and its
 * publication time come from the answer's {@code X-Reprox-Generation} and
 * {@code X-Reprox-Published}. Whether a body is stored is not asked, so an apk package is locked by
 * its Q1 and an rpm named by another hash than SHA-256 is not locked.
 */
public final class ServerNames implements NameSource {
  private final String base;
  private final String token;
  private final HttpClient http = LazyTls.onFirstUse(HttpClient.newBuilder())
      .proxy(HttpClient.Builder.NO_PROXY).version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
      .build();

  /** {@code token}: the read token, or null. */
  public ServerNames(URI server, String token) {
    this.base = server.toString().replaceAll("/$", "");
    this.token = token;
  }

  @Override
  public Root root(String repo, String root, Instant at) throws IOException {
    HttpResponse<InputStream> r = get(repo, at, root);
    byte[] bytes;
    try (InputStream in = r.body()) {
      bytes = in.readAllBytes();
    }
    if (r.statusCode() != 200) {
      throw new IOException("no generation of " + repo + "/" + root + " at " + at + " from " + base + ": it answered "
          + r.statusCode() + ": " + abbreviate(new String(bytes, java.nio.charset.StandardCharsets.UTF_8).strip()));
    }
    Digest computed = Digest.compute(bytes);
    Optional<String> header = r.headers().firstValue("X-Reprox-Generation");
    if (header.isPresent() && !header.get().endsWith(computed.hex())) {
      throw new IOException(base + " served " + repo + "/" + root + " at " + at + " as generation " + header.get()
          + " but its bytes are " + computed);
    }
    Instant published = r.headers().firstValue("X-Reprox-Published").map(ServerNames::instant).orElse(null);
    return new Root(computed, published, bytes);
  }

  @Override
  public InputStream listing(String repo, Instant at, String path, Digest sha256) throws IOException {
    HttpResponse<InputStream> r = get(repo, at, path);
    if (r.statusCode() != 200) {
      r.body().close();
      throw new IOException("the listing " + repo + "/" + path + " at " + at + ": " + base + " answered "
          + r.statusCode());
    }
    return r.body();
  }

  @Override
  public String sha256Of(Alias alias) {
    return null;
  }

  private HttpResponse<InputStream> get(String repo, Instant at, String path) throws IOException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/" + repo + "/@" + at.getEpochSecond() + "/"
        + path)).timeout(Duration.ofMinutes(10));
    if (token != null && !token.isEmpty()) {
      b.header("Authorization", "Bearer " + token);
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted asking " + base, e);
    }
  }

  private static Instant instant(String s) {
    try {
      return Instant.parse(s);
    } catch (RuntimeException e) {
      try {
        return java.time.ZonedDateTime.parse(s, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      } catch (RuntimeException e2) {
        return null;
      }
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 197) + "..." : s;
  }
}
