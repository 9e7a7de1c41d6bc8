package dev.reprox.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Heap used while one piece of code runs, two ways. {@link #peakUsedBytes} is the sum of the heap
 * pools' peaks since {@link #start}: it includes garbage not yet collected, so it mostly shows how
 * large the young generation was allowed to grow. {@link #maxAfterGcBytes} is the largest heap left
 * after any collection during the run: what the code really kept alive (its live set), the figure
 * that says whether a parser streams. Start it right before the code and close it right after.
 */
final class HeapProbe implements AutoCloseable {
  private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(p -> p.getType() == MemoryType.HEAP).collect(Collectors.toList());
  private final Set<String> heapPoolNames = heapPools.stream().map(MemoryPoolMXBean::getName)
      .collect(Collectors.toSet());
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener = this::onGc;
  private final long baselineBytes;
  private volatile long maxAfterGc;
  private volatile int collections;

  private HeapProbe() {
    System.gc(); // start from the live set of the harness itself, not from leftovers
    baselineBytes = used();
    heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter) {
        NotificationEmitter emitter = (NotificationEmitter) gc;
        emitter.addNotificationListener(listener, null, null);
        emitters.add(emitter);
      }
    }
  }

  static HeapProbe start() {
    return new HeapProbe();
  }

  private void onGc(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
    long after = 0;
    for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (heapPoolNames.contains(e.getKey())) {
        after += e.getValue().getUsed();
      }
    }
    collections++;
    maxAfterGc = Math.max(maxAfterGc, after);
  }

  private long used() {
    return heapPools.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
  }

  /** Heap in use when the probe started, after a full collection. */
  long baselineBytes() {
    return baselineBytes;
  }

  long peakUsedBytes() {
    return heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
  }

  /** The largest heap left after a collection during the run; 0 when no collection ran. */
  long maxAfterGcBytes() {
    return maxAfterGc;
  }

  int collections() {
    return collections;
  }

  @Override
  public void close() {
    for (NotificationEmitter e : emitters) {
      try {
        e.removeNotificationListener(listener);
      } catch (ListenerNotFoundException ignored) {
        // never added to this one: nothing to undo
      }
    }
  }

  /** One line: peak used, max live after GC, collections, relative to the baseline. */
  String summary() {
    return String.format("peak heap used %d MB, max after GC %d MB (baseline %d MB, %d GCs)",
        peakUsedBytes() >> 20, maxAfterGcBytes() >> 20, baselineBytes >> 20, collections);
  }
}
