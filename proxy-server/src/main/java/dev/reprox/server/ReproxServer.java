package dev.reprox.server;

import dev.reprox.config.ReproxConfig;
import dev.reprox.storage.Storage;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * A running reprox listener. {@link #close()} is the graceful shutdown: stop accepting, report
 * not ready, wait for in-flight responses up to the drain timeout, close the event loops, then
 * close the store (the server owns the storage it was given).
 */
public interface ReproxServer extends AutoCloseable {
  /** The bound address; with port 0 in the config, the port the OS chose. */
  InetSocketAddress address();

  /** True while accepting and the store is open; {@code /readyz} answers this. */
  boolean ready();

  @Override
  void close();

  /** Blocks until {@link #close()} has finished. */
  void awaitClosed() throws InterruptedException;

  static Builder builder() {
    return new Builder();
  }

  /** Builds and starts a server. */
  final class Builder {
    ReproxConfig config;
    Storage storage;
    Clock clock = Clock.systemUTC();
    Duration drainTimeout = Duration.ofSeconds(10);
    Duration upstreamHeaderTimeout = Duration.ofSeconds(30);
    Duration fillIdleTimeout = Duration.ofSeconds(60);
    Duration connectionIdleTimeout = Duration.ofSeconds(120);
    Duration tunnelIdleTimeout = Duration.ofMinutes(5);
    int connectionReserve = 16;
    /** Null: every second on the server's {@link ThreadPools#watch()}. */
    WatchScheduler watchScheduler;
    /** Null: the start-up warm-up runs on {@link ThreadPools#keyrings()}. */
    java.util.concurrent.Executor warmUpExecutor;

    private Builder() {}

    public Builder config(ReproxConfig config) {
      this.config = config;
      return this;
    }

    public Builder storage(Storage storage) {
      this.storage = storage;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** How long shutdown waits for in-flight responses. */
    public Builder drainTimeout(Duration drainTimeout) {
      this.drainTimeout = drainTimeout;
      return this;
    }

    /** How long an upstream may take to connect and answer with headers. */
    public Builder upstreamHeaderTimeout(Duration timeout) {
      this.upstreamHeaderTimeout = timeout;
      return this;
    }

    /** A fill with no upstream bytes for this long is cancelled. */
    public Builder fillIdleTimeout(Duration timeout) {
      this.fillIdleTimeout = timeout;
      return this;
    }

    /** A connection that neither reads nor writes for this long is closed. */
    public Builder connectionIdleTimeout(Duration timeout) {
      this.connectionIdleTimeout = timeout;
      return this;
    }

    /** A {@code tunnel-allow} tunnel that carries no bytes either way for this long is closed. */
    public Builder tunnelIdleTimeout(Duration timeout) {
      this.tunnelIdleTimeout = timeout;
      return this;
    }

    /**
     * Connections accepted above {@code max-connections} for health checks only (they answer
     * {@code /healthz} and {@code /readyz}, 503 otherwise, and close); past them a connection is
     * closed at accept.
     */
    public Builder connectionReserve(int reserve) {
      this.connectionReserve = reserve;
      return this;
    }

    /** What calls the watch's tick ({@code repositories.<name>.watch}); by default every second. */
    public Builder watchScheduler(WatchScheduler scheduler) {
      this.watchScheduler = scheduler;
      return this;
    }

    /**
     * Where the start-up warm-up runs (after the bind); by default its own background thread.
     * Tests hold it to show that requests do not wait for it.
     */
    public Builder warmUpExecutor(java.util.concurrent.Executor executor) {
      this.warmUpExecutor = executor;
      return this;
    }

    /** Binds the listener; a {@link ListenException} if the address cannot be bound. */
    public ReproxServer start() throws InterruptedException {
      Objects.requireNonNull(config, "config");
      Objects.requireNonNull(storage, "storage");
      return NettyReproxServer.start(this);
    }
  }
}
