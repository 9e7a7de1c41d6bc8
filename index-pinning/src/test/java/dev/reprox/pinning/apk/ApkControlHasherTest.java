package dev.reprox.pinning.apk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.pinning.Fixtures;
import dev.reprox.pinning.IndexParseException;
import dev.reprox.storage.Alias;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

class ApkControlHasherTest {
  private static final KeyPair KEY = ApkTestData.rsaKey();

  @Test
  void controlHash_realAlpinePackage_findsControlMemberThatItsSignatureAndDatahashConfirm() throws Exception {
    byte[] apk = Fixtures.bytes("real/alpine/packages/alpine-baselayout-3.2.0-r23.apk");

    ApkControl control = ApkPackages.controlHash(new ByteArrayInputStream(apk), "alpine-baselayout");

    assertThat(control.start()).isEqualTo(666);
    assertThat(control.end()).isEqualTo(2229);
    assertThat(control.signed()).isTrue();
    assertBoundariesProven(apk, control, "alpine-devel@lists.alpinelinux.org-616ae350.rsa.pub");
  }

  @Test
  void controlHash_realWolfiPackage_findsControlMemberThatItsSignatureAndDatahashConfirm() throws Exception {
    byte[] apk = Fixtures.bytes("real/wolfi/ruby3.2-base64-0.2.0-r2.apk");

    ApkControl control = ApkPackages.controlHash(new ByteArrayInputStream(apk), "ruby3.2-base64");

    assertThat(control.signed()).isTrue();
    assertBoundariesProven(apk, control, "wolfi-signing.rsa.pub");
  }

  /**
   * The package's own signature is over exactly the control member, and .PKGINFO's datahash is the
   * SHA-256 of exactly what follows it: both fail if a boundary is off by one byte.
   */
  private static void assertBoundariesProven(byte[] apk, ApkControl control, String keyName) throws Exception {
    byte[] member = Arrays.copyOfRange(apk, (int) control.start(), (int) control.end());
    assertThat(control.q1()).isEqualTo(new Alias(Alias.Kind.APK_Q1, MessageDigest.getInstance("SHA-1").digest(member)));
    assertThat(control.q2()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(member));

    byte[] signature = firstEntry(Arrays.copyOfRange(apk, 0, (int) control.start()), ".SIGN.RSA." + keyName);
    Signature rsa = Signature.getInstance("SHA1withRSA");
    rsa.initVerify(publicKey(Fixtures.bytes("keys/apk/" + keyName)));
    rsa.update(member);
    assertThat(rsa.verify(signature)).as("package signature over [start, end)").isTrue();

    String pkginfo = new String(firstEntry(member, ".PKGINFO"), StandardCharsets.UTF_8);
    String datahash = pkginfo.lines().filter(l -> l.startsWith("datahash = ")).findFirst().orElseThrow().substring(11);
    byte[] data = Arrays.copyOfRange(apk, (int) control.end(), apk.length);
    assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data))).isEqualTo(datahash);
  }

  private static byte[] firstEntry(byte[] gzipMember, String name) throws Exception {
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(gzipMember)))) {
      TarArchiveEntry e = tar.getNextEntry();
      assertThat(e.getName()).isEqualTo(name);
      return tar.readAllBytes();
    }
  }

  private static PublicKey publicKey(byte[] pem) throws Exception {
    String body = new String(pem, StandardCharsets.US_ASCII).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
  }

  @Test
  void update_syntheticPackageFedOneByteAtATime_matchesWholeAndIndexEntry() throws Exception {
    ApkTestData.Apk apk = ApkTestData.apk(KEY, "test.rsa.pub", "hello", "1.0-r0", new byte[100_000]);
    byte[] bytes = apk.bytes();
    Alias expected = new Alias(Alias.Kind.APK_Q1, MessageDigest.getInstance("SHA-1").digest(apk.control()));

    ApkControlHasher hasher = ApkPackages.controlHasher("hello");
    for (int i = 0; i < bytes.length; i++) {
      hasher.update(bytes, i, 1);
    }
    ApkControl control = hasher.finish();

    assertThat(control.q1()).isEqualTo(expected);
    assertThat(control.start()).isEqualTo(apk.signature().length);
    assertThat(control.end()).isEqualTo(apk.signature().length + apk.control().length);
    assertThat(hasher.size()).isEqualTo(bytes.length);
    String records = "C:Q1" + Base64.getEncoder().encodeToString(expected.value()) + "\nP:hello\nV:1.0-r0\nS:" + bytes.length + "\n";
    byte[] index = ApkTestData.index(KEY, "test.rsa.pub", ApkSignature.Algorithm.SHA1, records, 1_700_000_000L);
    try (ApkIndexReader r = ApkIndex.parse(index, "synthetic").entries("")) {
      ApkIndexEntry entry = r.nextEntry();
      assertThat(entry.q1()).isEqualTo(control.q1());
      assertThat(entry.size()).isEqualTo(hasher.size());
    }
  }

  @Test
  void controlHash_unsignedPackage_controlIsFirstMember() throws Exception {
    ApkTestData.Apk apk = ApkTestData.apk(null, null, "hello", "1.0-r0", new byte[10]);

    ApkControl control = ApkPackages.controlHash(new ByteArrayInputStream(apk.bytes()), "hello");

    assertThat(control.signed()).isFalse();
    assertThat(control.start()).isZero();
    assertThat(control.end()).isEqualTo(apk.control().length);
  }

  @Test
  void controlHash_stopsReadingAfterControlMember() throws Exception {
    ApkTestData.Apk apk = ApkTestData.apk(KEY, "test.rsa.pub", "big", "1", new byte[4 * 1024 * 1024]);
    byte[] bytes = apk.bytes();
    long[] read = {0};
    InputStream counting = new java.io.FilterInputStream(new ByteArrayInputStream(bytes)) {
      @Override
      public int read(byte[] b, int off, int len) throws java.io.IOException {
        int n = super.read(b, off, Math.min(len, 1024));
        read[0] += Math.max(n, 0);
        return n;
      }
    };

    ApkPackages.controlHash(counting, "big");

    assertThat(read[0]).isLessThan(apk.signature().length + apk.control().length + 1024);
  }

  @Test
  void controlHash_truncatedInControlMember_throws() {
    ApkTestData.Apk apk = ApkTestData.apk(KEY, "test.rsa.pub", "hello", "1", new byte[10]);
    byte[] cut = Arrays.copyOf(apk.bytes(), apk.signature().length + apk.control().length - 3);

    assertThatThrownBy(() -> ApkPackages.controlHash(new ByteArrayInputStream(cut), "hello"))
        .isInstanceOf(IndexParseException.class).hasMessageContaining("hello").hasMessageContaining("truncated");
  }

  @Test
  void controlHash_memberWithoutPkginfoOrCorruptMember_throws() {
    byte[] noPkginfo = ApkTestData.gzip(ApkTestData.tarEntry("etc/motd", new byte[5], 0));
    ApkTestData.Apk apk = ApkTestData.apk(KEY, "test.rsa.pub", "hello", "1", new byte[10]);
    byte[] corrupt = apk.bytes();
    corrupt[apk.signature().length + apk.control().length - 6] ^= 0x10; // inside the control member's CRC

    assertThatThrownBy(() -> ApkPackages.controlHash(new ByteArrayInputStream(noPkginfo), "motd"))
        .isInstanceOf(IndexParseException.class).hasMessageContaining(".PKGINFO");
    assertThatThrownBy(() -> ApkPackages.controlHash(new ByteArrayInputStream(corrupt), "corrupt"))
        .isInstanceOf(IndexParseException.class).hasMessageContaining("CRC");
    assertThatThrownBy(() -> ApkPackages.controlHash(new ByteArrayInputStream("plain text".getBytes()), "text"))
        .isInstanceOf(IndexParseException.class).hasMessageContaining("not gzip");
  }
}
