package dev.reprox.storage.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * Frees a direct buffer now instead of when the garbage collector finds it. Uses
 * {@code sun.misc.Unsafe#invokeCleaner} (module jdk.unsupported, there on every JDK we run on);
 * where it is missing, the buffer is left to the collector as before.
 */
public final class DirectMemory {
  private static final Object UNSAFE;
  private static final Method INVOKE_CLEANER;

  static {
    Object unsafe = null;
    Method cleaner = null;
    try {
      Class<?> type = Class.forName("sun.misc.Unsafe");
      Field f = type.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      unsafe = f.get(null);
      cleaner = type.getMethod("invokeCleaner", ByteBuffer.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      unsafe = null;
      cleaner = null;
    }
    UNSAFE = unsafe;
    INVOKE_CLEANER = cleaner;
  }

  private DirectMemory() {}

  /** Frees {@code b} (a direct buffer a store allocated, with no views left in use). */
  public static void free(ByteBuffer b) {
    if (INVOKE_CLEANER == null || !b.isDirect()) {
      return;
    }
    try {
      INVOKE_CLEANER.invoke(UNSAFE, b);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // A slice or duplicate has no cleaner of its own: leave it to the collector.
    }
  }
}
