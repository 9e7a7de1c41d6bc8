package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.config.UpstreamConfig;
import dev.reprox.server.upstream.HostPolicy;
import dev.reprox.server.upstream.UpstreamTooSlowException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Config → HostPolicy, and upstream errors → fetch kinds. */
class PoliteUpstreamsTest {
  private static final URI URL = URI.create("http://snapshot.example/archive/x/InRelease");

  @Test
  void overlay_setFieldsOverrideTheBaseOthersKept() {
    UpstreamConfig u = new UpstreamConfig("http://snapshot.example", OptionalInt.of(1), OptionalDouble.empty(),
        OptionalInt.empty(), OptionalInt.of(0), Optional.empty(), Optional.of(Duration.ofSeconds(5)),
        Optional.empty(), OptionalInt.of(9), Optional.empty());

    HostPolicy p = PoliteUpstreams.overlay(HostPolicy.snapshotServer(), u);

    assertThat(p.concurrency()).isEqualTo(1);
    assertThat(p.maxRetries()).isZero();
    assertThat(p.backoffMax()).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.breakerFailures()).isEqualTo(9);
    assertThat(p.ratePerSecond()).isEqualTo(HostPolicy.snapshotServer().ratePerSecond());
    assertThat(p.breakerCoolDown()).isEqualTo(HostPolicy.snapshotServer().breakerCoolDown());
    assertThat(PoliteUpstreams.overlay(HostPolicy.mirror(), null)).isEqualTo(HostPolicy.mirror());
  }

  @Test
  void overlay_minRate_setOrOffOrKept() {
    UpstreamConfig slow = new UpstreamConfig("http://m.example", OptionalInt.empty(), OptionalDouble.empty(),
        OptionalInt.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        OptionalInt.empty(), Optional.empty(), OptionalLong.of(4096), Optional.of(Duration.ofSeconds(10)));
    UpstreamConfig off = new UpstreamConfig("http://m.example", OptionalInt.empty(), OptionalDouble.empty(),
        OptionalInt.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        OptionalInt.empty(), Optional.empty(), OptionalLong.of(0), Optional.empty());

    HostPolicy p = PoliteUpstreams.overlay(HostPolicy.mirror(), slow);
    assertThat(p.minBytesPerSecond()).isEqualTo(4096);
    assertThat(p.minRateWindow()).isEqualTo(Duration.ofSeconds(10));
    assertThat(PoliteUpstreams.overlay(HostPolicy.mirror(), off).minBytesPerSecond()).isZero();
    assertThat(HostPolicy.mirror().minBytesPerSecond()).as("on by default").isEqualTo(1024);
    assertThat(HostPolicy.snapshotServer().minRateWindow()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void failure_tooSlowBody_is504NamingTheRate() {
    FetchException slow = PoliteUpstreams.failure("fetch root d/InRelease", URL,
        new CompletionException(new UpstreamTooSlowException(URL, "body too slow, 10 B/s")));
    assertThat(slow.kind().status()).isEqualTo(504);
    assertThat(slow.getMessage()).startsWith("fetch root d/InRelease: upstream " + URL).contains("10 B/s");
  }

  @Test
  void overlay_backoffOverDefaultMax_errorNamesTheSetting() {
    UpstreamConfig u = new UpstreamConfig("http://m.example", OptionalInt.empty(), OptionalDouble.empty(),
        OptionalInt.empty(), OptionalInt.empty(), Optional.of(Duration.ofMinutes(5)), Optional.empty(),
        Optional.empty(), OptionalInt.empty(), Optional.empty());
    assertThatThrownBy(() -> PoliteUpstreams.overlay(HostPolicy.mirror(), u))
        .hasMessageStartingWith("upstreams.http://m.example: host policy: backoff");
  }

  @Test
  void failure_timeoutIs504_otherIs502_namingOperationAndUrl() {
    FetchException timeout = PoliteUpstreams.failure("fetch x", URL,
        new CompletionException(new HttpTimeoutException("slow")));
    assertThat(timeout.kind()).isEqualTo(FetchException.Kind.UPSTREAM_TIMEOUT);
    assertThat(timeout.kind().status()).isEqualTo(504);
    FetchException refused = PoliteUpstreams.failure("fetch x", URL, new ConnectException("refused"));
    assertThat(refused.kind().status()).isEqualTo(502);
    assertThat(refused.getMessage()).startsWith("fetch x: upstream " + URL);
  }
}
