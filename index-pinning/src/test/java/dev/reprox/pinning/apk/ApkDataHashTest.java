package dev.reprox.pinning.apk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The data part's SHA-256 and .PKGINFO's datahash, as apk-tools compares them. */
class ApkDataHashTest {
  private static final KeyPair KEY = ApkTestData.rsaKey();

  @Test
  void dataSha256_fedInAnyPieces_isHashOfEveryByteAfterControl_datahashReadFromPkginfo() throws Exception {
    byte[] data = ApkTestData.gzip(ApkTestData.tarEntry("usr/share/x/payload", new byte[70_000], 1_700_000_000L));
    String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    byte[] apk = apk("# datahash = 00\npkgname = x\ndatahash = " + hex + "\npkgver = 1-r0\n", data);

    for (int piece : new int[] {1, 7, 4096, apk.length}) {
      ApkControlHasher hasher = ApkPackages.controlHasher("x");
      for (int off = 0; off < apk.length; off += piece) {
        hasher.update(apk, off, Math.min(piece, apk.length - off));
      }
      ApkControl control = hasher.finish();

      assertThat(control.datahash()).as("piece %d", piece).isEqualTo(hex);
      assertThat(HexFormat.of().formatHex(hasher.dataSha256())).as("piece %d", piece).isEqualTo(hex);
      assertThat(hasher.size()).isEqualTo(apk.length);
    }
  }

  @Test
  void finish_pkginfoWithoutDatahash_datahashNull() throws Exception {
    ApkTestData.Apk apk = ApkTestData.apk(KEY, "test.rsa.pub", "hello", "1.0-r0", new byte[10]);
    ApkControlHasher hasher = ApkPackages.controlHasher("hello");
    byte[] bytes = apk.bytes();
    hasher.update(bytes, 0, bytes.length);

    assertThat(hasher.finish().datahash()).isNull();
  }

  private static byte[] apk(String pkginfo, byte[] data) {
    byte[] control = ApkTestData.gzip(ApkTestData.tarEntry(".PKGINFO", pkginfo.getBytes(StandardCharsets.UTF_8), 1_700_000_000L));
    byte[] signature = ApkTestData.signatureMember(KEY.getPrivate(), "test.rsa.pub", ApkSignature.Algorithm.SHA1, control);
    return ApkTestData.concat(signature, control, data);
  }
}
