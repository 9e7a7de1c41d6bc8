package dev.reprox.server;

import dev.reprox.storage.Storage;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyEventExecutorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.ThreadPoolExecutor;

/** The server's meter registry and the process-wide meters it starts with ({@code /metrics}). */
final class ServerMetrics {
  private ServerMetrics() {}

  /**
   * A registry with the JVM's, the executors' and the event loops' meters and the store's gauges
   * bound; the parts built later (fetch chain, server, gc) register their own.
   */
  static PrometheusMeterRegistry registry(ThreadPoolExecutor storageExecutor, ThreadPoolExecutor bodyExecutor,
      EventLoopGroup workers, Storage storage) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new ExecutorServiceMetrics(storageExecutor, "reprox-storage", java.util.List.of()).bindTo(registry);
    new ExecutorServiceMetrics(bodyExecutor, "reprox-body", java.util.List.of()).bindTo(registry);
    // Netty 4.2's default allocator is the adaptive one, not PooledByteBufAllocator.DEFAULT.
    if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider allocator) {
      new NettyAllocatorMetrics(allocator).bindTo(registry);
    }
    new NettyEventExecutorMetrics(workers).bindTo(registry);
    Gauge.builder("reprox.build.info", () -> 1)
        .description("always 1; the version running is its tag").tag("version", ReproxVersion.VERSION)
        .register(registry);
    Gauge.builder("reprox.store.blobs", () -> storage.stats().blobCount())
        .description("blobs committed since the store opened").register(registry);
    Gauge.builder("reprox.store.blob.bytes", () -> storage.stats().blobBytes())
        .description("bytes of blobs committed since the store opened").baseUnit("bytes").register(registry);
    FunctionCounter.builder("reprox.store.cache.hits", storage, s -> s.stats().cacheHits())
        .description("hot-chunk cache hits").register(registry);
    FunctionCounter.builder("reprox.store.cache.misses", storage, s -> s.stats().cacheMisses())
        .description("hot-chunk cache misses").register(registry);
    Gauge.builder("reprox.store.cache.bytes", () -> storage.stats().cacheBytes())
        .description("bytes held by the hot-chunk cache").baseUnit("bytes").register(registry);
    return registry;
  }
}
