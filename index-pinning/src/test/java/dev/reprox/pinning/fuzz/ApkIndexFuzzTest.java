package dev.reprox.pinning.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.pinning.apk.ApkFormat;
import dev.reprox.pinning.apk.ApkIndexVerifier;
import dev.reprox.pinning.apk.ApkPackages;
import dev.reprox.pinning.pgp.KeyringException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * apk indexes ({@code APKINDEX.tar.gz}: gzip members, tar segments, signature entries, records)
 * and .apk control members from any bytes: only {@link IndexParseException},
 * {@link SignatureInvalidException} and {@link IOException} may come out. Raw bytes rarely get
 * past gzip's CRC, so most modes let the harness do the gzip (and the RSA signature) around
 * fuzzed tar bytes or record text. Mode (first byte): 0 raw index, unverified; 1 raw index,
 * verifying; 2 payload split into a signature tar and an index tar, each gzipped; 3 payload as
 * APKINDEX text in a correctly signed index; 4 fuzzed signature tar before a good index tar;
 * 5 raw .apk through the control hasher; 6 two fuzzed tars gzipped as an .apk; 7 raw bytes as a
 * listing.
 */
class ApkIndexFuzzTest {
  static final String PATH = "v3.16/main/x86_64/APKINDEX.tar.gz";
  private static final String KEY_NAME = "fuzz-0001.rsa.pub";
  private static final KeyPair RSA = rsa();
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private static final ApkFormat UNVERIFIED = ApkFormat.builder().clock(CLOCK).build();
  static final ApkFormat VERIFYING = verifying();

  private static KeyPair rsa() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ApkFormat verifying() {
    String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(RSA.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    try {
      return ApkFormat.builder().clock(CLOCK)
          .verifier(ApkIndexVerifier.builder().key(KEY_NAME, pem.getBytes(StandardCharsets.US_ASCII)).build())
          .build();
    } catch (KeyringException e) {
      throw new IllegalStateException(e);
    }
  }

  @FuzzTest(maxDuration = "3s")
  void apkIndex_anyBytes_onlyTypedErrors(byte[] data) {
    byte[] payload = FuzzSupport.payload(data);
    try {
      switch (FuzzSupport.mode(data, 8)) {
        case 0 -> UNVERIFIED.verifyRoot(PATH, payload, null);
        case 1 -> VERIFYING.verifyRoot(PATH, payload, null);
        case 2 -> {
          byte[][] parts = FuzzSupport.split(payload);
          UNVERIFIED.verifyRoot(PATH, concat(FuzzSupport.gzip(parts[0]), FuzzSupport.gzip(parts[1])), null);
        }
        case 3 -> VERIFYING.verifyRoot(PATH, signedIndex(payload), null);
        case 4 -> {
          byte[][] parts = FuzzSupport.split(payload);
          byte[] index = FuzzSupport.gzip(concat(tarEntry("DESCRIPTION", "v3.16.9".getBytes(StandardCharsets.UTF_8)),
              tarEntry("APKINDEX", parts[1]), new byte[1024]));
          UNVERIFIED.verifyRoot(PATH, concat(FuzzSupport.gzip(parts[0]), index), null);
        }
        case 5 -> ApkPackages.controlHash(new ByteArrayInputStream(payload), "fuzz.apk");
        case 6 -> {
          byte[][] parts = FuzzSupport.split(payload);
          ApkPackages.controlHash(new ByteArrayInputStream(
              concat(FuzzSupport.gzip(parts[0]), FuzzSupport.gzip(parts[1]), FuzzSupport.gzip(new byte[64]))), "fuzz.apk");
        }
        default -> {
          try (ListingReader reader = UNVERIFIED.openListing(PATH, new ByteArrayInputStream(payload))) {
            for (ListedFile f = reader.next(); f != null; f = reader.next()) {
              // drain: every record must parse or fail typed
            }
          }
        }
      }
    } catch (IndexParseException | SignatureInvalidException | IOException expected) {
      // the contract: malformed input is a typed, checked error
    }
  }

  /** An index as abuild writes it around {@code text}, signed with the fuzz key. */
  static byte[] signedIndex(byte[] text) {
    byte[] index = FuzzSupport.gzip(concat(tarEntry("DESCRIPTION", "v3.16.9".getBytes(StandardCharsets.UTF_8)),
        tarEntry("APKINDEX", text), new byte[1024]));
    try {
      Signature s = Signature.getInstance("SHA1withRSA");
      s.initSign(RSA.getPrivate());
      s.update(index);
      byte[] signature = tarEntry(".SIGN.RSA." + KEY_NAME, s.sign());
      return concat(FuzzSupport.gzip(signature), index);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One tar entry: header and content padded to 512, no end-of-archive blocks (as apk writes them). */
  static byte[] tarEntry(String name, byte[] content) {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(content.length);
    e.setModTime(1_700_000_000_000L);
    e.setMode(0644);
    byte[] header = new byte[512];
    e.writeEntryHeader(header);
    byte[] out = new byte[512 + (content.length + 511) / 512 * 512];
    System.arraycopy(header, 0, out, 0, 512);
    System.arraycopy(content, 0, out, 512, content.length);
    return out;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
