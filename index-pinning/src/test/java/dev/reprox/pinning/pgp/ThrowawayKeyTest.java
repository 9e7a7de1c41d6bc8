package dev.reprox.pinning.pgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.pinning.SignatureInvalidException.Kind;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPSignature;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Verification rules exercised with keys generated on the spot (DESIGN.md §2; see SignatureVerifier). */
class ThrowawayKeyTest {
  static final Instant SIGNED = Instant.parse("2020-06-01T00:00:00Z");
  static final String TEXT = """
      Origin: reprox test
      Date: Mon, 01 Jun 2020 00:00:00 UTC
      -----BEGIN PGP SIGNATURE----- (a dash line inside the text must be escaped)
      - a line that starts with a dash
      trailing spaces are not signed   \t
      SHA256:
       %s 12 main/binary-amd64/Packages
      """.formatted("a".repeat(64));

  static TestKeys.Cert ed;
  static TestKeys.Cert rsaWithSubkey;

  @BeforeAll
  static void keys() throws Exception {
    ed = TestKeys.ed25519();
    TestKeys.Spec spec = new TestKeys.Spec();
    spec.rsa = true;
    spec.subkey = true;
    rsaWithSubkey = TestKeys.generate(spec);
  }

  static SignatureVerifier verifier(TestKeys.Cert... certs) throws Exception {
    SignatureVerifier.Builder b = SignatureVerifier.builder();
    for (TestKeys.Cert c : certs) {
      b.keyring("test", c.keyring());
    }
    return b.build();
  }

  static Kind kindOf(ThrowingRunnable r) {
    try {
      r.run();
    } catch (SignatureInvalidException e) {
      return e.kind();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no SignatureInvalidException");
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void verifyClearsigned_ed25519_goodWithEscapedDashesAndTrailingWhitespace() throws Exception {
    byte[] file = TestKeys.clearsign(ed, TEXT, SIGNED);

    Verification v = verifier(ed).verifyClearsigned(file);

    assertThat(new String(v.content(), StandardCharsets.UTF_8)).isEqualTo(TEXT);
    assertThat(v.signers()).singleElement().satisfies(s -> {
      assertThat(s.algorithm()).isEqualTo("EdDSA");
      assertThat(s.primaryFingerprint()).isEqualTo(ed.primaryFingerprint());
      assertThat(s.createdAt()).isEqualTo(SIGNED);
    });
  }

  @Test
  void verifyClearsigned_trailingWhitespaceChanged_stillGood() throws Exception {
    String file = new String(TestKeys.clearsign(ed, TEXT, SIGNED), StandardCharsets.UTF_8)
        .replace("not signed   \t\n", "not signed\n").replace("Origin: reprox test\n", "Origin: reprox test \n");

    assertThat(verifier(ed).verifyClearsigned(file.getBytes(StandardCharsets.UTF_8)).signers()).hasSize(1);
  }

  @Test
  void verifyClearsigned_crlfFile_good() throws Exception {
    String file = new String(TestKeys.clearsign(ed, TEXT, SIGNED), StandardCharsets.UTF_8).replace("\n", "\r\n");

    assertThat(verifier(ed).verifyClearsigned(file.getBytes(StandardCharsets.UTF_8)).signers()).hasSize(1);
  }

  @Test
  void verifyClearsigned_unescapedDashLine_throwsMalformed() throws Exception {
    String file = new String(TestKeys.clearsign(ed, TEXT, SIGNED), StandardCharsets.UTF_8)
        .replace("- - a line", "-- a line");

    assertThat(kindOf(() -> verifier(ed).verifyClearsigned(file.getBytes(StandardCharsets.UTF_8))))
        .isEqualTo(Kind.MALFORMED);
  }

  @Test
  void verifyClearsigned_textAfterSignature_throwsMalformed() throws Exception {
    byte[] file = TestKeys.clearsign(ed, TEXT, SIGNED);
    byte[] appended = (new String(file, StandardCharsets.UTF_8) + "Origin: evil\n").getBytes(StandardCharsets.UTF_8);

    assertThat(kindOf(() -> verifier(ed).verifyClearsigned(appended))).isEqualTo(Kind.MALFORMED);
  }

  @Test
  void verifyClearsigned_rsaSubkey_reportsPrimaryAndSubkey() throws Exception {
    Verification v = verifier(rsaWithSubkey).verifyClearsigned(TestKeys.clearsign(rsaWithSubkey, TEXT, SIGNED));

    Signer s = v.signers().get(0);
    assertThat(s.algorithm()).isEqualTo("RSA");
    assertThat(s.primaryFingerprint()).isEqualTo(rsaWithSubkey.primaryFingerprint());
    assertThat(s.keyFingerprint()).isEqualTo(rsaWithSubkey.signingFingerprint()).isNotEqualTo(s.primaryFingerprint());
  }

  @Test
  void verifyClearsigned_onlyTheSigningCertificatesAreWorkedOut_sameOutcome() throws Exception {
    TestKeys.Cert other = TestKeys.ed25519();
    BcSignatureVerifier v = (BcSignatureVerifier) verifier(other, ed, rsaWithSubkey);
    assertThat(v.primaryFingerprints())
        .containsExactly(other.primaryFingerprint(), ed.primaryFingerprint(), rsaWithSubkey.primaryFingerprint());
    assertThat(v.certificatesWorkedOut()).isZero();

    assertThat(v.verifyClearsigned(TestKeys.clearsign(ed, TEXT, SIGNED)).signers())
        .singleElement().satisfies(s -> assertThat(s.primaryFingerprint()).isEqualTo(ed.primaryFingerprint()));
    assertThat(v.certificatesWorkedOut()).isEqualTo(1);

    Signer bySubkey = v.verifyClearsigned(TestKeys.clearsign(rsaWithSubkey, TEXT, SIGNED)).signers().get(0);
    assertThat(bySubkey.keyFingerprint()).isEqualTo(rsaWithSubkey.signingFingerprint());
    assertThat(v.certificatesWorkedOut()).isEqualTo(2);

    v.verifyClearsigned(TestKeys.clearsign(ed, TEXT, SIGNED));
    assertThat(v.certificatesWorkedOut()).isEqualTo(2);
  }

  @Test
  void verifyClearsigned_firstUseFromManyThreads_allGood_workedOutOnce() throws Exception {
    BcSignatureVerifier v = (BcSignatureVerifier) verifier(ed, rsaWithSubkey);
    byte[] file = TestKeys.clearsign(rsaWithSubkey, TEXT, SIGNED);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Verification>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return v.verifyClearsigned(file);
        }));
      }
      start.countDown();
      for (Future<Verification> r : results) {
        assertThat(r.get().signers()).singleElement()
            .satisfies(s -> assertThat(s.keyFingerprint()).isEqualTo(rsaWithSubkey.signingFingerprint()));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(v.certificatesWorkedOut()).isEqualTo(1);
  }

  @Test
  void verifyClearsigned_subkeyExpiredAtSignatureTime_throwsKeyExpired() throws Exception {
    TestKeys.Spec spec = new TestKeys.Spec();
    spec.subkey = true;
    spec.subkeyExpiresSeconds = 86_400; // expires 2020-01-02
    TestKeys.Cert cert = TestKeys.generate(spec);

    assertThat(kindOf(() -> verifier(cert).verifyClearsigned(TestKeys.clearsign(cert, TEXT, SIGNED))))
        .isEqualTo(Kind.KEY_EXPIRED);
    // Signed while still valid: good, even though the key has long expired by now (replay of history).
    Instant early = TestKeys.CREATED.plusSeconds(3_600);
    assertThat(verifier(cert).verifyClearsigned(TestKeys.clearsign(cert, TEXT, early)).signers()).hasSize(1);
  }

  @Test
  void verifyClearsigned_revokedSubkey_throwsKeyRevoked() throws Exception {
    TestKeys.Spec spec = new TestKeys.Spec();
    spec.subkey = true;
    spec.revokeSubkey = true;
    TestKeys.Cert cert = TestKeys.generate(spec);

    assertThatThrownBy(() -> verifier(cert).verifyClearsigned(TestKeys.clearsign(cert, TEXT, SIGNED)))
        .isInstanceOfSatisfying(SignatureInvalidException.class, e -> assertThat(e.kind()).isEqualTo(Kind.KEY_REVOKED))
        .hasMessageContaining("revoked");
  }

  @Test
  void verifyClearsigned_subkeyWithoutBackSignature_throwsKeyUnusable() throws Exception {
    TestKeys.Spec spec = new TestKeys.Spec();
    spec.subkey = true;
    spec.backSignature = false;
    TestKeys.Cert cert = TestKeys.generate(spec);

    assertThatThrownBy(() -> verifier(cert).verifyClearsigned(TestKeys.clearsign(cert, TEXT, SIGNED)))
        .isInstanceOfSatisfying(SignatureInvalidException.class, e -> assertThat(e.kind()).isEqualTo(Kind.KEY_UNUSABLE))
        .hasMessageContaining("back");
  }

  @Test
  void verifyClearsigned_subkeyWithoutSigningFlag_throwsKeyUnusable() throws Exception {
    TestKeys.Spec spec = new TestKeys.Spec();
    spec.subkey = true;
    spec.subkeyFlags = KeyFlags.ENCRYPT_COMMS | KeyFlags.ENCRYPT_STORAGE;
    TestKeys.Cert cert = TestKeys.generate(spec);

    assertThatThrownBy(() -> verifier(cert).verifyClearsigned(TestKeys.clearsign(cert, TEXT, SIGNED)))
        .isInstanceOfSatisfying(SignatureInvalidException.class, e -> assertThat(e.kind()).isEqualTo(Kind.KEY_UNUSABLE))
        .hasMessageContaining("key flags");
  }

  @Test
  void verifyClearsigned_subkeyNotInKeyringButPrimaryForged_noKnownSigner() throws Exception {
    TestKeys.Cert other = TestKeys.ed25519();

    assertThat(kindOf(() -> verifier(ed).verifyClearsigned(TestKeys.clearsign(other, TEXT, SIGNED))))
        .isEqualTo(Kind.NO_KNOWN_SIGNER);
  }

  @Test
  void verifyDetached_knownAndUnknownSigner_goodAndUnknownReported() throws Exception {
    TestKeys.Cert stranger = TestKeys.ed25519();
    byte[] data = TEXT.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream sigs = new ByteArrayOutputStream();
    sigs.writeBytes(TestKeys.signature(stranger, data, PGPSignature.BINARY_DOCUMENT, SIGNED, HashAlgorithmTags.SHA512));
    sigs.writeBytes(TestKeys.signature(ed, data, PGPSignature.BINARY_DOCUMENT, SIGNED, HashAlgorithmTags.SHA512));

    Verification v = verifier(ed).verifyDetached(data, TestKeys.armor(sigs.toByteArray()));

    assertThat(v.signers()).extracting(Signer::primaryFingerprint).containsExactly(ed.primaryFingerprint());
    assertThat(v.signers().get(0).hash()).isEqualTo("SHA512");
    assertThat(v.ignored()).singleElement().satisfies(i -> assertThat(i.kind()).isEqualTo(Kind.NO_KNOWN_SIGNER));
  }

  @Test
  void verifyDetached_twoArmorBlocks_bothRead() throws Exception {
    byte[] data = TEXT.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream sigs = new ByteArrayOutputStream();
    sigs.writeBytes(TestKeys.armor(TestKeys.signature(ed, data, PGPSignature.BINARY_DOCUMENT, SIGNED,
        HashAlgorithmTags.SHA256)));
    sigs.writeBytes(TestKeys.armor(TestKeys.signature(rsaWithSubkey, data, PGPSignature.BINARY_DOCUMENT, SIGNED,
        HashAlgorithmTags.SHA256)));

    Verification v = verifier(ed, rsaWithSubkey).verifyDetached(data, sigs.toByteArray());

    assertThat(v.signers()).extracting(Signer::primaryFingerprint)
        .containsExactly(ed.primaryFingerprint(), rsaWithSubkey.primaryFingerprint());
  }

  @Test
  void verifyDetached_oneOfTwoKeyringSignaturesBad_throwsBadSignature() throws Exception {
    byte[] data = TEXT.getBytes(StandardCharsets.UTF_8);
    byte[] other = "something else".getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream sigs = new ByteArrayOutputStream();
    sigs.writeBytes(TestKeys.signature(ed, data, PGPSignature.BINARY_DOCUMENT, SIGNED, HashAlgorithmTags.SHA256));
    sigs.writeBytes(TestKeys.signature(rsaWithSubkey, other, PGPSignature.BINARY_DOCUMENT, SIGNED, HashAlgorithmTags.SHA256));

    assertThatThrownBy(() -> verifier(ed, rsaWithSubkey).verifyDetached(data, sigs.toByteArray()))
        .isInstanceOfSatisfying(SignatureInvalidException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_SIGNATURE))
        .hasMessageContaining(rsaWithSubkey.signingFingerprint());
  }

  @Test
  void verifyDetached_sha1Only_throwsWeakHash() throws Exception {
    byte[] data = TEXT.getBytes(StandardCharsets.UTF_8);
    byte[] sig = TestKeys.signature(ed, data, PGPSignature.BINARY_DOCUMENT, SIGNED, HashAlgorithmTags.SHA1);

    assertThat(kindOf(() -> verifier(ed).verifyDetached(data, sig))).isEqualTo(Kind.WEAK_HASH);
  }

  @Test
  void verifyDetached_signatureBeforeKeyCreation_throwsKeyUnusable() throws Exception {
    byte[] data = TEXT.getBytes(StandardCharsets.UTF_8);
    byte[] sig = TestKeys.signature(ed, data, PGPSignature.BINARY_DOCUMENT, Instant.parse("2019-01-01T00:00:00Z"),
        HashAlgorithmTags.SHA256);

    assertThat(kindOf(() -> verifier(ed).verifyDetached(data, sig))).isEqualTo(Kind.KEY_UNUSABLE);
  }

  @Test
  void builder_concatenatedArmoredKeyrings_loadsBoth() throws Exception {
    ByteArrayOutputStream both = new ByteArrayOutputStream();
    both.writeBytes(ed.armoredKeyring());
    both.writeBytes(rsaWithSubkey.armoredKeyring());

    SignatureVerifier v = SignatureVerifier.builder().keyring("both.asc", both.toByteArray()).build();

    assertThat(v.primaryFingerprints())
        .containsExactly(ed.primaryFingerprint(), rsaWithSubkey.primaryFingerprint());
    assertThat(v.verifyClearsigned(TestKeys.clearsign(rsaWithSubkey, TEXT, SIGNED)).signers()).hasSize(1);
  }
}
