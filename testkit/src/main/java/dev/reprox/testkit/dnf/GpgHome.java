package dev.reprox.testkit.dnf;

import dev.reprox.testkit.process.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.reprox.testkit.apt.CommandResult;
import dev.reprox.testkit.pgp.SigningKey;

/**
 * A private {@code GNUPGHOME} holding one throwaway RSA-2048 signing key, for {@code rpmsign} and
 * the detached {@code repomd.xml.asc}. rpmsign can only sign through the gpg binary, so the key
 * lives in gpg rather than in Bouncy Castle; using the same key for both means one exported
 * public key serves dnf's {@code gpgkey=} and reprox's keyring. The home sits directly in /tmp
 * because gpg-agent's socket path must stay under the 108-byte Unix socket limit.
 */
final class GpgHome implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Path home;
  private final String fingerprint;

  private GpgHome(Path home, String fingerprint) {
    this.home = home;
    this.fingerprint = fingerprint;
  }

  /** Generates a key dated {@link SigningKey#KEY_CREATED}, so no later signature predates it. */
  static GpgHome generate(String userId) {
    Path home = null;
    try {
      home = Files.createTempDirectory(Path.of("/tmp"), "rpg",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      GpgHome gpg = new GpgHome(home, null);
      gpg.gpg(SigningKey.KEY_CREATED, "--passphrase", "", "--quick-gen-key", userId, "rsa2048", "sign", "never")
          .requireOk("generate gpg key " + userId);
      String colons = gpg.gpg(null, "--with-colons", "--list-secret-keys").requireOk("list gpg keys").stdout();
      String fpr = colons.lines().filter(l -> l.startsWith("fpr:")).map(l -> l.split(":")[9]).findFirst()
          .orElseThrow(() -> new IllegalStateException("generate gpg key " + userId + ": no fingerprint in\n" + colons));
      return new GpgHome(home, fpr);
    } catch (IOException e) {
      throw new UncheckedIOException("create GNUPGHOME for " + userId, e);
    } catch (RuntimeException | Error e) {
      if (home != null) {
        new GpgHome(home, null).close();
      }
      throw e;
    }
  }

  Path home() {
    return home;
  }

  /** 40 upper-case hex digits. */
  String fingerprint() {
    return fingerprint;
  }

  /** The public key, ASCII-armored (what {@code gpg --armor --export} writes). */
  byte[] armoredPublicKey() {
    return gpg(null, "--armor", "--export", fingerprint).requireOk("export gpg key " + fingerprint)
        .stdout().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** Writes an armored detached signature of {@code file} to {@code signature}, made at {@code at}. */
  void detachSign(Path file, Path signature, Instant at) {
    gpg(at, "--yes", "--armor", "--detach-sign", "--local-user", fingerprint, "--output", signature.toString(),
        file.toString()).requireOk("sign " + file);
  }

  /** Environment for tools that run gpg themselves (rpmsign). */
  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("GNUPGHOME", home.toString());
    env.put("LC_ALL", "C.UTF-8");
    return env;
  }

  /** {@code --faked-system-time <epoch>!}: gpg's way of dating a signature (the '!' freezes the clock). */
  static String fakedTime(Instant at) {
    return "--faked-system-time=" + at.getEpochSecond() + "!";
  }

  private CommandResult gpg(Instant at, String... args) {
    List<String> command = new ArrayList<>(List.of("gpg", "--batch", "--no-tty", "--homedir", home.toString()));
    if (at != null) {
      command.add(fakedTime(at));
    }
    command.addAll(List.of(args));
    return Processes.run(command, env(), null, TIMEOUT);
  }

  /** Stops this home's gpg-agent (by PID) and deletes the home. */
  @Override
  public void close() {
    Commands.stopGpgAgentsUnder(home);
    Commands.deleteTree(home);
  }
}
