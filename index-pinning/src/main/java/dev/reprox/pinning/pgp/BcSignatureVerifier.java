package dev.reprox.pinning.pgp;

import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.pinning.SignatureInvalidException.Kind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.sig.IssuerFingerprint;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPObjectFactory;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * Bouncy Castle implementation of {@link SignatureVerifier}. A certificate's {@link KeyStatus}
 * (its self-signatures, bindings and revocations verified) is worked out the first time a
 * signature names one of its keys, once, under that certificate's lock: a repository's files are
 * signed by a few of its keyring's certificates (Debian's InRelease by 3 of the 9 in its archive
 * keyring), and verifying the self-signatures of all of them was nearly half of a fresh server's
 * first root (issue 14). The outcome is the same as working all of them out at construction.
 */
final class BcSignatureVerifier implements SignatureVerifier {
  private static final BcPGPContentVerifierBuilderProvider VERIFIERS = new BcPGPContentVerifierBuilderProvider();
  private static final byte[] ARMOR_BEGIN = "-----BEGIN PGP SIGNATURE-----".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ARMOR_END = "-----END PGP SIGNATURE-----".getBytes(StandardCharsets.US_ASCII);
  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  /** Every key id of the keyring, with the certificates holding a key of that id, in keyring order. */
  private final Map<Long, List<LazyCert>> byKeyId = new HashMap<>();
  private final List<LazyCert> certs = new ArrayList<>();
  private final List<String> primaryFingerprints = new ArrayList<>();

  /** A certificate and, once a signature named one of its keys, the status of each of its keys. */
  private static final class LazyCert {
    private final KeyringLoader.Cert cert;
    private List<KeyStatus> keys;

    LazyCert(KeyringLoader.Cert cert) {
      this.cert = cert;
    }

    /** Certification signatures are stateful Bouncy Castle objects: verified by one thread, once. */
    synchronized List<KeyStatus> keys() {
      if (keys == null) {
        keys = KeyStatus.of(cert);
      }
      return keys;
    }

    synchronized boolean workedOut() {
      return keys != null;
    }
  }

  BcSignatureVerifier(List<KeyringLoader.Cert> certs) {
    for (KeyringLoader.Cert cert : certs) {
      LazyCert lazy = new LazyCert(cert);
      this.certs.add(lazy);
      primaryFingerprints.add(HEX.formatHex(cert.primary().getFingerprint()));
      for (Iterator<PGPPublicKey> it = cert.ring().getPublicKeys(); it.hasNext(); ) {
        List<LazyCert> holders = byKeyId.computeIfAbsent(it.next().getKeyID(), id -> new ArrayList<>());
        if (!holders.contains(lazy)) {
          holders.add(lazy);
        }
      }
    }
  }

  /** How many certificates have had their keys' status worked out (for tests). */
  int certificatesWorkedOut() {
    return (int) certs.stream().filter(LazyCert::workedOut).count();
  }

  @Override
  public Verification verifyClearsigned(byte[] file) throws SignatureInvalidException {
    ClearsignedMessage message = ClearsignedMessage.parse(file);
    return check(readSignatures(message.signatureBlock()), message.signedText(), message.cleartext());
  }

  @Override
  public Verification verifyDetached(byte[] data, byte[] signature) throws SignatureInvalidException {
    return check(readSignatures(signature), data, data);
  }

  @Override
  public List<String> primaryFingerprints() {
    return List.copyOf(primaryFingerprints);
  }

  private Verification check(List<PGPSignature> signatures, byte[] signed, byte[] content)
      throws SignatureInvalidException {
    List<Signer> good = new ArrayList<>();
    List<IgnoredSignature> ignored = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    for (PGPSignature sig : signatures) {
      String keyId = String.format(Locale.ROOT, "%016X", sig.getKeyID());
      Instant at = sig.getCreationTime().toInstant();
      KeyStatus key = find(sig);
      if (key == null) {
        ignored.add(new IgnoredSignature(keyId, "key " + keyId + " is not in the keyring", Kind.NO_KNOWN_SIGNER));
        continue;
      }
      if (sig.getSignatureType() != PGPSignature.BINARY_DOCUMENT
          && sig.getSignatureType() != PGPSignature.CANONICAL_TEXT_DOCUMENT) {
        ignored.add(new IgnoredSignature(keyId, key.keyFingerprint + ": signature type "
            + sig.getSignatureType() + " is not a document signature", Kind.MALFORMED));
        continue;
      }
      if (isWeak(sig.getHashAlgorithm())) {
        ignored.add(new IgnoredSignature(keyId, key.keyFingerprint + ": weak hash " + hashName(sig), Kind.WEAK_HASH));
        continue;
      }
      IgnoredSignature problem = key.problemAt(at, keyId);
      if (problem != null) {
        ignored.add(problem);
        continue;
      }
      if (verifies(sig, key, signed)) {
        good.add(new Signer(key.primaryFingerprint, key.keyFingerprint, at, algorithmName(sig), hashName(sig)));
      } else {
        bad.add(key.keyFingerprint);
      }
    }
    if (!bad.isEmpty()) {
      throw new SignatureInvalidException(Kind.BAD_SIGNATURE,
          "verify signature: bad signature by keyring key " + String.join(", ", bad));
    }
    if (good.isEmpty()) {
      IgnoredSignature worst = ignored.stream().filter(i -> i.kind() != Kind.NO_KNOWN_SIGNER).findFirst().orElse(null);
      if (worst != null) {
        throw new SignatureInvalidException(worst.kind(), "verify signature: no usable signer: " + worst.reason());
      }
      List<String> ids = ignored.stream().map(IgnoredSignature::keyId).toList();
      throw new SignatureInvalidException(Kind.NO_KNOWN_SIGNER,
          "verify signature: no signature by a keyring key (signed by " + String.join(", ", ids) + ")");
    }
    return new Verification(content, good, ignored);
  }

  /** The keyring key that issued {@code sig}, matched by key id and, when present, full fingerprint. */
  private KeyStatus find(PGPSignature sig) {
    List<LazyCert> holders = byKeyId.get(sig.getKeyID());
    if (holders == null) {
      return null;
    }
    IssuerFingerprint fp = sig.getHashedSubPackets() == null ? null : sig.getHashedSubPackets().getIssuerFingerprint();
    for (LazyCert holder : holders) {
      if (fp != null && !holds(holder.cert, fp.getFingerprint())) {
        continue; // only a certificate holding the named key is worked out
      }
      for (KeyStatus k : holder.keys()) {
        if (k.key.getKeyID() == sig.getKeyID()
            && (fp == null || Arrays.equals(fp.getFingerprint(), k.key.getFingerprint()))) {
          return k;
        }
      }
    }
    return null;
  }

  private static boolean holds(KeyringLoader.Cert cert, byte[] fingerprint) {
    for (Iterator<PGPPublicKey> it = cert.ring().getPublicKeys(); it.hasNext(); ) {
      if (Arrays.equals(fingerprint, it.next().getFingerprint())) {
        return true;
      }
    }
    return false;
  }

  private static boolean verifies(PGPSignature sig, KeyStatus key, byte[] signed) {
    try {
      sig.init(VERIFIERS, key.key);
      sig.update(signed);
      return sig.verify();
    } catch (PGPException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Every signature packet in a binary or armored block; several armor blocks one after the other
   * (signatures collected from several tools) are read one by one, since one Bouncy Castle armored
   * stream ends at the first block's end.
   */
  private static List<PGPSignature> readSignatures(byte[] block) throws SignatureInvalidException {
    List<PGPSignature> out = new ArrayList<>();
    try {
      int begin = KeyringLoader.indexOf(block, ARMOR_BEGIN, 0);
      if (begin < 0) {
        readPackets(new ByteArrayInputStream(block), out);
      }
      while (begin >= 0) {
        int end = KeyringLoader.indexOf(block, ARMOR_END, begin);
        if (end < 0) {
          throw new SignatureInvalidException(Kind.MALFORMED, "read signature: armor block without end line");
        }
        int stop = end + ARMOR_END.length;
        try (InputStream in = new ArmoredInputStream(new ByteArrayInputStream(block, begin, stop - begin))) {
          readPackets(in, out);
        }
        begin = KeyringLoader.indexOf(block, ARMOR_BEGIN, stop);
      }
    } catch (IOException | RuntimeException e) {
      throw new SignatureInvalidException(Kind.MALFORMED, "read signature: " + e, e);
    }
    if (out.isEmpty()) {
      throw new SignatureInvalidException(Kind.MALFORMED, "read signature: no signature packet");
    }
    return out;
  }

  private static void readPackets(InputStream in, List<PGPSignature> out) throws IOException, SignatureInvalidException {
    PGPObjectFactory factory = new PGPObjectFactory(in, new BcKeyFingerprintCalculator());
    Object o;
    while ((o = factory.nextObject()) != null) {
      if (o instanceof PGPSignatureList list) {
        list.forEach(out::add);
      } else if (!(o instanceof PGPMarker)) {
        throw new SignatureInvalidException(Kind.MALFORMED,
            "read signature: unexpected " + o.getClass().getSimpleName() + " packet");
      }
    }
  }

  private static boolean isWeak(int hash) {
    return hash == HashAlgorithmTags.MD5 || hash == HashAlgorithmTags.SHA1 || hash == HashAlgorithmTags.RIPEMD160
        || hash == HashAlgorithmTags.MD2;
  }

  private static String hashName(PGPSignature sig) {
    try {
      return PGPUtil.getDigestName(sig.getHashAlgorithm());
    } catch (PGPException e) {
      return "hash-" + sig.getHashAlgorithm();
    }
  }

  private static String algorithmName(PGPSignature sig) {
    return switch (sig.getKeyAlgorithm()) {
      case 1, 3 -> "RSA";
      case 17 -> "DSA";
      case 19 -> "ECDSA";
      case 22, 27, 28 -> "EdDSA";
      default -> "algorithm-" + sig.getKeyAlgorithm();
    };
  }
}
