package dev.reprox.server.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.MutableClock;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import dev.reprox.server.testing.InProcessReprox;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What apt and apk send on a second update: If-Modified-Since with the root's Last-Modified. The
 * answer is 304 when RFC 9110 §13.2.2 allows it, dates are IMF-fixdate, the cold fetch of a root is
 * a miss, and every response carries nosniff.
 */
class ConditionalRootIT {
  private static final Instant T1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final String LAST_MODIFIED = "Fri, 01 Mar 2024 00:00:00 GMT";
  private static final String IMF_FIXDATE = "(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug"
      + "|Sep|Oct|Nov|Dec) \\d{4} \\d\\d:\\d\\d:\\d\\d GMT";

  @TempDir
  Path tmp;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void liveRoot_coldMissThenHit_ifModifiedSinceAnswers304() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).acquireByHash(true).add("foo", "1.0");
    repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    MutableClock clock = new MutableClock(Instant.now());
    try (StaticServer upstream = StaticServer.serve(repo.root());
        InProcessReprox reprox = new InProcessReprox(tmp.resolve("reprox"), AptReplayIT.yaml(upstream.baseUri(),
            keyring), clock, false)) {
      String root = "fix/dists/stable/InRelease";

      HttpResponse<byte[]> cold = get(reprox, root);
      assertThat(cold.statusCode()).isEqualTo(200);
      assertThat(cold.headers().firstValue("X-Reprox-Cache")).hasValue("MISS");
      assertThat(cold.headers().firstValue("Last-Modified")).hasValue(LAST_MODIFIED);
      assertThat(cold.headers().firstValue("Date")).hasValueSatisfying(d -> assertThat(d).matches(IMF_FIXDATE));
      assertThat(cold.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
      String counted = "reprox_requests_seconds_count{kind=\"root\",outcome=\"miss\",repository=\"fix\",status=\"2xx\"} 1";
      assertThat(reprox.metricsShowing(counted)).contains(counted);

      HttpResponse<byte[]> warm = get(reprox, root);
      assertThat(warm.headers().firstValue("X-Reprox-Cache")).hasValue("HIT");

      // Not modified since its own date, nor since a later one: 304, with nosniff too.
      HttpResponse<byte[]> same = get(reprox, root, "If-Modified-Since", LAST_MODIFIED);
      assertThat(same.statusCode()).isEqualTo(304);
      assertThat(same.body()).isEmpty();
      assertThat(same.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
      assertThat(get(reprox, root, "If-Modified-Since", "Sat, 02 Mar 2024 00:00:00 GMT").statusCode()).isEqualTo(304);
      // The obsolete forms are dates too (RFC 9110 §5.6.7).
      assertThat(get(reprox, root, "If-Modified-Since", "Friday, 01-Mar-24 00:00:00 GMT").statusCode()).isEqualTo(304);
      // Modified since an earlier date; an invalid date is ignored; If-None-Match wins over it.
      assertThat(get(reprox, root, "If-Modified-Since", "Thu, 29 Feb 2024 23:59:59 GMT").statusCode()).isEqualTo(200);
      assertThat(get(reprox, root, "If-Modified-Since", "yesterday").statusCode()).isEqualTo(200);
      assertThat(get(reprox, root, "If-Modified-Since", LAST_MODIFIED, "If-None-Match", "\"other\"").statusCode())
          .isEqualTo(200);

      // A detached signature has no Last-Modified: If-Modified-Since cannot apply.
      HttpResponse<byte[]> pkg = get(reprox, "fix/dists/stable/Release.gpg", "If-Modified-Since",
          "Sat, 01 Jan 2100 00:00:00 GMT");
      assertThat(pkg.statusCode()).isEqualTo(200);
      assertThat(pkg.headers().firstValue("Last-Modified")).isEmpty();
      assertThat(pkg.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");

      // Errors, admin pages, the API and metrics carry nosniff too.
      for (String path : new String[] {"nope/x", "fix/%2e%2e/x", "healthz", "metrics", "-/",
          "-/api/repos/fix/generations?root=dists/stable/InRelease"}) {
        HttpResponse<byte[]> r = get(reprox, path);
        assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
        assertThat(r.headers().firstValue("Date")).as(path).isPresent();
      }
    }
  }

  private HttpResponse<byte[]> get(InProcessReprox reprox, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(reprox.base().resolve(path)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }
}
