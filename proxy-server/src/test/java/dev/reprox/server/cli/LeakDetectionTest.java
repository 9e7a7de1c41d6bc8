package dev.reprox.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.ReproxConfig.Log;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetector.Level;
import org.junit.jupiter.api.Test;

class LeakDetectionTest {
  @Test
  void choose_noProperty_takesTheConfiguration() {
    assertThat(LeakDetection.choose(Log.LeakDetection.DISABLED, null)).isEqualTo(Level.DISABLED);
    assertThat(LeakDetection.choose(Log.LeakDetection.SIMPLE, null)).isEqualTo(Level.SIMPLE);
    assertThat(LeakDetection.choose(Log.LeakDetection.ADVANCED, " ")).isEqualTo(Level.ADVANCED);
    assertThat(LeakDetection.choose(Log.LeakDetection.PARANOID, null)).isEqualTo(Level.PARANOID);
  }

  @Test
  void choose_propertyGiven_winsOverTheConfiguration() {
    assertThat(LeakDetection.choose(Log.LeakDetection.DISABLED, "paranoid")).isEqualTo(Level.PARANOID);
    assertThat(LeakDetection.choose(Log.LeakDetection.PARANOID, "Simple")).isEqualTo(Level.SIMPLE);
    // A value Netty would not know either: the configuration's level, not an exception at start-up.
    assertThat(LeakDetection.choose(Log.LeakDetection.DISABLED, "loud")).isEqualTo(Level.DISABLED);
  }

  /** The level is process-wide: this test puts back what the test JVM runs with (paranoid, from the pom). */
  @Test
  void apply_setsNettysLevel_fromConfigurationWhenNoPropertyIsGiven() {
    Level before = ResourceLeakDetector.getLevel();
    String property = System.clearProperty(LeakDetection.PROPERTY);
    String legacy = System.clearProperty(LeakDetection.LEGACY_PROPERTY);
    try {
      ResourceLeakDetector.setLevel(Level.SIMPLE); // Netty's own default
      assertThat(LeakDetection.apply(Log.LeakDetection.DISABLED)).isEqualTo(Level.DISABLED);
      assertThat(ResourceLeakDetector.getLevel()).isEqualTo(Level.DISABLED);
      assertThat(ResourceLeakDetector.isEnabled()).isFalse();

      System.setProperty(LeakDetection.PROPERTY, "advanced");
      assertThat(LeakDetection.apply(Log.LeakDetection.DISABLED)).isEqualTo(Level.ADVANCED);
      assertThat(ResourceLeakDetector.getLevel()).isEqualTo(Level.ADVANCED);
    } finally {
      restore(LeakDetection.PROPERTY, property);
      restore(LeakDetection.LEGACY_PROPERTY, legacy);
      ResourceLeakDetector.setLevel(before);
    }
  }

  private static void restore(String name, String value) {
    if (value == null) {
      System.clearProperty(name);
    } else {
      System.setProperty(name, value);
    }
  }
}
