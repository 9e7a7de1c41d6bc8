package dev.reprox.pinning.dnf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.pinning.SignatureInvalidException.Kind;
import dev.reprox.pinning.pgp.SignatureVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RepomdVerifierTest {
  private static ThrowawayPgpKey key;
  private static RepomdVerifier verifier;
  private static final byte[] XML = RepomdTest.repomd("1700000000",
      RepomdTest.data("primary", "ab".repeat(32), 1234, 1700000000)).getBytes(StandardCharsets.UTF_8);

  @BeforeAll
  static void keys() throws Exception {
    key = new ThrowawayPgpKey();
    verifier = new RepomdVerifier(SignatureVerifier.builder().keyring("test", key.publicKeyring()).build());
  }

  @Test
  void verify_signedRepomd_parsesAndNamesSigner() throws Exception {
    RepomdVerifier.Verified v = verifier.verify(XML, key.detachSign(XML), "test repomd.xml");

    assertThat(v.repomd().publishedAt()).contains(Instant.ofEpochSecond(1700000000L));
    assertThat(v.repomd().entry("primary").orElseThrow().size()).isEqualTo(1234);
    assertThat(v.verification().primarySigner()).isEqualTo(key.fingerprint());
  }

  @Test
  void verify_tamperedRepomd_throwsBadSignature() throws Exception {
    byte[] signature = key.detachSign(XML);
    byte[] tampered = new String(XML, StandardCharsets.UTF_8).replace("<size>1234</size>", "<size>1235</size>")
        .getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> verifier.verify(tampered, signature, "test repomd.xml"))
        .isInstanceOfSatisfying(SignatureInvalidException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_SIGNATURE))
        .hasMessageContaining("test repomd.xml");
  }

  @Test
  void verify_missingSignature_throwsNoKnownSigner() {
    assertThatThrownBy(() -> verifier.verify(XML, null, "test repomd.xml"))
        .isInstanceOfSatisfying(SignatureInvalidException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NO_KNOWN_SIGNER));
  }

  @Test
  void verify_signatureByAnotherKey_throwsNoKnownSigner() throws Exception {
    byte[] foreign = new ThrowawayPgpKey().detachSign(XML);

    assertThatThrownBy(() -> verifier.verify(XML, foreign, "test repomd.xml"))
        .isInstanceOfSatisfying(SignatureInvalidException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NO_KNOWN_SIGNER));
  }
}
