package dev.reprox.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.upstream.HeadVerdict.Breaker;
import dev.reprox.server.upstream.HeadVerdict.Next;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeadVerdictTest {
  private static final Instant NOW = Instant.parse("2024-03-01T12:00:00Z");
  private static final URI AT = URI.create("http://mirror.example/debian/dists/stable/InRelease");
  private static final HttpHeaders NONE = HttpHeaders.of(Map.of(), (n, v) -> true);

  private static HttpHeaders headers(String name, String value) {
    return HttpHeaders.of(Map.of(name, List.of(value)), (n, v) -> true);
  }

  @Test
  void of_redirectWithLocation_followsTheResolvedTarget() {
    HeadVerdict v = HeadVerdict.of(302, headers("location", " ../other/InRelease "), AT, false, NOW);

    assertThat(v.next()).isEqualTo(Next.REDIRECT);
    assertThat(v.breaker()).isEqualTo(Breaker.SUCCESS);
    assertThat(v.location()).isEqualTo(URI.create("http://mirror.example/debian/dists/other/InRelease"));
  }

  @Test
  void of_redirectWithoutLocation_isFinal() {
    HeadVerdict v = HeadVerdict.of(302, NONE, AT, false, NOW);

    assertThat(v.next()).isEqualTo(Next.FINAL);
    assertThat(v.outcome()).isEqualTo("redirect");
  }

  @Test
  void of_503_retriesAfterTheAskedWaitOrBacksOff_countingAgainstTheHost() {
    HeadVerdict asked = HeadVerdict.of(503, headers("retry-after", "7"), AT, false, NOW);
    HeadVerdict plain = HeadVerdict.of(503, NONE, AT, false, NOW);

    assertThat(asked.next()).isEqualTo(Next.RETRY_AFTER);
    assertThat(asked.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    assertThat(asked.breaker()).isEqualTo(Breaker.FAILURE);
    assertThat(plain.next()).isEqualTo(Next.RETRY);
    assertThat(plain.reason()).isEqualTo("server_error");
    assertThat(plain.breaker()).isEqualTo(Breaker.FAILURE);
  }

  @Test
  void of_429_retriesWithoutBreakingTheHost() {
    HeadVerdict v = HeadVerdict.of(429, NONE, AT, false, NOW);

    assertThat(v.next()).isEqualTo(Next.RETRY);
    assertThat(v.reason()).isEqualTo("rate_limited");
    assertThat(v.breaker()).isEqualTo(Breaker.ABANDONED);
  }

  @Test
  void of_404_forgetsARememberedRedirect_elseIsFinal() {
    assertThat(HeadVerdict.of(404, NONE, AT, true, NOW).next()).isEqualTo(Next.FORGET);
    HeadVerdict direct = HeadVerdict.of(404, NONE, AT, false, NOW);
    assertThat(direct.next()).isEqualTo(Next.FINAL);
    assertThat(direct.outcome()).isEqualTo("not_found");
  }

  @Test
  void of_304and403_areFinalAnswersOfAHealthyHost() {
    assertThat(HeadVerdict.of(304, NONE, AT, false, NOW).outcome()).isEqualTo("not_modified");
    HeadVerdict refused = HeadVerdict.of(403, NONE, AT, false, NOW);
    assertThat(refused.next()).isEqualTo(Next.FINAL);
    assertThat(refused.outcome()).isEqualTo("client_error");
    assertThat(refused.breaker()).isEqualTo(Breaker.SUCCESS);
  }
}
