package dev.reprox.testkit.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without Ceph installed the server says which tool is missing and where it comes from. */
class CephRgwServerTest {
  @TempDir
  Path dir;

  @Test
  void missingTool_firstAbsentOnPath_isNamed() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path other = Files.createDirectories(dir.resolve("other"));
    executable(bin.resolve("monmaptool"));
    executable(other.resolve("ceph-mon"));
    Files.writeString(bin.resolve("ceph-osd"), "not executable");

    assertThat(CephRgwServer.missingTool(bin + "::" + other)).isEqualTo("ceph-osd");
  }

  @Test
  void missingTool_allPresent_isNull() throws Exception {
    for (String tool : CephRgwServer.TOOLS) {
      executable(dir.resolve(tool));
    }

    assertThat(CephRgwServer.missingTool(dir.toString())).isNull();
  }

  @Test
  void requireInstalled_missing_namesToolAndPackages() {
    assertThatThrownBy(() -> CephRgwServer.requireInstalled("radosgw"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("radosgw not found on the PATH")
        .hasMessageContaining("ceph-mon ceph-osd radosgw ceph-common");
  }

  private static void executable(Path file) throws Exception {
    Files.writeString(file, "#!/bin/sh\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
