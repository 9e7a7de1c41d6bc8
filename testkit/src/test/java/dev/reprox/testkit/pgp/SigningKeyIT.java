package dev.reprox.testkit.pgp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signatures from {@link SigningKey} pass Debian's gpgv, the verifier apt itself calls. */
class SigningKeyIT {

  private static final Instant SIGNED = Instant.parse("2024-03-01T00:00:00Z");
  // Dash-escaping, trailing whitespace and a blank line: the clearsign edge cases.
  private static final String TEXT = "Origin: x\n-dash line\ntrailing spaces   \n\nlast\n";

  @TempDir
  Path tmp;

  @Test
  void clearsign_ed25519_gpgvAccepts_andRejectsTamperedText() throws Exception {
    SigningKey key = SigningKey.ed25519("Ed <ed@reprox.invalid>");
    Path keyring = key.writeKeyring(tmp.resolve("k.gpg"));
    byte[] signed = key.clearsign(TEXT.getBytes(StandardCharsets.UTF_8), SIGNED);
    Path good = Files.write(tmp.resolve("InRelease"), signed);
    Path bad = Files.writeString(tmp.resolve("InRelease.bad"),
        new String(signed, StandardCharsets.UTF_8).replace("last", "lost"));

    assertThat(new String(signed, StandardCharsets.UTF_8)).contains("\n- -dash line\n");
    assertThat(gpgv(keyring, good)).contains("Good signature").contains(key.fingerprint());
    assertThat(gpgv(keyring, bad)).contains("BAD signature");
  }

  @Test
  void detachSign_rsa3072_gpgvAccepts() throws Exception {
    SigningKey key = SigningKey.rsa3072("Rsa <rsa@reprox.invalid>");
    Path keyring = key.writeKeyring(tmp.resolve("k.gpg"));
    Path data = Files.writeString(tmp.resolve("Release"), TEXT);
    Path sig = Files.write(tmp.resolve("Release.gpg"), key.detachSign(Files.readAllBytes(data), SIGNED));

    assertThat(Files.readString(sig)).startsWith("-----BEGIN PGP SIGNATURE-----");
    assertThat(gpgv(keyring, sig, data)).contains("Good signature").contains(key.fingerprint());
  }

  private static String gpgv(Path keyring, Path... files) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("gpgv", "--keyring", keyring.toString()));
    for (Path f : files) {
      command.add(f.toString());
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out + "\nexit " + p.exitValue();
  }
}
