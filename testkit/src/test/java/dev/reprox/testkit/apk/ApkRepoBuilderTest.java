package dev.reprox.testkit.apk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.pinning.apk.ApkControl;
import dev.reprox.pinning.apk.ApkIndex;
import dev.reprox.pinning.apk.ApkIndexEntry;
import dev.reprox.pinning.apk.ApkIndexReader;
import dev.reprox.pinning.apk.ApkIndexVerifier;
import dev.reprox.pinning.apk.ApkPackages;
import dev.reprox.testkit.apk.ApkGeneration.BuiltApk;

/** The fixtures pass reprox's own apk readers, and are shaped like real Alpine packages. */
class ApkRepoBuilderTest {

  private static final Instant T1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final Instant T2 = Instant.parse("2024-03-02T12:00:00Z");
  private static final Path REAL_APK =
      Path.of("../fixtures/real/alpine/packages/alpine-baselayout-3.2.0-r23.apk");
  private static final ApkKey KEY = ApkKey.generate("testkit-1.rsa.pub");

  @TempDir
  Path tmp;

  @Test
  void publish_indexVerifiesWithPinningVerifier_recordsMatchEveryApk() throws Exception {
    ApkRepoBuilder repo = ApkRepoBuilder.in(tmp.resolve("repo")).key(KEY).date(T1)
        .add("foo", "1.0-r0").add(ApkPackage.of("bar", "2.1-r3").withDepends("foo"));
    ApkGeneration g1 = repo.publish();

    ApkIndex index = verifier(repo).verify(Files.readAllBytes(g1.resolve(g1.index())), g1.index());

    assertThat(g1.index()).isEqualTo("v3.20/main/x86_64/APKINDEX.tar.gz");
    assertThat(index.verifiedBy()).isPresent();
    assertThat(index.entryMtime()).isEqualTo(T1);
    assertThat(index.publishedAt()).contains(T1);
    List<ApkIndexEntry> entries = entries(index);
    assertThat(entries).extracting(ApkIndexEntry::fileName).containsExactly("bar-2.1-r3.apk", "foo-1.0-r0.apk");
    for (ApkIndexEntry e : entries) {
      BuiltApk apk = g1.apk(e.name());
      byte[] bytes = Files.readAllBytes(g1.resolve(apk.path()));
      ApkControl control = ApkPackages.controlHash(new ByteArrayInputStream(bytes), apk.path());
      assertThat(control.q1()).isEqualTo(e.q1());
      assertThat(control.signed()).isTrue();
      assertThat(control.start()).isEqualTo(apk.controlStart());
      assertThat(control.end()).isEqualTo(apk.controlEnd());
      assertThat(e.size()).isEqualTo(bytes.length).isEqualTo(apk.size());
      assertThat(apk.q1()).isEqualTo("Q1" + Base64.getEncoder().encodeToString(e.q1().value()));
    }
  }

  @Test
  void publish_secondGeneration_newVersionOldApkRemoved() throws Exception {
    ApkRepoBuilder repo = ApkRepoBuilder.in(tmp.resolve("repo")).key(KEY).date(T1).add("foo", "1.0-r0");
    ApkGeneration g1 = repo.publish();
    ApkGeneration g2 = repo.remove("foo").add("foo", "1.1-r0").date(T2).publish();

    assertThat(g1.resolve(g1.apk("foo").path())).doesNotExist();
    assertThat(g2.resolve(g2.apk("foo").path())).exists();
    assertThat(g2.indexSha256()).isNotEqualTo(g1.indexSha256());
    ApkIndex index = verifier(repo).verify(Files.readAllBytes(g2.resolve(g2.index())), g2.index());
    assertThat(index.entryMtime()).isEqualTo(T2);
    assertThat(entries(index)).singleElement().satisfies(e -> assertThat(e.version()).isEqualTo("1.1-r0"));
  }

  @Test
  void publish_sameInputsSameKey_byteIdentical() throws Exception {
    ApkGeneration a = ApkRepoBuilder.in(tmp.resolve("a")).key(KEY).date(T1).add("foo", "1.0-r0").publish();
    ApkGeneration b = ApkRepoBuilder.in(tmp.resolve("b")).key(KEY).date(T1).add("foo", "1.0-r0").publish();

    assertThat(b.indexSha256()).isEqualTo(a.indexSha256());
    assertThat(b.apk("foo").sha256()).isEqualTo(a.apk("foo").sha256());
  }

  @Test
  void publish_rsa256_verifies() throws Exception {
    ApkRepoBuilder repo = ApkRepoBuilder.in(tmp.resolve("repo")).key(KEY).rsa256(true).date(T1).add("foo", "1.0-r0");
    ApkGeneration g1 = repo.publish();

    ApkIndex index = verifier(repo).verify(Files.readAllBytes(g1.resolve(g1.index())), g1.index());

    assertThat(index.verifiedBy()).hasValueSatisfying(s -> assertThat(s.toString()).contains("RSA256"));
  }

  @Test
  void tamperIndex_verifyFailsBadSignature() throws Exception {
    ApkRepoBuilder repo = ApkRepoBuilder.in(tmp.resolve("repo")).key(KEY).date(T1).add("foo", "1.0-r0");
    ApkGeneration g1 = repo.publish();
    repo.tamperIndex();
    byte[] tampered = Files.readAllBytes(g1.resolve(g1.index()));

    assertThat(tampered).hasSize((int) g1.indexSize());
    assertThatThrownBy(() -> verifier(repo).verify(tampered, g1.index()))
        .isInstanceOfSatisfying(SignatureInvalidException.class,
            e -> assertThat(e.kind()).isEqualTo(SignatureInvalidException.Kind.BAD_SIGNATURE));
  }

  @Test
  void otherKey_verifyFailsNoKnownSigner() throws Exception {
    ApkRepoBuilder repo = ApkRepoBuilder.in(tmp.resolve("repo")).key(KEY).date(T1).add("foo", "1.0-r0");
    ApkGeneration g1 = repo.publish();
    ApkKey stranger = ApkKey.generate("stranger.rsa.pub");
    ApkIndexVerifier verifier = ApkIndexVerifier.builder().key(stranger.name(), stranger.publicKeyPem()).build();

    assertThatThrownBy(() -> verifier.verify(Files.readAllBytes(g1.resolve(g1.index())), g1.index()))
        .isInstanceOfSatisfying(SignatureInvalidException.class,
            e -> assertThat(e.kind()).isEqualTo(SignatureInvalidException.Kind.NO_KNOWN_SIGNER));
  }

  @Test
  void tamperApk_controlHashNoLongerMatchesIndex() throws Exception {
    ApkRepoBuilder repo = ApkRepoBuilder.in(tmp.resolve("repo")).key(KEY).date(T1).add("foo", "1.0-r0");
    ApkGeneration g1 = repo.publish();
    repo.tamperApk("foo");
    BuiltApk foo = g1.apk("foo");

    byte[] bytes = Files.readAllBytes(g1.resolve(foo.path()));
    assertThat(bytes).hasSize((int) foo.size());
    String actual;
    try {
      ApkControl control = ApkPackages.controlHash(new ByteArrayInputStream(bytes), foo.path());
      actual = "Q1" + Base64.getEncoder().encodeToString(control.q1().value());
    } catch (Exception e) {
      actual = "unreadable: " + e;
    }
    assertThat(actual).isNotEqualTo(foo.q1());
  }

  @Test
  void layout_matchesRealAlpinePackage_signatureControlData() throws Exception {
    ApkGeneration g1 = ApkRepoBuilder.in(tmp.resolve("repo")).key(KEY).date(T1).add("foo", "1.0-r0").publish();
    byte[] built = Files.readAllBytes(g1.resolve(g1.apk("foo").path()));
    byte[] real = Files.readAllBytes(REAL_APK);

    ApkControl realControl = ApkPackages.controlHash(new ByteArrayInputStream(real), "real");
    assertThat(realControl.start()).isEqualTo(666);
    assertThat(realControl.end()).isEqualTo(2229);
    for (byte[] apk : List.of(real, built)) {
      ApkControl c = ApkPackages.controlHash(new ByteArrayInputStream(apk), "apk");
      byte[] sig = inflate(apk, 0, (int) c.start());
      byte[] control = inflate(apk, (int) c.start(), (int) c.end());
      byte[] data = inflate(apk, (int) c.end(), apk.length);
      assertThat(entryName(sig)).startsWith(".SIGN.RSA.");
      assertThat(endsWithEndOfArchive(sig)).as("signature tar is cut").isFalse();
      assertThat(new String(control, java.nio.charset.StandardCharsets.UTF_8)).contains(".PKGINFO", "datahash = ");
      assertThat(endsWithEndOfArchive(control)).as("control tar is cut").isFalse();
      assertThat(endsWithEndOfArchive(data)).as("data tar is complete").isTrue();
      assertThat(sig.length % 512).isZero();
      assertThat(control.length % 512).isZero();
    }
    String pkginfo = new String(inflate(built, (int) g1.apk("foo").controlStart(), (int) g1.apk("foo").controlEnd()),
        java.nio.charset.StandardCharsets.UTF_8);
    String dataSha256 = dev.reprox.testkit.apk.ApkArchives.hex("SHA-256",
        java.util.Arrays.copyOfRange(built, (int) g1.apk("foo").controlEnd(), built.length));
    assertThat(pkginfo).contains("datahash = " + dataSha256 + "\n", "pkgname = foo\n", "pkgver = 1.0-r0\n");
  }

  private static ApkIndexVerifier verifier(ApkRepoBuilder repo) throws Exception {
    return ApkIndexVerifier.builder().key(repo.key().name(), repo.key().publicKeyPem()).build();
  }

  private static List<ApkIndexEntry> entries(ApkIndex index) throws Exception {
    List<ApkIndexEntry> out = new ArrayList<>();
    try (ApkIndexReader reader = index.entries("")) {
      for (ApkIndexEntry e = reader.nextEntry(); e != null; e = reader.nextEntry()) {
        out.add(e);
      }
    }
    return out;
  }

  private static byte[] inflate(byte[] bytes, int from, int to) throws Exception {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes, from, to - from))) {
      return in.readAllBytes();
    }
  }

  private static String entryName(byte[] tar) {
    int end = 0;
    while (end < 100 && tar[end] != 0) {
      end++;
    }
    return new String(tar, 0, end, java.nio.charset.StandardCharsets.US_ASCII);
  }

  private static boolean endsWithEndOfArchive(byte[] tar) {
    if (tar.length < 1024) {
      return false;
    }
    for (int i = tar.length - 1024; i < tar.length; i++) {
      if (tar[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
