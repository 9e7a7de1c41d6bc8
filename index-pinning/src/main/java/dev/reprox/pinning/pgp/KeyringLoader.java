package dev.reprox.pinning.pgp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPObjectFactory;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;

/**
 * Reads public keyrings: binary (apt's {@code .gpg}, possibly several certificates or several
 * files concatenated) or ASCII-armored ({@code .asc}, possibly several armor blocks one after the
 * other, which a single Bouncy Castle armored stream would stop after the first of).
 */
final class KeyringLoader {
  private static final byte[] ARMOR_BEGIN = "-----BEGIN PGP PUBLIC KEY BLOCK-----".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ARMOR_END = "-----END PGP PUBLIC KEY BLOCK-----".getBytes(StandardCharsets.US_ASCII);

  /** A certificate: a primary key with its subkeys and signatures. */
  record Cert(PGPPublicKeyRing ring) {
    PGPPublicKey primary() {
      return ring.getPublicKey();
    }
  }

  private KeyringLoader() {}

  static List<Cert> load(String name, byte[] bytes) throws KeyringException {
    List<Cert> certs = new ArrayList<>();
    try {
      int begin = indexOf(bytes, ARMOR_BEGIN, 0);
      if (begin < 0) {
        readPackets(new ByteArrayInputStream(bytes), certs);
      }
      while (begin >= 0) {
        int end = indexOf(bytes, ARMOR_END, begin);
        if (end < 0) {
          throw new KeyringException("read keyring " + name + ": armor block without end line");
        }
        int stop = end + ARMOR_END.length;
        try (InputStream in = new ArmoredInputStream(new ByteArrayInputStream(bytes, begin, stop - begin))) {
          readPackets(in, certs);
        }
        begin = indexOf(bytes, ARMOR_BEGIN, stop);
      }
    } catch (IOException | RuntimeException e) {
      throw new KeyringException("read keyring " + name + ": not an OpenPGP public keyring: " + e.getMessage(), e);
    }
    if (certs.isEmpty()) {
      throw new KeyringException("read keyring " + name + ": no public key found");
    }
    return certs;
  }

  private static void readPackets(InputStream in, List<Cert> certs) throws IOException {
    PGPObjectFactory factory = new PGPObjectFactory(in, new BcKeyFingerprintCalculator());
    Object o;
    while ((o = factory.nextObject()) != null) {
      if (o instanceof PGPPublicKeyRing ring) {
        certs.add(new Cert(ring));
      } else if (!(o instanceof PGPMarker)) {
        throw new IOException("unexpected " + o.getClass().getSimpleName() + " in a public keyring");
      }
    }
  }

  static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
