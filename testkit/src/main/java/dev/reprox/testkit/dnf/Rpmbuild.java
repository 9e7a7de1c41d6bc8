package dev.reprox.testkit.dnf;

import dev.reprox.testkit.process.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Runs {@code rpmbuild} and {@code rpmsign} for one {@link RpmPackage}, reproducibly. */
final class Rpmbuild {

  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  private Rpmbuild() {
  }

  /** Builds {@code pkg} under {@code scratch} and signs it; returns the signed rpm (in scratch). */
  static Path buildSigned(RpmPackage pkg, Path scratch, long sourceDateEpoch, GpgHome gpg) throws IOException {
    Path top = scratch.resolve("top");
    for (String dir : List.of("SPECS", "SOURCES", "BUILD", "RPMS", "SRPMS", "BUILDROOT")) {
      Files.createDirectories(top.resolve(dir));
    }
    Files.writeString(top.resolve("SOURCES").resolve(pkg.name() + ".payload"), pkg.payload(), StandardCharsets.UTF_8);
    Path spec = top.resolve("SPECS").resolve(pkg.name() + ".spec");
    Files.writeString(spec, pkg.spec(), StandardCharsets.UTF_8);
    Map<String, String> env = gpg.env();
    // HOME keeps the host's ~/.rpmmacros out; SOURCE_DATE_EPOCH makes build time and mtimes fixed.
    env.put("HOME", scratch.toString());
    env.put("SOURCE_DATE_EPOCH", Long.toString(sourceDateEpoch));
    env.put("TZ", "UTC");
    Processes.run(List.of("rpmbuild", "-bb",
        "--define", "_topdir " + top,
        "--define", "_buildhost reprox",
        "--define", "use_source_date_epoch_as_buildtime 1",
        "--define", "clamp_mtime_to_source_date_epoch 1",
        "--define", "debug_package %{nil}",
        "--define", "_build_id_links none",
        spec.toString()), env, scratch, TIMEOUT).requireOk("rpmbuild " + pkg.nvr());
    Path rpm = top.resolve("RPMS/noarch").resolve(pkg.fileName());
    if (!Files.isRegularFile(rpm)) {
      throw new IllegalStateException("rpmbuild " + pkg.nvr() + ": no " + rpm);
    }
    Processes.run(List.of("rpmsign", "--addsign",
        "--define", "__gpg /usr/bin/gpg",
        "--define", "_gpg_name " + gpg.fingerprint(),
        "--define", "_gpg_sign_cmd_extra_args " + GpgHome.fakedTime(Instant.ofEpochSecond(sourceDateEpoch)),
        rpm.toString()), env, scratch, TIMEOUT).requireOk("rpmsign " + pkg.nvr());
    return rpm;
  }

  /** {@code rpm -qp --qf '%{SHA256HEADER}'}: the header digest rpm keeps once the package is installed. */
  static String headerSha256(Path rpm) {
    String out = Processes.run(List.of("rpm", "-qp", "--nosignature", "--qf", "%{SHA256HEADER}", rpm.toString()),
        Map.of("LC_ALL", "C.UTF-8"), null, TIMEOUT).requireOk("rpm -qp " + rpm).stdout().strip();
    if (!out.matches("[0-9a-f]{64}")) {
      throw new IllegalStateException("rpm -qp " + rpm + ": SHA256HEADER is '" + out + "'");
    }
    return out;
  }
}
