package dev.reprox.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class MaxConnectionsTest {
  private static final String LIMITS = """
      Limit                     Soft Limit           Hard Limit           Units
      Max processes             96553                96553                processes
      Max open files            20000                524288               files
      Max locked memory         8388608              8388608              bytes
      """;

  @Test
  void openFilesLimit_theSoftLimitOfItsLine() {
    assertThat(ReproxConfig.openFilesLimit(LIMITS)).isEqualTo(20000);
  }

  @Test
  void openFilesLimit_unlimitedOrAbsent_unknown() {
    assertThat(ReproxConfig.openFilesLimit(LIMITS.replace("20000  ", "unlimited"))).isEqualTo(-1);
    assertThat(ReproxConfig.openFilesLimit("Limit Soft Hard\nMax processes 1 1 processes\n")).isEqualTo(-1);
  }

  @Test
  void fromOpenFiles_halfTheLimit_atMost4096_4096WhenUnknown() {
    assertThat(ReproxConfig.fromOpenFiles(20000)).isEqualTo(4096);
    assertThat(ReproxConfig.fromOpenFiles(1024)).isEqualTo(512);
    assertThat(ReproxConfig.fromOpenFiles(1)).isEqualTo(1);
    assertThat(ReproxConfig.fromOpenFiles(-1)).isEqualTo(4096);
  }

  @Test
  void defaultMaxConnections_agreesWithTheJvmsOwnCount() {
    long fds = ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getMaxFileDescriptorCount();

    assertThat(ReproxConfig.defaultMaxConnections()).isEqualTo(ReproxConfig.fromOpenFiles(fds));
  }
}
