package dev.reprox.server;

import dev.reprox.server.fetch.Fetchers;
import dev.reprox.server.http.InFlight;
import dev.reprox.server.http.ServingContext;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Netty (on the transport of {@code server.transport}, {@link Transport}) behind {@link ReproxServer}. */
final class NettyReproxServer implements ReproxServer {
  private static final Logger log = LoggerFactory.getLogger(NettyReproxServer.class);
  /**
   * A client channel stops taking body chunks once more than {@code high} bytes wait for its socket
   * and takes them again below {@code low}. The high mark is under one body chunk (256 KiB), so a
   * client its socket buffer cannot keep up with holds about one chunk of ours, not five: at
   * 512 KiB / 1 MiB the 64 followers of a cold fill held ~80 MB of private chunk copies, the whole
   * run's peak RSS (issue 14, docs/decisions.md). The kernel's socket buffer keeps the pipe full.
   */
  static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 128 * 1024);

  private final ReproxServer.Builder b;
  private final ThreadPools pools;
  private final ThreadPoolExecutor storageExecutor;
  private final ThreadPoolExecutor bodyExecutor;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Fetchers fetchers;
  private final PrometheusMeterRegistry registry;
  private final DiskUsage diskUsage;
  private final dev.reprox.server.gc.GcRunner gc;
  private final InFlight inFlight = new InFlight();
  /** How often the data directory is walked for {@code reprox.store.disk.bytes}. */
  static final java.time.Duration DISK_USAGE_PERIOD = java.time.Duration.ofSeconds(60);
  private final AtomicBoolean accepting = new AtomicBoolean(false);
  private final AtomicBoolean closing = new AtomicBoolean(false);
  private final CountDownLatch closed = new CountDownLatch(1);
  private Channel serverChannel;
  private InetSocketAddress address;
  private volatile AutoCloseable watchTask;

  private NettyReproxServer(ReproxServer.Builder b) {
    this.b = b;
    // First: a transport this host cannot run fails the start before anything else is made.
    Transport transport = Transport.choose(b.config.server().transport());
    log.info("transport {} ({})", transport, transport.reason());
    // The one place every thread comes from, sized by threads: in the config.
    this.pools = ThreadPools.of(b.config.threads(), transport);
    this.storageExecutor = pools.storage();
    this.bodyExecutor = pools.body();
    this.boss = pools.boss();
    this.workers = pools.workers();
    this.registry = ServerMetrics.registry(storageExecutor, bodyExecutor, workers, b.storage);
    var storage = b.storage;
    this.diskUsage = new DiskUsage(b.config.data(), DISK_USAGE_PERIOD, registry, pools.diskUsage(),
        () -> storage.stats().blobFileBytes());
    this.fetchers = Fetchers.builder().config(b.config).storage(b.storage).storageExecutor(storageExecutor)
        .pools(pools).clock(b.clock).headerTimeout(b.upstreamHeaderTimeout).idleTimeout(b.fillIdleTimeout)
        .registry(registry).warmUpExecutor(b.warmUpExecutor).build();
    dev.reprox.server.trust.StoredRoots roots = dev.reprox.server.trust.StoredRoots.of(b.config, b.clock);
    this.gc = new dev.reprox.server.gc.GcRunner(dry -> dev.reprox.server.gc.Collector.builder()
        .storage(b.storage).clock(b.clock).retention(b.config.retention()).roots(roots).dryRun(dry)
        .provider(dev.reprox.server.gc.RootProvider.buildRecords(b.config.builds().retention(), b.clock))
        .diskDirectory(b.config.data()).out(line -> log.debug("{}", line)).build(),
        b.config.retention().schedule(), registry, pools.gc(), b.clock);
  }

  static ReproxServer start(ReproxServer.Builder b) throws InterruptedException {
    NettyReproxServer server = new NettyReproxServer(b);
    try {
      server.bind();
      server.fetchers.warmUp();
      if (server.fetchers.watches().any()) {
        WatchScheduler scheduler = b.watchScheduler != null ? b.watchScheduler
            : WatchScheduler.every(Duration.ofSeconds(1), server.pools.watch());
        server.watchTask = scheduler.start(server.fetchers.watches()::tick);
      }
    } catch (RuntimeException | InterruptedException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void bind() throws InterruptedException {
    ServingContext context = ServingContext.builder()
        .config(b.config)
        .fetcher(fetchers.fetcher())
        .fetchers(fetchers)
        .storageExecutor(storageExecutor)
        .bodyExecutor(bodyExecutor)
        .registry(registry)
        .ready(this::ready)
        .inFlight(inFlight)
        .storageStats(b.storage::stats)
        .storageUnavailable(b.storage::unavailable)
        .tunnelIdleTimeout(b.tunnelIdleTimeout)
        .tunnelResolver(pools.tunnelResolve())
        .bundleExecutor(pools.bundles())
        .clock(b.clock)
        .buildStore(b.storage)
        .gc(gc)
        .build();
    // Build records unused for builds.retention go at startup and then hourly, off the event loop.
    workers.next().scheduleAtFixedRate(() -> {
      try {
        storageExecutor.execute(() -> {
          try {
            context.expireBuildRecords();
          } catch (java.io.IOException | RuntimeException e) {
            log.warn("builds: expiring old build records failed: {}", e.getMessage());
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // Busy or shutting down: the next hour tries again.
      }
    }, 0, 1, java.util.concurrent.TimeUnit.HOURS);
    ConnectionLimit limit = new ConnectionLimit(b.config.maxConnections(), b.connectionReserve, context);
    Gauge.builder("reprox.connections.open", limit, ConnectionLimit::open)
        .description("client connections open (max-connections bounds them)").register(registry);
    ChannelFuture bound = childOptions(new ServerBootstrap()
        .group(boss, workers)
        .channel(pools.transport().serverChannel())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .handler(limit))
        .childHandler(new ServerInitializer(context, b.connectionIdleTimeout))
        .bind(b.config.listen())
        .await();
    // Not sync(): it rethrows the bind's IOException undeclared, past start()'s cleanup.
    if (!bound.isSuccess()) {
      throw new ListenException(b.config.listen(), bound.cause());
    }
    serverChannel = bound.channel();
    address = (InetSocketAddress) serverChannel.localAddress();
    accepting.set(true);
    log.info("listening on {}:{} ({} transport, {} repositories, max-connections {}, {})", address.getHostString(),
        address.getPort(), pools.transport(), b.config.repositories().size(),
        b.config.maxConnections(), b.config.api().describe());
  }

  /** The options of every accepted client channel (ChildOptionsTest accepts through them). */
  static ServerBootstrap childOptions(ServerBootstrap bootstrap) {
    return bootstrap
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
        // Requests are small and bodies are never read: a small read bounds pipelined requests.
        .childOption(ChannelOption.RECVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(64, 1024,
            ServerInitializer.MAX_READ));
  }

  @Override
  public InetSocketAddress address() {
    return address;
  }

  @Override
  public boolean ready() {
    return accepting.get() && !closing.get();
  }

  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    // A server whose bind failed never served: its clean-up is not a shutdown worth narrating.
    boolean narrate = serverChannel != null;
    try {
      step(narrate, "shutdown: no longer accepting connections; /readyz answers 503");
      accepting.set(false);
      stopWatch();
      if (serverChannel != null) {
        serverChannel.close().syncUninterruptibly();
      }
      int busy = inFlight.count();
      step(narrate, "shutdown: waiting up to " + b.drainTimeout.toSeconds() + " s for " + busy
          + " in-flight responses");
      boolean drained = inFlight.awaitIdle(b.drainTimeout);
      step(narrate, drained ? "shutdown: in-flight responses finished"
          : "shutdown: drain timeout; cutting " + inFlight.count() + " responses");
      gc.close();
      fetchers.close();
      pools.close();
      step(narrate, "shutdown: event loops and pools closed");
      b.storage.close();
      step(narrate, "shutdown: storage closed");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      b.storage.close();
    } finally {
      closed.countDown();
    }
  }

  private void stopWatch() {
    AutoCloseable task = watchTask;
    if (task != null) {
      try {
        task.close();
      } catch (Exception e) {
        log.warn("shutdown: stopping the watch: {}", e.toString());
      }
    }
  }

  private static void step(boolean narrate, String message) {
    if (narrate) {
      log.info(message);
    } else {
      log.debug(message);
    }
  }

  @Override
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }
}
