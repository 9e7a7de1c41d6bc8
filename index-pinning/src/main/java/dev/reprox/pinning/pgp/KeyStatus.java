package dev.reprox.pinning.pgp;

import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.pinning.SignatureInvalidException.Kind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import org.bouncycastle.bcpg.SignatureSubpacketTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.bcpg.sig.RevocationReason;
import org.bouncycastle.bcpg.sig.RevocationReasonTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * What a keyring says about one key, worked out once for its whole certificate, the first time a
 * signature names one of its keys, under the certificate's lock in {@link BcSignatureVerifier}
 * (certification signatures are stateful Bouncy Castle objects, never verified concurrently):
 * binding, signing capability, expiry and revocation of the key and of its primary. See
 * {@link SignatureVerifier} for the rules.
 */
final class KeyStatus {
  private static final BcPGPContentVerifierBuilderProvider VERIFIERS = new BcPGPContentVerifierBuilderProvider();
  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  final PGPPublicKey key;
  final String keyFingerprint;
  final String primaryFingerprint;
  private final Instant created;
  /** Null when the key never expires. */
  private final Instant expires;
  /** Null when usable in principle; otherwise why this key can never sign. */
  private final String unusable;
  private final List<Revocation> revocations;

  private record Revocation(Instant at, boolean retroactive, String description) {}

  private KeyStatus(PGPPublicKey key, PGPPublicKey primary, Instant expires, String unusable,
      List<Revocation> revocations) {
    this.key = key;
    this.keyFingerprint = HEX.formatHex(key.getFingerprint());
    this.primaryFingerprint = HEX.formatHex(primary.getFingerprint());
    this.created = key.getCreationTime().toInstant();
    this.expires = expires;
    this.unusable = unusable;
    this.revocations = List.copyOf(revocations);
  }

  /** Every key of a certificate with its status; subkeys inherit the primary's expiry and revocations. */
  static List<KeyStatus> of(KeyringLoader.Cert cert) {
    PGPPublicKey primary = cert.primary();
    List<Revocation> primaryRevocations = revocations(primary, primary, PGPSignature.KEY_REVOCATION);
    PGPSignature self = newest(selfSignatures(primary));
    Instant primaryExpires = self == null ? null : expiry(primary, self);
    String primaryUnusable = self == null ? "primary key has no valid self-signature"
        : canSign(self) ? null : "key flags do not allow signing";
    List<KeyStatus> out = new ArrayList<>();
    out.add(new KeyStatus(primary, primary, primaryExpires, primaryUnusable, primaryRevocations));
    for (Iterator<PGPPublicKey> it = cert.ring().getPublicKeys(); it.hasNext(); ) {
      PGPPublicKey sub = it.next();
      if (sub.isMasterKey()) {
        continue;
      }
      List<PGPSignature> bindings = new ArrayList<>();
      for (PGPSignature s : signatures(sub, PGPSignature.SUBKEY_BINDING, primary.getKeyID())) {
        if (verifies(s, primary, () -> s.verifyCertification(primary, sub))) {
          bindings.add(s);
        }
      }
      PGPSignature binding = newest(bindings);
      String unusable = primaryUnusable != null && self == null ? primaryUnusable
          : binding == null ? "subkey has no valid binding signature from its primary"
          : !canSign(binding) ? "key flags do not allow signing"
          : !hasBackSignature(binding, primary, sub) ? "signing subkey has no valid primary-key binding (back) signature"
          : null;
      Instant subExpires = binding == null ? null : expiry(sub, binding);
      Instant expires = subExpires == null ? primaryExpires
          : primaryExpires == null || subExpires.isBefore(primaryExpires) ? subExpires : primaryExpires;
      List<Revocation> revs = new ArrayList<>(primaryRevocations);
      revs.addAll(revocations(sub, primary, PGPSignature.SUBKEY_REVOCATION));
      out.add(new KeyStatus(sub, primary, expires, unusable, revs));
    }
    return out;
  }

  /** Null when the key could make a trusted signature at {@code at}; otherwise the ignored entry. */
  IgnoredSignature problemAt(Instant at, String keyId) {
    if (unusable != null) {
      return new IgnoredSignature(keyId, keyFingerprint + ": " + unusable, Kind.KEY_UNUSABLE);
    }
    if (at.isBefore(created)) {
      return new IgnoredSignature(keyId, keyFingerprint + ": signature made before the key was created",
          Kind.KEY_UNUSABLE);
    }
    for (Revocation r : revocations) {
      if (r.retroactive() || !at.isBefore(r.at())) {
        return new IgnoredSignature(keyId, keyFingerprint + ": key revoked (" + r.description() + ")", Kind.KEY_REVOKED);
      }
    }
    if (expires != null && !at.isBefore(expires)) {
      return new IgnoredSignature(keyId, keyFingerprint + ": key expired at " + expires + ", signature made " + at,
          Kind.KEY_EXPIRED);
    }
    return null;
  }

  private static List<PGPSignature> selfSignatures(PGPPublicKey primary) {
    List<PGPSignature> out = new ArrayList<>();
    for (Iterator<byte[]> ids = primary.getRawUserIDs(); ids.hasNext(); ) {
      byte[] id = ids.next();
      for (Iterator<PGPSignature> it = primary.getSignaturesForID(id); it.hasNext(); ) {
        PGPSignature s = it.next();
        if (s.getKeyID() == primary.getKeyID() && s.isCertification()
            && verifies(s, primary, () -> s.verifyCertification(id, primary))) {
          out.add(s);
        }
      }
    }
    for (PGPSignature s : signatures(primary, PGPSignature.DIRECT_KEY, primary.getKeyID())) {
      if (verifies(s, primary, () -> s.verifyCertification(primary))) {
        out.add(s);
      }
    }
    return out;
  }

  private static List<Revocation> revocations(PGPPublicKey key, PGPPublicKey primary, int type) {
    List<Revocation> out = new ArrayList<>();
    for (PGPSignature s : signatures(key, type, primary.getKeyID())) {
      boolean ok = type == PGPSignature.KEY_REVOCATION
          ? verifies(s, primary, () -> s.verifyCertification(primary))
          : verifies(s, primary, () -> s.verifyCertification(primary, key));
      if (!ok) {
        continue;
      }
      RevocationReason reason = s.getHashedSubPackets() == null ? null : s.getHashedSubPackets().getRevocationReason();
      byte code = reason == null ? RevocationReasonTags.NO_REASON : reason.getRevocationReason();
      boolean retroactive = code != RevocationReasonTags.KEY_SUPERSEDED && code != RevocationReasonTags.KEY_RETIRED;
      String text = reason == null ? "no reason given" : "reason " + code + " " + reason.getRevocationDescription();
      out.add(new Revocation(s.getCreationTime().toInstant(), retroactive, text + ", revoked " + s.getCreationTime().toInstant()));
    }
    return out;
  }

  private static boolean hasBackSignature(PGPSignature binding, PGPPublicKey primary, PGPPublicKey sub) {
    for (PGPSignatureSubpacketVector v : new PGPSignatureSubpacketVector[] {binding.getHashedSubPackets(),
        binding.getUnhashedSubPackets()}) {
      if (v == null) {
        continue;
      }
      try {
        PGPSignatureList embedded = v.getEmbeddedSignatures();
        for (PGPSignature back : embedded) {
          if (back.getSignatureType() == PGPSignature.PRIMARYKEY_BINDING
              && verifies(back, sub, () -> back.verifyCertification(primary, sub))) {
            return true;
          }
        }
      } catch (PGPException e) {
        // An unparsable embedded signature is the same as none.
      }
    }
    return false;
  }

  private static boolean canSign(PGPSignature sig) {
    PGPSignatureSubpacketVector v = sig.getHashedSubPackets();
    return v == null || !v.hasSubpacket(SignatureSubpacketTags.KEY_FLAGS) || (v.getKeyFlags() & KeyFlags.SIGN_DATA) != 0;
  }

  private static Instant expiry(PGPPublicKey key, PGPSignature sig) {
    PGPSignatureSubpacketVector v = sig.getHashedSubPackets();
    long seconds = v == null ? 0 : v.getKeyExpirationTime();
    return seconds == 0 ? null : key.getCreationTime().toInstant().plusSeconds(seconds);
  }

  private static PGPSignature newest(List<PGPSignature> sigs) {
    PGPSignature best = null;
    for (PGPSignature s : sigs) {
      if (best == null || s.getCreationTime().after(best.getCreationTime())) {
        best = s;
      }
    }
    return best;
  }

  private static List<PGPSignature> signatures(PGPPublicKey key, int type, long issuer) {
    List<PGPSignature> out = new ArrayList<>();
    for (Iterator<PGPSignature> it = key.getSignaturesOfType(type); it.hasNext(); ) {
      PGPSignature s = it.next();
      if (s.getKeyID() == issuer) {
        out.add(s);
      }
    }
    return out;
  }

  private interface Check {
    boolean run() throws PGPException;
  }

  private static boolean verifies(PGPSignature sig, PGPPublicKey by, Check check) {
    try {
      sig.init(VERIFIERS, by);
      return check.run();
    } catch (PGPException | RuntimeException e) {
      // Unsupported algorithms and corrupt certifications simply do not count.
      return false;
    }
  }
}
