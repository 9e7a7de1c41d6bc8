package dev.reprox.pinning.fuzz;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.apk.ApkIndex;
import dev.reprox.pinning.apk.ApkPackages;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression: a tar header whose size is a negative GNU base-256 number. In the signature member
 * of an APKINDEX it made the header walk step by zero bytes (a hang: size -1024) or backwards
 * (an ArrayIndexOutOfBoundsException: size -1536); it must be a parse error. The timeouts run the
 * test in a separate thread because a busy loop ignores interrupts.
 */
class ApkNegativeTarSizeTest {

  /** A ustar header for {@code name} whose 12-byte size field is base-256 {@code size}. */
  static byte[] headerWithSize(String name, long size) {
    byte[] h = new byte[512];
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(n, 0, h, 0, n.length);
    System.arraycopy("0000644\0".getBytes(StandardCharsets.US_ASCII), 0, h, 100, 8);
    h[124] = (byte) 0x80;
    for (int i = 0; i < 8; i++) {
      h[135 - i] = (byte) (size >>> (8 * i));
    }
    System.arraycopy("14000000000\0".getBytes(StandardCharsets.US_ASCII), 0, h, 136, 12);
    h[156] = '0';
    System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
    h[263] = '0';
    h[264] = '0';
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
    }
    byte[] checksum = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(checksum, 0, h, 148, 8);
    return h;
  }

  private static byte[] index(long signatureSize) {
    return ApkIndexFuzzTest.concat(FuzzSupport.gzip(headerWithSize(".SIGN.X", signatureSize)),
        FuzzSupport.gzip(ApkIndexFuzzTest.tarEntry("APKINDEX", "P:a\n".getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void parse_signatureEntryOfSizeMinus1024_throwsParseErrorInsteadOfHanging() {
    assertThatThrownBy(() -> ApkIndex.parse(index(-1024), "fuzz APKINDEX.tar.gz"))
        .isInstanceOf(IndexParseException.class);
  }

  @Test
  @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void parse_signatureEntryOfSizeMinus1536_throwsParseErrorNotIndexOutOfBounds() {
    assertThatThrownBy(() -> ApkIndex.parse(index(-1536), "fuzz APKINDEX.tar.gz"))
        .isInstanceOf(IndexParseException.class);
  }

  @Test
  @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void controlHash_entryOfNegativeSize_throwsParseError() {
    byte[] apk = FuzzSupport.gzip(headerWithSize(".PKGINFO", -1536));
    assertThatThrownBy(() -> ApkPackages.controlHash(new ByteArrayInputStream(apk), "fuzz.apk"))
        .isInstanceOf(IndexParseException.class);
  }
}
