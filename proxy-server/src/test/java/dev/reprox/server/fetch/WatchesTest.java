package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.config.WatchConfig;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.memory.MemoryStorage;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watch's schedule by the injected clock: spread first rounds, nothing before it is due, interval plus jitter after. */
class WatchesTest {
  private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
  private static final Duration INTERVAL = Duration.ofMinutes(10);

  @TempDir
  Path tmp;

  private final MutableClock clock = new MutableClock(START);

  @Test
  void tick_manyRepositories_firstRoundsSpreadOver30s_notBeforeDue_thenIntervalPlusAtMostATenth() throws Exception {
    AptRepoBuilder builder = AptRepoBuilder.in(tmp.resolve("repo")).date(START.minusSeconds(3600)).add("foo", "1.0");
    builder.publish();
    Path keyring = builder.writeKeyring(tmp.resolve("fix.gpg"));
    try (StaticServer upstream = StaticServer.serve(builder.root())) {
      List<RepositoryConfig> repos = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        repos.add(new RepositoryConfig("r" + i, RepositoryConfig.Format.APT,
            URI.create(upstream.baseUri().toString().replaceAll("/$", "")), Optional.empty(), new Keyring.File(keyring),
            RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), false)
            .withWatch(new WatchConfig(List.of("dists/stable/InRelease"), false, INTERVAL, false)));
      }
      try (Fetchers f = Fetchers.builder().storage(MemoryStorage.builder().clock(clock).build())
          .storageExecutor(Runnable::run).clock(clock).headerTimeout(Duration.ofSeconds(5)).repositories(repos).build()) {
        Watches w = f.watches();
        HashSet<Instant> firsts = new HashSet<>();
        Instant last = START;
        for (RepositoryConfig r : repos) {
          Instant due = w.nextDue(r.name()).orElseThrow();
          assertThat(due).isBetween(START, START.plusSeconds(30));
          firsts.add(due);
          last = due.isAfter(last) ? due : last;
        }
        assertThat(firsts).as("eight repositories do not fire at one instant").hasSizeGreaterThan(1);

        clock.set(START.minusMillis(1));
        assertThat(w.tick()).isZero();
        assertThat(upstream.requests()).isEmpty();

        clock.set(last);
        assertThat(w.tick()).isEqualTo(8);
        assertThat(upstream.requestsFor("dists/stable/InRelease")).hasSize(8);
        assertThat(w.tick()).as("just ran: not due again").isZero();
        for (RepositoryConfig r : repos) {
          assertThat(w.nextDue(r.name()).orElseThrow()).isBetween(last.plus(INTERVAL),
              last.plus(INTERVAL).plus(INTERVAL.dividedBy(10)));
          assertThat(w.status(r.name(), "dists/stable/InRelease").orElseThrow().lastSuccess()).isEqualTo(last);
        }
      }
    }
  }
}
