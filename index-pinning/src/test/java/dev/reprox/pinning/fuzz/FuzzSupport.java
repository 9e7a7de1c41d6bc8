package dev.reprox.pinning.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Date;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * Shared by the fuzz targets: a throwaway Ed25519 OpenPGP key (generated once per JVM, so fuzzed
 * bytes can also reach the parsers behind a GOOD signature), signing, and compression wrappers.
 * Fuzz inputs are {@code byte[]}: the first byte picks a mode, the rest is the payload, so seed
 * files are easy to write by hand ({@code printf '\x01' > seed; cat sample >> seed}).
 */
final class FuzzSupport {
  private FuzzSupport() {}

  /** The throwaway key: its public keyring and the private half. */
  static final class Key {
    final byte[] keyring;
    private final PGPKeyPair pair;
    private final PGPPrivateKey privateKey;

    private Key() {
      try {
        Date created = new Date(1_577_836_800_000L); // 2020-01-01: before every signature made here
        Ed25519KeyPairGenerator g = new Ed25519KeyPairGenerator();
        g.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        pair = new BcPGPKeyPair(PublicKeyAlgorithmTags.EDDSA_LEGACY, g.generateKeyPair(), created);
        PGPSignatureSubpacketGenerator self = new PGPSignatureSubpacketGenerator();
        self.setKeyFlags(false, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
        self.setSignatureCreationTime(false, created);
        PGPKeyRingGenerator gen = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, pair,
            "reprox fuzz <fuzz@example.org>", new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1),
            self.generate(), null, signerBuilder(), null);
        keyring = gen.generatePublicKeyRing().getEncoded();
        privateKey = gen.generateSecretKeyRing().getSecretKey().extractPrivateKey(null);
      } catch (PGPException | IOException e) {
        throw new IllegalStateException("make throwaway fuzz key", e);
      }
    }

    private BcPGPContentSignerBuilder signerBuilder() {
      return new BcPGPContentSignerBuilder(pair.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA512);
    }

    /** A binary detached signature (type binary document) over {@code data}. */
    byte[] signDetached(byte[] data) {
      try {
        PGPSignatureGenerator gen = new PGPSignatureGenerator(signerBuilder(), pair.getPublicKey());
        gen.init(PGPSignature.BINARY_DOCUMENT, privateKey);
        PGPSignatureSubpacketGenerator sub = new PGPSignatureSubpacketGenerator();
        sub.setSignatureCreationTime(false, new Date(1_700_000_000_000L));
        sub.setIssuerFingerprint(false, pair.getPublicKey());
        gen.setHashedSubpackets(sub.generate());
        gen.update(data);
        return gen.generate().getEncoded();
      } catch (PGPException | IOException e) {
        throw new IllegalStateException("sign fuzz input", e);
      }
    }

    /**
     * {@code text} clearsigned as RFC 4880 §7 says: dash-escaped, and the signature made over the
     * lines without trailing whitespace joined by CRLF (no final line ending).
     */
    byte[] clearsign(byte[] text) {
      String s = new String(text, StandardCharsets.ISO_8859_1);
      String[] lines = s.split("\n", -1);
      if (lines.length > 1 && lines[lines.length - 1].isEmpty()) {
        lines = Arrays.copyOf(lines, lines.length - 1);
      }
      StringBuilder signed = new StringBuilder();
      StringBuilder body = new StringBuilder();
      for (int i = 0; i < lines.length; i++) {
        String line = lines[i];
        body.append(line.startsWith("-") ? "- " + line : line).append('\n');
        if (i > 0) {
          signed.append("\r\n");
        }
        signed.append(line.replaceAll("[ \t\r]+$", ""));
      }
      byte[] signature = signDetached(signed.toString().getBytes(StandardCharsets.ISO_8859_1));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n" + body)
          .getBytes(StandardCharsets.ISO_8859_1));
      out.writeBytes(armor(signature));
      return out.toByteArray();
    }
  }

  private static final class Holder {
    static final Key KEY = new Key();
  }

  static Key key() {
    return Holder.KEY;
  }

  static byte[] armor(byte[] binary) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ArmoredOutputStream armor = ArmoredOutputStream.builder().build(out)) {
      armor.write(binary);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The payload after the mode byte. */
  static byte[] payload(byte[] data) {
    return data.length <= 1 ? new byte[0] : Arrays.copyOfRange(data, 1, data.length);
  }

  static int mode(byte[] data, int modes) {
    return data.length == 0 ? 0 : (data[0] & 0xff) % modes;
  }

  /**
   * Splits {@code payload} in two at a position given by its first two bytes (big-endian); the
   * two parts never overlap, whatever the bytes.
   */
  static byte[][] split(byte[] payload) {
    if (payload.length < 2) {
      return new byte[][] {payload, new byte[0]};
    }
    int at = Math.min(((payload[0] & 0xff) << 8 | (payload[1] & 0xff)), payload.length - 2);
    return new byte[][] {Arrays.copyOfRange(payload, 2, 2 + at), Arrays.copyOfRange(payload, 2 + at, payload.length)};
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] xz(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (XZOutputStream xz = new XZOutputStream(out, new LZMA2Options(0))) {
      xz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] bzip2(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (BZip2CompressorOutputStream bz = new BZip2CompressorOutputStream(out, 1)) {
      bz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
