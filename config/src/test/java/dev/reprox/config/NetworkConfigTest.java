package dev.reprox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.config.ConfigLoader.Overrides;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tunnel-allow:} and {@code upstreams:}. */
class NetworkConfigTest {
  @TempDir Path dir;

  @Test
  void load_tunnelAllowAndUpstreams_parsedAndRoundTrip() throws Exception {
    ReproxConfig config = load("""
        tunnel-allow: [ "Proxy.Example:443", "gitlab.example:8443" ]
        upstreams:
          "http://snapshot.debian.org":
            concurrency: 1
            rate: 2.5
            burst: 4
            retries: 3
            backoff: 250ms
            backoff-max: 10s
            max-retry-after: 2m
            breaker-failures: 7
            breaker-cool-down: 45s
            min-rate: 2KiB/s
            min-rate-window: 20s
          "https://DL-CDN.example:8443/":
            concurrency: 16
        """);

    assertThat(config.tunnelAllow()).containsExactly("proxy.example:443", "gitlab.example:8443");
    UpstreamConfig snap = config.upstreams().get("http://snapshot.debian.org");
    assertThat(snap.concurrency()).hasValue(1);
    assertThat(snap.rate()).hasValue(2.5);
    assertThat(snap.backoff()).hasValue(Duration.ofMillis(250));
    assertThat(snap.maxRetryAfter()).hasValue(Duration.ofMinutes(2));
    assertThat(snap.breakerCoolDown()).hasValue(Duration.ofSeconds(45));
    assertThat(snap.minRate()).hasValue(2048);
    assertThat(snap.minRateWindow()).hasValue(Duration.ofSeconds(20));
    UpstreamConfig cdn = config.upstreams().get("https://dl-cdn.example:8443");
    assertThat(cdn.concurrency()).hasValue(16);
    assertThat(cdn.rate()).isEmpty();
    assertThat(cdn.minRate()).isEmpty();

    Path out = dir.resolve("effective.yaml");
    Files.writeString(out, ConfigPrinter.toYaml(config));
    assertThat(ConfigLoader.load(Optional.of(out), Map.of(), Overrides.none())).isEqualTo(config);
  }

  @Test
  void load_defaults_noTunnelsNoOverrides() throws Exception {
    ReproxConfig config = ConfigLoader.builtin();
    assertThat(config.tunnelAllow()).isEmpty();
    assertThat(config.upstreams()).isEmpty();
  }

  @Test
  void load_tunnelAllowFromEnv_commaSeparated() throws Exception {
    ReproxConfig config = ConfigLoader.load(Optional.empty(), Map.of("REPROX_TUNNEL_ALLOW", "a.example:443, b:22"),
        Overrides.none());
    assertThat(config.tunnelAllow()).containsExactly("a.example:443", "b:22");
  }

  @Test
  void load_badValues_everyErrorNamesItsPath() throws Exception {
    assertThatThrownBy(() -> load("""
        tunnel-allow: [ "no-port", "h:70000" ]
        upstreams:
          "http://snap.example/archive":
            concurrency: 1
          "http://ok.example":
            concurrency: 0
            rate: fast
            backoff: 2s
            backoff-max: 1s
            colour: red
          "http://slow.example":
            min-rate: 1KiB
            min-rate-window: 500ms
          "http://slower.example":
            min-rate: -5B/s
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tunnel-allow[0]: not HOST:PORT")
        .hasMessageContaining("tunnel-allow[1]: not HOST:PORT")
        .hasMessageContaining("upstreams.http://snap.example/archive: the key must be an http(s) origin without a path")
        .hasMessageContaining("upstreams.http://ok.example.concurrency: must be a whole number of at least 1")
        .hasMessageContaining("upstreams.http://ok.example.rate: must be a positive number")
        .hasMessageContaining("upstreams.http://ok.example.backoff-max: must not be shorter than backoff")
        .hasMessageContaining("upstreams.http://ok.example.colour: unknown key")
        .hasMessageContaining("upstreams.http://slow.example.min-rate: not a byte rate like 512B/s")
        .hasMessageContaining("upstreams.http://slow.example.min-rate-window: must be at least 1s")
        .hasMessageContaining("upstreams.http://slower.example.min-rate: not a byte rate");
  }

  @Test
  void load_minRateOffAndDecimalUnits_parsedAndRoundTrip() throws Exception {
    ReproxConfig config = load("""
        upstreams:
          "http://a.example": { min-rate: off }
          "http://b.example": { min-rate: 10kB/s, min-rate-window: 1m }
          "http://c.example": { min-rate: 1000 B/s }
        """);
    assertThat(config.upstreams().get("http://a.example").minRate()).hasValue(0);
    assertThat(config.upstreams().get("http://b.example").minRate()).hasValue(10_000);
    assertThat(config.upstreams().get("http://b.example").minRateWindow()).hasValue(Duration.ofMinutes(1));
    assertThat(config.upstreams().get("http://c.example").minRate()).hasValue(1000);

    Path out = dir.resolve("effective.yaml");
    Files.writeString(out, ConfigPrinter.toYaml(config));
    assertThat(Files.readString(out)).contains("min-rate: \"off\"").contains("min-rate: 10000B/s");
    assertThat(ConfigLoader.load(Optional.of(out), Map.of(), Overrides.none())).isEqualTo(config);
  }

  private ReproxConfig load(String yaml) throws Exception {
    Path file = dir.resolve("in.yaml");
    Files.writeString(file, yaml);
    return ConfigLoader.load(Optional.of(file), Map.of(), Overrides.none());
  }
}
