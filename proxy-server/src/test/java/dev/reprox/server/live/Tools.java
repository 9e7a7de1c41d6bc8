package dev.reprox.server.live;

import dev.reprox.testkit.apt.CommandResult;
import dev.reprox.testkit.process.Processes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Runs the live tests' external tools (mmdebstrap, chroot apt-get, docker) with a known
 * environment: no proxy variables inherited from whoever started Maven (a proxy must be the
 * test's own choice), the C locale so output can be matched, and whatever the caller adds.
 */
final class Tools {
  private static final List<String> PROXY_VARIABLES =
      List.of("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY");

  private Tools() {}

  static CommandResult run(Duration timeout, Map<String, String> env, List<String> command) {
    Map<String, String> all = new HashMap<>();
    PROXY_VARIABLES.forEach(v -> all.put(v, null));
    all.put("LC_ALL", "C.UTF-8");
    all.put("DEBIAN_FRONTEND", "noninteractive");
    all.putAll(env);
    return Processes.run(command, all, timeout);
  }

  /** Runs it and fails with its output unless it exits 0. */
  static CommandResult require(String operation, Duration timeout, Map<String, String> env, List<String> command) {
    return run(timeout, env, command).requireOk(operation);
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  static double secondsSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
