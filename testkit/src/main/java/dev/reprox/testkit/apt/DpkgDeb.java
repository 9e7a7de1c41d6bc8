package dev.reprox.testkit.apt;

import dev.reprox.testkit.process.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds a {@code .deb} with the real {@code dpkg-deb}. Permissions, mtimes, owners and the ar
 * timestamp are all pinned (umask-independent modes, {@code --root-owner-group},
 * {@code SOURCE_DATE_EPOCH}), so one package always builds to the same bytes.
 */
final class DpkgDeb {

  static final String MAINTAINER = "Reprox Testkit <testkit@reprox.invalid>";

  private DpkgDeb() {
  }

  /** The control file for {@code pkg}: also the start of its Packages stanza. */
  static String control(DebPackage pkg) {
    StringBuilder c = new StringBuilder()
        .append("Package: ").append(pkg.name()).append('\n')
        .append("Version: ").append(pkg.version()).append('\n')
        .append("Architecture: ").append(pkg.architecture()).append('\n')
        .append("Maintainer: ").append(MAINTAINER).append('\n')
        // KiB, rounded up, plus one for the directories: what dpkg-gencontrol would say.
        .append("Installed-Size: ").append((pkg.payloadLength() + 1023) / 1024 + 1).append('\n');
    if (pkg.depends() != null) {
      c.append("Depends: ").append(pkg.depends()).append('\n');
    }
    return c.append("Section: misc\n")
        .append("Priority: optional\n")
        .append("Description: reprox fixture package ").append(pkg.name()).append('\n')
        .append(" Built by the reprox testkit; version ").append(pkg.version()).append(".\n")
        .toString();
  }

  /** Payloads from this size on are packed without compression. */
  static final int UNCOMPRESSED_FROM = 16 << 20;

  static void build(DebPackage pkg, Path out, Path scratch, long sourceDateEpoch) throws IOException {
    Path stage = Files.createTempDirectory(scratch, pkg.name() + "-");
    try {
      Path debian = Files.createDirectories(stage.resolve("DEBIAN"));
      Files.writeString(debian.resolve("control"), control(pkg));
      Path share = Files.createDirectories(stage.resolve("usr/share").resolve(pkg.name()));
      Files.write(share.resolve("payload"), pkg.payload());
      pin(stage, sourceDateEpoch);
      Files.createDirectories(out.getParent());
      // Large payloads are pseudo-random: xz would spend a minute of a shared CPU not shrinking them.
      String compression = pkg.payload().length >= UNCOMPRESSED_FROM ? "-Znone" : "-Zxz";
      CommandResult result = Processes.run(
          List.of("dpkg-deb", "--root-owner-group", compression, "--build", stage.toString(), out.toString()),
          Map.of("SOURCE_DATE_EPOCH", Long.toString(sourceDateEpoch)), Duration.ofSeconds(60));
      result.requireOk("build " + pkg + " with dpkg-deb");
    } finally {
      deleteTree(stage);
    }
  }

  private static void pin(Path stage, long epoch) throws IOException {
    FileTime time = FileTime.fromMillis(epoch * 1000);
    try (Stream<Path> paths = Files.walk(stage)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
            Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
        Files.setLastModifiedTime(p, time);
      }
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
