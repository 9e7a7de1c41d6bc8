package dev.reprox.pinning.pgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.pinning.Fixtures;
import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.pinning.SignatureInvalidException.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SignatureVerifierTest {
  private static final String DIR = "real/debian/bookworm/";
  private static SignatureVerifier debian;

  @BeforeAll
  static void loadKeyring() throws Exception {
    debian = SignatureVerifier.builder().keyring(Fixtures.path("keys/apt/debian-archive-keyring.gpg")).build();
  }

  @Test
  void verifyClearsigned_debianInRelease_allThreeSignersGood() throws Exception {
    Verification v = debian.verifyClearsigned(Fixtures.bytes(DIR + "InRelease"));

    assertThat(v.signers()).hasSize(3);
    assertThat(v.signers()).extracting(Signer::algorithm).containsExactlyInAnyOrder("RSA", "RSA", "EdDSA");
    assertThat(v.signers()).extracting(Signer::hash).containsOnly("SHA256");
    // The same three keys gpgv names for this file.
    assertThat(v.signers()).extracting(Signer::keyFingerprint).containsExactlyInAnyOrder(
        "4CB50190207B4758A3F73A796ED0E7B82643E131",
        "B8E5F13176D2A7A75220028078DBA3BC47EF2265",
        "4D64FEC119C2029067D6E791F8D2585B8783D481");
    assertThat(v.signers()).extracting(Signer::primaryFingerprint).doesNotHaveDuplicates();
    assertThat(v.ignored()).isEmpty();
    System.out.println("bookworm InRelease signers: " + v.signers());
  }

  @Test
  void verifyClearsigned_debianInRelease_worksOutOnlyItsThreeSignersCertificates() throws Exception {
    BcSignatureVerifier fresh = (BcSignatureVerifier) SignatureVerifier.builder()
        .keyring(Fixtures.path("keys/apt/debian-archive-keyring.gpg")).build();

    assertThat(fresh.verifyClearsigned(Fixtures.bytes(DIR + "InRelease")).signers()).hasSize(3);

    assertThat(fresh.primaryFingerprints()).hasSize(9);
    assertThat(fresh.certificatesWorkedOut()).isEqualTo(3);
  }

  @Test
  void verifyClearsigned_debianInRelease_cleartextEqualsRelease() throws Exception {
    Verification v = debian.verifyClearsigned(Fixtures.bytes(DIR + "InRelease"));

    assertThat(v.content()).isEqualTo(Fixtures.bytes(DIR + "Release"));
  }

  @Test
  void verifyDetached_debianRelease_sameSignersAsInRelease() throws Exception {
    Verification detached = debian.verifyDetached(Fixtures.bytes(DIR + "Release"), Fixtures.bytes(DIR + "Release.gpg"));
    Verification clear = debian.verifyClearsigned(Fixtures.bytes(DIR + "InRelease"));

    assertThat(detached.signers()).hasSize(3);
    assertThat(detached.signers()).extracting(Signer::keyFingerprint)
        .containsExactlyInAnyOrderElementsOf(clear.signers().stream().map(Signer::keyFingerprint).toList());
  }

  @Test
  void verifyClearsigned_oneByteChanged_throwsBadSignature() {
    byte[] file = Fixtures.bytes(DIR + "InRelease");
    int at = indexOf(file, "Codename: bookworm") + "Codename: ".length();
    file[at] = 'B';

    assertThatThrownBy(() -> debian.verifyClearsigned(file))
        .isInstanceOfSatisfying(SignatureInvalidException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_SIGNATURE))
        .hasMessageContaining("bad signature");
  }

  @Test
  void verifyDetached_oneByteChanged_throwsBadSignature() {
    byte[] data = Fixtures.bytes(DIR + "Release");
    data[data.length - 2] ^= 1;

    assertThatThrownBy(() -> debian.verifyDetached(data, Fixtures.bytes(DIR + "Release.gpg")))
        .isInstanceOfSatisfying(SignatureInvalidException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_SIGNATURE));
  }

  @Test
  void verifyClearsigned_keyringWithoutSigner_throwsNoKnownSigner() throws Exception {
    SignatureVerifier ubuntu = SignatureVerifier.builder()
        .keyring(Fixtures.path("keys/apt/ubuntu-archive-keyring.gpg")).build();

    assertThatThrownBy(() -> ubuntu.verifyClearsigned(Fixtures.bytes(DIR + "InRelease")))
        .isInstanceOfSatisfying(SignatureInvalidException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NO_KNOWN_SIGNER))
        .hasMessageContaining("no signature by a keyring key");
  }

  @Test
  void verifyClearsigned_truncatedSignature_throwsMalformed() {
    byte[] file = Fixtures.bytes(DIR + "InRelease");
    byte[] truncated = Arrays.copyOf(file, file.length - 200);

    assertThatThrownBy(() -> debian.verifyClearsigned(truncated))
        .isInstanceOfSatisfying(SignatureInvalidException.class, e -> assertThat(e.kind()).isEqualTo(Kind.MALFORMED));
  }

  @Test
  void verifyClearsigned_signatureBodyCut_throwsMalformed() {
    String text = new String(Fixtures.bytes(DIR + "InRelease"), StandardCharsets.ISO_8859_1);
    int begin = text.indexOf("-----BEGIN PGP SIGNATURE-----");
    int end = text.indexOf("-----END PGP SIGNATURE-----");
    String cut = text.substring(0, begin + (end - begin) / 2) + "\n" + text.substring(end);

    assertThatThrownBy(() -> debian.verifyClearsigned(cut.getBytes(StandardCharsets.ISO_8859_1)))
        .isInstanceOfSatisfying(SignatureInvalidException.class, e -> assertThat(e.kind()).isEqualTo(Kind.MALFORMED));
  }

  @Test
  void verifyDetached_truncatedSignature_throwsMalformed() {
    byte[] sig = Fixtures.bytes(DIR + "Release.gpg");

    assertThatThrownBy(() -> debian.verifyDetached(Fixtures.bytes(DIR + "Release"), Arrays.copyOf(sig, sig.length / 2)))
        .isInstanceOfSatisfying(SignatureInvalidException.class, e -> assertThat(e.kind()).isEqualTo(Kind.MALFORMED));
  }

  @Test
  void verifyClearsigned_garbage_throwsMalformed() {
    assertThatThrownBy(() -> debian.verifyClearsigned("hello\n".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOfSatisfying(SignatureInvalidException.class, e -> assertThat(e.kind()).isEqualTo(Kind.MALFORMED));
  }

  @Test
  void builder_ubuntuKeyring_loadsAllThreeCertificates() throws Exception {
    SignatureVerifier ubuntu = SignatureVerifier.builder()
        .keyring(Fixtures.path("keys/apt/ubuntu-archive-keyring.gpg")).build();

    assertThat(ubuntu.primaryFingerprints()).hasSize(3);
  }

  @Test
  void builder_garbageKeyring_throwsKeyringException() {
    assertThatThrownBy(() -> SignatureVerifier.builder().keyring("junk", new byte[] {1, 2, 3}).build())
        .isInstanceOf(KeyringException.class).hasMessageContaining("junk");
  }

  @Test
  void signedAt_debianInRelease_isBeforeDate() throws Exception {
    Verification v = debian.verifyClearsigned(Fixtures.bytes(DIR + "InRelease"));

    assertThat(v.signedAt()).isBetween(Instant.parse("2026-07-11T10:00:00Z"), Instant.parse("2026-07-12T00:00:00Z"));
  }

  @Test
  void verifyClearsigned_randomMutations_neverGoodNeverRuntimeException() {
    byte[] file = Fixtures.bytes(DIR + "InRelease");
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 60; i++) {
      byte[] mutated = file.clone();
      int at = random.nextInt(file.length);
      mutated[at] = (byte) (mutated[at] ^ (1 + random.nextInt(255)));
      try {
        Verification v = debian.verifyClearsigned(mutated);
        // Only a change to unsigned bytes (trailing whitespace, armor headers, CR) may still verify.
        assertThat(v.content()).as("mutation at %d verified with changed content", at).isEqualTo(
            Fixtures.bytes(DIR + "Release"));
      } catch (SignatureInvalidException expected) {
        assertThat(expected.getMessage()).isNotBlank();
      }
    }
  }

  static int indexOf(byte[] b, String s) {
    return KeyringLoader.indexOf(b, s.getBytes(StandardCharsets.US_ASCII), 0);
  }
}
