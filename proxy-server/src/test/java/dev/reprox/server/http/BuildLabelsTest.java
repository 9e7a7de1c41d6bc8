package dev.reprox.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprox.storage.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The in-memory record of build labels behind {@code /-/api/builds}. */
class BuildLabelsTest {
  private static final Instant START = Instant.parse("2026-11-22T02:00:00Z");
  private static final Instant T = Instant.parse("2024-03-01T00:00:00Z");

  private final MutableClock clock = new MutableClock(START);

  @Test
  void record_twice_firstAndLastSeenCountAndRepositories() {
    BuildLabels labels = new BuildLabels(clock, 10);
    labels.record("ci-42", Optional.of(T), "debian");
    clock.advance(Duration.ofSeconds(30));
    labels.record("ci-42", Optional.of(T), "debian-security");
    labels.record("ci-42", Optional.of(T), "debian");

    BuildLabels.Build b = labels.get("ci-42").orElseThrow();
    assertThat(b.firstSeen()).isEqualTo(START);
    assertThat(b.lastSeen()).isEqualTo(START.plusSeconds(30));
    assertThat(b.at()).isEqualTo("2024-03-01T00:00:00Z");
    assertThat(b.atSeen()).containsExactly("2024-03-01T00:00:00Z");
    assertThat(b.requests()).isEqualTo(3);
    assertThat(b.repositories()).containsExactly("debian", "debian-security");
  }

  @Test
  void record_live_atIsLive_andEveryTIsKept() {
    BuildLabels labels = new BuildLabels(clock, 10);
    labels.record("mixed", Optional.empty(), "debian");
    labels.record("mixed", Optional.of(T), "debian");
    BuildLabels.Build b = labels.get("mixed").orElseThrow();
    assertThat(b.at()).as("the latest").isEqualTo("2024-03-01T00:00:00Z");
    assertThat(b.atSeen()).containsExactly("2024-03-01T00:00:00Z", "live");
  }

  @Test
  void record_manyLabels_boundedAndTheNewestKept() {
    BuildLabels labels = new BuildLabels(clock, 5);
    for (int i = 0; i < 50; i++) {
      clock.advance(Duration.ofSeconds(1));
      labels.record("build-" + i, Optional.of(T), "debian");
    }
    assertThat(labels.size()).isLessThanOrEqualTo(5);
    assertThat(labels.get("build-49")).isPresent();
  }

  @Test
  void json_newestFirstWithEveryField() throws Exception {
    BuildLabels labels = new BuildLabels(clock, 10);
    labels.record("old", Optional.empty(), "alpine");
    clock.advance(Duration.ofMinutes(1));
    labels.record("new", Optional.of(T), "debian");

    JsonNode root = new ObjectMapper().readTree(labels.json());
    assertThat(root.get("capacity").asInt()).isEqualTo(10);
    assertThat(root.get("builds").findValuesAsText("label")).containsExactly("new", "old");
    JsonNode first = root.get("builds").get(0);
    assertThat(first.get("firstSeen").asText()).isEqualTo("2026-11-22T02:01:00Z");
    assertThat(first.get("lastSeen").asText()).isEqualTo("2026-11-22T02:01:00Z");
    assertThat(first.get("at").asText()).isEqualTo("2024-03-01T00:00:00Z");
    assertThat(first.get("requests").asLong()).isEqualTo(1);
    assertThat(first.get("repositories").toString()).isEqualTo("[\"debian\"]");
    assertThat(root.get("builds").get(1).get("at").asText()).isEqualTo("live");
  }

  @Test
  void pinned_keepsWorstStatusAndRootsNotProven() throws Exception {
    BuildLabels labels = new BuildLabels(clock, 10);
    labels.record("ci-7", Optional.of(T), "debian");
    labels.pinned("ci-7", "proven", Optional.of("debian/dists/bookworm/InRelease"));
    labels.pinned("ci-7", "first-use", Optional.of("debian-security/dists/bookworm-security/InRelease"));
    labels.pinned("ci-7", "unproven", Optional.of("debian/dists/bookworm-updates/InRelease"));
    labels.pinned("ci-7", "proven", Optional.of("debian/dists/bookworm/InRelease"));

    BuildLabels.Build b = labels.get("ci-7").orElseThrow();
    assertThat(b.worstPin()).isEqualTo("first-use");
    assertThat(b.notProven()).containsExactly("debian-security/dists/bookworm-security/InRelease",
        "debian/dists/bookworm-updates/InRelease");
    JsonNode json = new ObjectMapper().readTree(labels.json()).get("builds").get(0);
    assertThat(json.get("worstPin").asText()).isEqualTo("first-use");
    assertThat(json.get("notProven")).hasSize(2);
  }

  @Test
  void pinned_onlyProven_noRootsListed() {
    BuildLabels labels = new BuildLabels(clock, 10);
    labels.record("ok", Optional.of(T), "debian");
    labels.pinned("ok", "proven", Optional.of("debian/dists/bookworm/InRelease"));

    BuildLabels.Build b = labels.get("ok").orElseThrow();
    assertThat(b.worstPin()).isEqualTo("proven");
    assertThat(b.notProven()).isEmpty();
  }
}
