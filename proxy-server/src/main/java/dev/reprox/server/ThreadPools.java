package dev.reprox.server;

import dev.reprox.config.ThreadsConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every thread reprox runs, built in this one place from {@code threads:} ({@link ThreadsConfig}).
 * The pools a request enters (storage, body, tunnel lookups) are bounded both ways (a few threads,
 * a finite queue): a full queue rejects, and the request is answered 503. The background pools
 * (upstream callbacks, signed work, root GETs) take what their callers hand them, as before: the
 * polite layer and single flight bound those. Threads are daemons named after their pool
 * ({@code reprox-storage-1}), so a thread dump says what each one is for. The event loops, the watch,
 * the collector and the bundle workers are made on first use only: parts built without a server
 * (tests, commands) or a server without a watch do not start them. Those three have no size in
 * {@code threads:}: the watch and the collector run one round at a time by design (a second
 * thread would only race the first), and a bundle worker exists per running import or export,
 * which the admin API already bounds (one import at a time; exports are admin requests).
 */
public final class ThreadPools implements AutoCloseable {
  /** Tasks a storage or body pool holds before it answers 503. */
  static final int QUEUE = 10_000;

  private final ThreadsConfig sizes;
  /** The event loops' I/O; chosen on first use when not given ({@code auto}). */
  private Transport transport;
  private final ThreadPoolExecutor storage;
  private final ThreadPoolExecutor body;
  private final ThreadPoolExecutor upstream;
  private final ThreadPoolExecutor signed;
  private final ThreadPoolExecutor rootFetch;
  private final ThreadPoolExecutor tunnelResolve;
  private final ThreadPoolExecutor keyrings;
  private final ScheduledExecutorService timer;
  private final ScheduledExecutorService diskUsage;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private ScheduledExecutorService watch;
  private ScheduledExecutorService gc;
  private ExecutorService bundles;

  private ThreadPools(ThreadsConfig sizes, Transport transport) {
    this.sizes = sizes;
    this.transport = transport;
    this.storage = pool(sizes.storage(), QUEUE, "reprox-storage-");
    // Body reads have their own threads: under a fan-out, thousands of chunk reads queue up, and
    // a new client's lookup must not wait behind them for its first byte.
    this.body = pool(sizes.body(), QUEUE, "reprox-body-");
    // The HTTP client's callbacks run on a few named threads rather than the JDK's unbounded
    // default pool; the real work is handed to the storage pool.
    this.upstream = pool(sizes.upstream(), 0, "reprox-upstream-");
    // Root work blocks (verification, resolve, snapshot fetches); root GETs run on their own
    // threads so that signed threads waiting for a coalesced revalidation can never starve it.
    this.signed = pool(sizes.signed(), 0, "reprox-signed-");
    this.rootFetch = pool(sizes.rootFetch(), 0, "reprox-root-fetch-");
    this.tunnelResolve = tunnelResolver(sizes.tunnelResolve());
    // One thread, only while there is work: the keyrings are parsed once, at startup.
    this.keyrings = pool(1, 0, "reprox-keyrings-");
    keyrings.allowCoreThreadTimeOut(true);
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("reprox-fill-timer", null));
    this.diskUsage = Executors.newSingleThreadScheduledExecutor(daemon("reprox-disk-usage", null));
  }

  /** The pools of {@code sizes}; nothing runs until a task is given. */
  public static ThreadPools of(ThreadsConfig sizes) {
    return new ThreadPools(sizes, null);
  }

  /** The pools of {@code sizes}, with event loops of {@code transport}. */
  public static ThreadPools of(ThreadsConfig sizes, Transport transport) {
    return new ThreadPools(sizes, java.util.Objects.requireNonNull(transport, "transport"));
  }

  /** {@code queue} 0: unbounded. */
  private static ThreadPoolExecutor pool(int threads, int queue, String name) {
    BlockingQueue<Runnable> tasks = queue > 0 ? new ArrayBlockingQueue<>(queue) : new LinkedBlockingQueue<>();
    return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, tasks, daemon(name, new AtomicInteger()),
        new ThreadPoolExecutor.AbortPolicy());
  }

  /**
   * The name lookups of CONNECT targets: a queue of 64 (a full one answers 503) and threads only
   * while lookups happen (CONNECTs are rare, so nothing has to be shut down).
   */
  public static ThreadPoolExecutor tunnelResolver(int threads) {
    ThreadPoolExecutor p = pool(threads, 64, "reprox-tunnel-dns-");
    p.allowCoreThreadTimeOut(true);
    return p;
  }

  /**
   * The threads of bundle imports and exports ({@code reprox-bundle-1}…): one per running
   * transfer, gone a minute after it ends. Public for the parts tests build without a server.
   */
  public static ExecutorService bundleWorkers() {
    return Executors.newCachedThreadPool(daemon("reprox-bundle-", new AtomicInteger()));
  }

  private static ThreadFactory daemon(String name, AtomicInteger n) {
    return daemon(name, n, Thread.NORM_PRIORITY);
  }

  private static ThreadFactory daemon(String name, AtomicInteger n, int priority) {
    return r -> {
      Thread t = new Thread(r, n == null ? name : name + n.incrementAndGet());
      t.setDaemon(true);
      t.setPriority(priority);
      return t;
    };
  }

  /** Storage lookups and the blocking steps of a request. */
  public ThreadPoolExecutor storage() {
    return storage;
  }

  /** Body chunk reads. */
  public ThreadPoolExecutor body() {
    return body;
  }

  /** The upstream HTTP client's callbacks. */
  public ThreadPoolExecutor upstream() {
    return upstream;
  }

  /** Root index work: verification, resolving T, listing indexing, the read API. */
  public ThreadPoolExecutor signed() {
    return signed;
  }

  /** Root index GETs. */
  public ThreadPoolExecutor rootFetch() {
    return rootFetch;
  }

  /** Name lookups of CONNECT targets. */
  public ThreadPoolExecutor tunnelResolve() {
    return tunnelResolve;
  }

  /** The startup warm-up that parses the repositories' keyrings while the server already listens. */
  public ThreadPoolExecutor keyrings() {
    return keyrings;
  }

  /** Timeouts of fills, relays and polite retries. */
  public ScheduledExecutorService timer() {
    return timer;
  }

  /** The walk of the data directory for {@code reprox.store.disk.bytes}. */
  ScheduledExecutorService diskUsage() {
    return diskUsage;
  }

  /** The thread that calls the watch's tick, {@code reprox-watch}. */
  public synchronized ScheduledExecutorService watch() {
    if (watch == null) {
      watch = Executors.newSingleThreadScheduledExecutor(daemon("reprox-watch", null));
    }
    return watch;
  }

  /**
   * The thread of collections, {@code reprox-gc}: one thread, so a collection takes at most one
   * core from serving. Its lowest Java priority is only a hint: HotSpot on Linux does not pass
   * thread priorities to the scheduler (its nice value stays 0) unless the JVM runs with
   * {@code -XX:ThreadPriorityPolicy=1}, which needs root, and reprox does not set it.
   */
  public synchronized ScheduledExecutorService gc() {
    if (gc == null) {
      gc = Executors.newSingleThreadScheduledExecutor(daemon("reprox-gc", null, Thread.MIN_PRIORITY));
    }
    return gc;
  }

  /** Bundle imports and exports of the admin API ({@link #bundleWorkers()}). */
  public synchronized ExecutorService bundles() {
    if (bundles == null) {
      bundles = bundleWorkers();
    }
    return bundles;
  }

  /** The acceptor loop (one thread). */
  synchronized EventLoopGroup boss() {
    if (boss == null) {
      boss = new MultiThreadIoEventLoopGroup(1, io());
    }
    return boss;
  }

  /** The loops that serve the connections ({@code threads.event-loops}, 0: Netty's two per core). */
  synchronized EventLoopGroup workers() {
    if (workers == null) {
      workers = new MultiThreadIoEventLoopGroup(sizes.eventLoops(), io());
    }
    return workers;
  }

  /** The transport of the event loops ({@code server.transport}). */
  synchronized Transport transport() {
    if (transport == null) {
      transport = Transport.choose(dev.reprox.config.ReproxConfig.Server.Transport.AUTO);
    }
    return transport;
  }

  private io.netty.channel.IoHandlerFactory io() {
    return transport().ioHandlerFactory();
  }

  /**
   * Stops everything: the event loops (after their tasks), the background pools at once, then the
   * storage and body pools after the tasks they hold (up to 10 s each), so that a fill's abandon
   * queued by {@code Fetchers#close} still runs.
   */
  @Override
  public void close() {
    synchronized (this) {
      for (EventLoopGroup g : new EventLoopGroup[] {workers, boss}) {
        if (g != null) {
          g.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
      }
      // A running collection or tick is interrupted, as closing the watch or the runner does.
      for (ExecutorService e : new ExecutorService[] {watch, gc, bundles}) {
        if (e != null) {
          e.shutdownNow();
        }
      }
    }
    timer.shutdownNow();
    diskUsage.shutdownNow();
    for (ThreadPoolExecutor p : List.of(signed, rootFetch, upstream, tunnelResolve)) {
      p.shutdown();
    }
    keyrings.shutdownNow(); // an unfinished warm-up is moot once the server stops
    try {
      for (ThreadPoolExecutor p : List.of(body, storage)) {
        p.shutdown();
        if (!p.awaitTermination(10, TimeUnit.SECONDS)) {
          p.shutdownNow();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      body.shutdownNow();
      storage.shutdownNow();
    }
  }
}
