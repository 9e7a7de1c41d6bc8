package dev.reprox.pinning.apt;

import dev.reprox.pinning.Fixtures;
import dev.reprox.pinning.Format;
import dev.reprox.pinning.FormatContract;
import dev.reprox.pinning.pgp.SignatureVerifier;
import dev.reprox.storage.Digest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Debian's signed bookworm InRelease; Ubuntu's keyring as the one that does not know its keys. */
class AptFormatContractTest extends FormatContract {
  private static final String H = "9e0b5aabb2465b3d2e7a7fe27f9913846277833f7a2826e7767acccff5b588c5";
  private static final String HELLO = "pool/main/h/hello/hello_2.10-3_amd64.deb";

  @Override
  protected Format trusting() throws Exception {
    return AptFormat.builder()
        .verifier(SignatureVerifier.builder().keyring(Fixtures.path("keys/apt/debian-archive-keyring.gpg")).build())
        .build();
  }

  @Override
  protected Format trustingOthers() throws Exception {
    return AptFormat.builder()
        .verifier(SignatureVerifier.builder().keyring(Fixtures.path("keys/apt/ubuntu-archive-keyring.gpg")).build())
        .build();
  }

  @Override
  protected Sample sample() {
    byte[] packages = ("Package: hello\nVersion: 2.10-3\nArchitecture: amd64\nFilename: " + HELLO
        + "\nSize: 53000\nSHA256: " + "ab".repeat(32) + "\n\n").getBytes(StandardCharsets.UTF_8);
    return new Sample("dists/bookworm/InRelease", Fixtures.bytes("real/debian/bookworm/InRelease"), null,
        "dists/bookworm/main/binary-amd64/Packages.xz", 8790396, "dists/bookworm/main/binary-amd64/Packages",
        packages, HELLO, Optional.of("dists/bookworm/main/binary-amd64/by-hash/SHA256/" + H),
        Optional.of(Digest.sha256(H)));
  }
}
