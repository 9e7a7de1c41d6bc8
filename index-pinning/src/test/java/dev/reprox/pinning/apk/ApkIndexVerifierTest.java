package dev.reprox.pinning.apk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.pinning.Fixtures;
import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.pinning.SignatureInvalidException.Kind;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ApkIndexVerifierTest {
  private static final String ALPINE = "real/alpine/v3.16-main-x86_64/APKINDEX.tar.gz";
  private static final String ALPINE_KEY = "alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub";
  private static final String OTHER_KEY = "alpine-devel@lists.alpinelinux.org-616ae350.rsa.pub";
  private static final String RECORDS = "C:Q1" + "A".repeat(27) + "=\nP:hello\nV:1.0-r0\nA:x86_64\nS:42\n\n";
  private static final KeyPair KEY = ApkTestData.rsaKey();

  private static ApkIndexVerifier verifier(String... keyNames) throws Exception {
    ApkIndexVerifier.Builder b = ApkIndexVerifier.builder();
    for (String name : keyNames) {
      b.key(name, Fixtures.bytes("keys/apk/" + name));
    }
    return b.build();
  }

  @Test
  void verify_alpineIndexWithItsKey_namesKeyOffsetAndMtime() throws Exception {
    ApkIndex index = verifier(ALPINE_KEY, OTHER_KEY).verify(Fixtures.bytes(ALPINE), "alpine " + ALPINE);

    assertThat(index.verifiedBy()).hasValueSatisfying(s -> {
      assertThat(s.keyName()).isEqualTo(ALPINE_KEY);
      assertThat(s.algorithm()).isEqualTo(ApkSignature.Algorithm.SHA1);
    });
    assertThat(index.signedOffset()).isEqualTo(667);
    assertThat(index.publishedAt()).hasValueSatisfying(t ->
        assertThat(t).isBetween(Instant.parse("2022-11-21T00:00:00Z"), Instant.parse("2022-11-23T00:00:00Z")));
    assertThat(index.description()).startsWith("v3.16");
  }

  @Test
  void verify_alpineIndexWithOtherKeyOnly_throwsNoKnownSigner() throws Exception {
    assertThatThrownBy(() -> verifier(OTHER_KEY).verify(Fixtures.bytes(ALPINE), ALPINE))
        .isInstanceOfSatisfying(SignatureInvalidException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NO_KNOWN_SIGNER))
        .hasMessageContaining("6165ee59");
  }

  @Test
  void verify_alpineIndexWithOtherKeyUnderItsName_throwsBadSignature() throws Exception {
    ApkIndexVerifier wrong = ApkIndexVerifier.builder().key(ALPINE_KEY, Fixtures.bytes("keys/apk/" + OTHER_KEY)).build();

    assertThatThrownBy(() -> wrong.verify(Fixtures.bytes(ALPINE), ALPINE))
        .isInstanceOfSatisfying(SignatureInvalidException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_SIGNATURE));
  }

  @Test
  void verify_wolfiIndex_verifiesAndHasNoPlausiblePublicationTime() throws Exception {
    ApkIndexVerifier wolfi = ApkIndexVerifier.builder().keyDirectory(Fixtures.path("keys/apk")).build();

    ApkIndex index = wolfi.verify(Fixtures.bytes("real/wolfi/APKINDEX.tar.gz"), "wolfi");

    assertThat(index.verifiedBy().orElseThrow().keyName()).isEqualTo("wolfi-signing.rsa.pub");
    assertThat(index.entryMtime()).isEqualTo(Instant.EPOCH);
    assertThat(index.publishedAt()).isEmpty();
    assertThat(wolfi.keyNames()).hasSize(19).contains(ALPINE_KEY, "wolfi-signing.rsa.pub");
  }

  @ParameterizedTest
  @EnumSource(ApkSignature.Algorithm.class)
  void verify_syntheticIndex_verifiesWithThrowawayKey(ApkSignature.Algorithm algorithm) throws Exception {
    byte[] file = ApkTestData.index(KEY, "test.rsa.pub", algorithm, RECORDS, 1_700_000_000L);
    ApkIndexVerifier verifier = ApkIndexVerifier.builder().key("test.rsa.pub", ApkTestData.pem(KEY)).build();

    ApkIndex index = verifier.verify(file, "synthetic");

    assertThat(index.verifiedBy().orElseThrow().algorithm()).isEqualTo(algorithm);
    assertThat(index.publishedAt()).contains(Instant.ofEpochSecond(1_700_000_000L));
    assertThat(index.description()).isEqualTo("test-repo");
  }

  @ParameterizedTest
  @EnumSource(ApkSignature.Algorithm.class)
  void verify_oneByteFlippedInSignedMember_throwsBadSignature(ApkSignature.Algorithm algorithm) throws Exception {
    byte[] file = ApkTestData.index(KEY, "test.rsa.pub", algorithm, RECORDS, 1_700_000_000L);
    ApkIndexVerifier verifier = ApkIndexVerifier.builder().key("test.rsa.pub", ApkTestData.pem(KEY)).build();
    int signedOffset = ApkIndex.parse(file, "synthetic").signedOffset();

    for (int at : new int[] {signedOffset + 5, signedOffset + 20, file.length - 9}) {
      byte[] tampered = Arrays.copyOf(file, file.length);
      tampered[at] ^= 0x01;
      assertThatThrownBy(() -> verifier.verify(tampered, "synthetic"))
          .as("byte %d flipped", at)
          .isInstanceOfSatisfying(SignatureInvalidException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_SIGNATURE));
    }
  }

  @Test
  void verify_truncatedOrGarbage_throwsMalformed() throws Exception {
    byte[] alpine = Fixtures.bytes(ALPINE);
    ApkIndexVerifier verifier = verifier(ALPINE_KEY);

    for (byte[] bad : new byte[][] {Arrays.copyOf(alpine, 300), "not gzip".getBytes(), new byte[0]}) {
      assertThatThrownBy(() -> verifier.verify(bad, "bad"))
          .isInstanceOfSatisfying(SignatureInvalidException.class, e -> assertThat(e.kind()).isEqualTo(Kind.MALFORMED));
    }
  }

  @Test
  void verify_unsignedIndex_throwsNoKnownSignerButParses() throws Exception {
    byte[] unsigned = ApkTestData.gzip(ApkTestData.tarEntry("APKINDEX", RECORDS.getBytes(), 1_700_000_000L), new byte[1024]);

    assertThatThrownBy(() -> verifier(ALPINE_KEY).verify(unsigned, "unsigned"))
        .isInstanceOfSatisfying(SignatureInvalidException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NO_KNOWN_SIGNER));
    ApkIndex parsed = ApkIndex.parse(unsigned, "unsigned");
    assertThat(parsed.signatures()).isEmpty();
    assertThat(parsed.signedOffset()).isZero();
    try (ApkIndexReader r = parsed.entries("")) {
      assertThat(r.nextEntry().fileName()).isEqualTo("hello-1.0-r0.apk");
    }
  }

  @Test
  void builder_notAPemKey_throws() {
    assertThatThrownBy(() -> ApkIndexVerifier.builder().key("x.rsa.pub", "junk".getBytes()))
        .hasMessageContaining("x.rsa.pub");
  }
}
