package dev.reprox.server.cli;

import dev.reprox.config.ReproxConfig;
import io.netty.util.ResourceLeakDetector;
import java.util.Locale;

/**
 * Sets Netty's buffer leak detector from {@code log.leak-detection} when {@code serve} starts. Netty's
 * own default, {@code simple}, tracks one buffer in 128 with a stack trace and wraps it: on a warm
 * 53 KB hit that was ~2.6 % of the event loop's time (issue 14), so reprox runs it {@code disabled}
 * unless configured. The JVM property {@code -Dio.netty.leakDetection.level} wins when it is given:
 * the tests and the soak run set it ({@code paranoid}, {@code simple}) and must keep what they asked
 * for whatever the configuration says.
 */
final class LeakDetection {
  static final String PROPERTY = "io.netty.leakDetection.level";
  /** The name Netty read before 4.0.24, still honoured by it. */
  static final String LEGACY_PROPERTY = "io.netty.leakDetectionLevel";

  private LeakDetection() {}

  /** The level to run at: {@code property} (either spelling's value, or null) when set, else {@code configured}. */
  static ResourceLeakDetector.Level choose(ReproxConfig.Log.LeakDetection configured, String property) {
    if (property != null && !property.isBlank()) {
      String name = property.trim().toUpperCase(Locale.ROOT);
      for (ResourceLeakDetector.Level level : ResourceLeakDetector.Level.values()) {
        if (level.name().equals(name)) {
          return level;
        }
      }
    }
    return ResourceLeakDetector.Level.valueOf(configured.name());
  }

  /** Sets the level (process-wide) from the configuration and this JVM's properties; returns it. */
  static ResourceLeakDetector.Level apply(ReproxConfig.Log.LeakDetection configured) {
    String property = System.getProperty(PROPERTY, System.getProperty(LEGACY_PROPERTY));
    ResourceLeakDetector.Level level = choose(configured, property);
    ResourceLeakDetector.setLevel(level);
    return level;
  }
}
