package dev.reprox.server.fetch;

import static dev.reprox.server.LogSafe.escape;

import dev.reprox.server.fetch.Watches.Outage;
import dev.reprox.server.fetch.Watches.RootStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How each watched root fared since startup ({@link Watches} runs the rounds): last success and
 * attempt, the outages (the last {@value #OUTAGES_KEPT}, in memory), the
 * {@code reprox.watch.checks} counter, and one WARN line when a root starts failing and one INFO
 * line when it recovers instead of one per round. Read by the API's coverage from any thread.
 */
final class WatchHealth {
  // Under the watch's logger: its lines are one stream for an operator, whichever class writes them.
  private static final Logger log = LoggerFactory.getLogger(Watches.class);
  static final int OUTAGES_KEPT = 64;

  /** One root's record; its fields are guarded by itself. */
  static final class Tracked {
    final String repo;
    final String root;
    Instant lastSuccess;
    Instant lastAttempt;
    Outage current;
    final Deque<Outage> past = new ArrayDeque<>();

    Tracked(String repo, String root) {
      this.repo = repo;
      this.root = root;
    }

    synchronized RootStatus status() {
      List<Outage> all = new ArrayList<>(past);
      if (current != null) {
        all.add(current);
      }
      return new RootStatus(lastSuccess, lastAttempt, List.copyOf(all));
    }
  }

  private final ConcurrentMap<String, Tracked> roots = new ConcurrentHashMap<>();
  private final Clock clock;
  private final MeterRegistry registry;

  WatchHealth(Clock clock, MeterRegistry registry) {
    this.clock = clock;
    this.registry = registry;
  }

  /** The record of {@code repo}'s {@code root}, created when its first round starts. */
  Tracked track(String repo, String root) {
    return roots.computeIfAbsent(repo + '/' + root, k -> new Tracked(repo, root));
  }

  /** What the watch saw of {@code repo}'s {@code root}; empty when it never tried. */
  Optional<RootStatus> status(String repo, String root) {
    Tracked t = roots.get(repo + '/' + root);
    return t == null ? Optional.empty() : Optional.of(t.status());
  }

  /** A round that started {@code at} succeeded with {@code result}; ends the outage if one ran. */
  void succeeded(Tracked state, Instant at, String result) {
    Outage ended = null;
    synchronized (state) {
      state.lastAttempt = at;
      state.lastSuccess = clock.instant();
      if (state.current != null) {
        ended = new Outage(state.current.from(), at, state.current.reason());
        state.current = null;
        state.past.addLast(ended);
        while (state.past.size() > OUTAGES_KEPT) {
          state.past.removeFirst();
        }
      }
    }
    count(state, result);
    if (ended != null) {
      log.info("watch of {}/{} recovered after {} s of failures", state.repo, escape(state.root),
          Duration.between(ended.from(), ended.to()).toSeconds());
    }
  }

  /** A round that started {@code at} failed with {@code e}; starts an outage if none runs. */
  void failed(Tracked state, Instant at, Duration interval, Exception e) {
    String reason = String.valueOf(e.getMessage());
    boolean first;
    synchronized (state) {
      state.lastAttempt = at;
      first = state.current == null;
      if (first) {
        state.current = new Outage(at, null, reason);
      }
    }
    count(state, "failed");
    if (first) {
      // Once per outage: the breaker says when the host goes and comes back, this says what the
      // watch missed; the rounds in between fail quietly until one succeeds.
      log.warn("watch of {}/{} failed: {}; tried again every {} s, logged again when it recovers", state.repo,
          escape(state.root), escape(reason), interval.toSeconds());
    } else {
      log.debug("watch of {}/{} still failing: {}", state.repo, escape(state.root), escape(reason));
    }
  }

  private void count(Tracked state, String result) {
    if (registry != null) {
      Counter.builder("reprox.watch.checks")
          .description("watch rounds per root: new_generation, unchanged (a 304 or the same bytes), failed")
          .tag("repo", state.repo).tag("root", state.root).tag("result", result)
          .register(registry).increment();
    }
  }
}
