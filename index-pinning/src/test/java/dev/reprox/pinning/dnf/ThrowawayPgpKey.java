package dev.reprox.pinning.dnf;

import java.io.ByteArrayOutputStream;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPDigestCalculatorProviderBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPKeyPair;

/** A throwaway RSA OpenPGP key whose primary signs, and armored detached signatures with it. */
final class ThrowawayPgpKey {
  private static final Instant CREATED = Instant.parse("2020-01-01T00:00:00Z");

  private final PGPKeyPair pair;
  private final byte[] publicKeyring;

  ThrowawayPgpKey() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    pair = new JcaPGPKeyPair(PublicKeyAlgorithmTags.RSA_GENERAL, rsa.generateKeyPair(), Date.from(CREATED));
    PGPSignatureSubpacketGenerator self = new PGPSignatureSubpacketGenerator();
    self.setKeyFlags(false, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
    self.setSignatureCreationTime(false, Date.from(CREATED));
    PGPKeyRingGenerator gen = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, pair,
        "reprox dnf test <dnf@example.org>", new JcaPGPDigestCalculatorProviderBuilder().build().get(HashAlgorithmTags.SHA1),
        self.generate(), null, new JcaPGPContentSignerBuilder(PublicKeyAlgorithmTags.RSA_GENERAL, HashAlgorithmTags.SHA256),
        null);
    publicKeyring = gen.generatePublicKeyRing().getEncoded();
  }

  /** Upper-case hex fingerprint of the primary key. */
  String fingerprint() {
    return java.util.HexFormat.of().withUpperCase().formatHex(pair.getPublicKey().getFingerprint());
  }

  byte[] publicKeyring() {
    return publicKeyring.clone();
  }

  /** An armored detached signature over {@code data}, like {@code gpg --detach-sign --armor}. */
  byte[] detachSign(byte[] data) throws Exception {
    PGPSignatureGenerator gen = new PGPSignatureGenerator(
        new JcaPGPContentSignerBuilder(PublicKeyAlgorithmTags.RSA_GENERAL, HashAlgorithmTags.SHA256), pair.getPublicKey());
    gen.init(PGPSignature.BINARY_DOCUMENT, pair.getPrivateKey());
    PGPSignatureSubpacketGenerator sub = new PGPSignatureSubpacketGenerator();
    sub.setSignatureCreationTime(false, Date.from(CREATED.plusSeconds(86_400)));
    sub.setIssuerFingerprint(false, pair.getPublicKey());
    gen.setHashedSubpackets(sub.generate());
    gen.update(data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ArmoredOutputStream armor = ArmoredOutputStream.builder().build(out)) {
      gen.generate().encode(armor);
    }
    return out.toByteArray();
  }
}
