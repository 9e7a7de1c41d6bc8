package dev.reprox.pinning.apk;

import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.pinning.SignatureInvalidException.Kind;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Collections;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/** JCA RSA (PKCS#1 v1.5) verification of the APKINDEX signature member. */
final class RsaApkIndexVerifier implements ApkIndexVerifier {
  private final Map<String, PublicKey> keys;

  RsaApkIndexVerifier(Map<String, PublicKey> keys) {
    this.keys = Map.copyOf(keys);
  }

  @Override
  public ApkIndex verify(byte[] file, String what) throws SignatureInvalidException {
    // The signature is checked before the signed members are inflated or parsed at all.
    byte[] bytes = file.clone();
    ApkIndex.Head index;
    try {
      index = ApkIndex.head(bytes, what);
    } catch (IndexParseException e) {
      throw new SignatureInvalidException(Kind.MALFORMED, "verify " + what + ": " + e.getMessage(), e);
    }
    ApkSignature chosen = index.signatures().stream().filter(s -> keys.containsKey(s.keyName())).findFirst()
        .orElseThrow(() -> new SignatureInvalidException(Kind.NO_KNOWN_SIGNER, "verify " + what + ": "
            + (index.signatures().isEmpty() ? "unsigned" : "signed by " + index.signatures().stream()
                .map(ApkSignature::keyName).toList() + ", none of which is in the keyring")));
    boolean good;
    try {
      Signature rsa = Signature.getInstance(chosen.algorithm().jca());
      rsa.initVerify(keys.get(chosen.keyName()));
      rsa.update(bytes, index.signedOffset(), bytes.length - index.signedOffset());
      good = rsa.verify(chosen.signature());
    } catch (GeneralSecurityException e) {
      // A signature of the wrong length or encoding for the key cannot verify.
      good = false;
    }
    if (!good) {
      throw new SignatureInvalidException(Kind.BAD_SIGNATURE, "verify " + what + ": " + chosen.algorithm()
          + " RSA signature by " + chosen.keyName() + " does not match bytes [" + index.signedOffset() + ".."
          + bytes.length + ")");
    }
    try {
      return ApkIndex.contents(bytes, what, index).verified(chosen);
    } catch (IndexParseException e) {
      throw new SignatureInvalidException(Kind.MALFORMED, "verify " + what + ": signed but " + e.getMessage(), e);
    }
  }

  @Override
  public SortedSet<String> keyNames() {
    return Collections.unmodifiableSortedSet(new TreeSet<>(keys.keySet()));
  }
}
