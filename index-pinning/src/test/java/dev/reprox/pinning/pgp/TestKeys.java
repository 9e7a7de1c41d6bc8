package dev.reprox.pinning.pgp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.bcpg.sig.RevocationReasonTags;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/** Throwaway OpenPGP keys and signatures made with Bouncy Castle, for tests only. */
final class TestKeys {
  static final SecureRandom RANDOM = new SecureRandom();
  static final Instant CREATED = Instant.parse("2020-01-01T00:00:00Z");

  /** A certificate and the private half of the key that signs with it. */
  record Cert(PGPPublicKeyRing ring, PGPPublicKey signingPublic, PGPPrivateKey signingPrivate) {
    byte[] keyring() throws IOException {
      return ring.getEncoded();
    }

    byte[] armoredKeyring() throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ArmoredOutputStream armor = ArmoredOutputStream.builder().build(out)) {
        ring.encode(armor);
      }
      return out.toByteArray();
    }

    String primaryFingerprint() {
      return java.util.HexFormat.of().withUpperCase().formatHex(ring.getPublicKey().getFingerprint());
    }

    String signingFingerprint() {
      return java.util.HexFormat.of().withUpperCase().formatHex(signingPublic.getFingerprint());
    }
  }

  /** How to build a certificate; defaults: Ed25519 primary that signs itself. */
  static final class Spec {
    boolean rsa;
    boolean subkey;
    boolean backSignature = true;
    int subkeyFlags = KeyFlags.SIGN_DATA;
    long subkeyExpiresSeconds;
    boolean revokeSubkey;
  }

  private TestKeys() {}

  static Cert ed25519() throws Exception {
    return generate(new Spec());
  }

  static Cert generate(Spec spec) throws Exception {
    Date created = Date.from(CREATED);
    PGPKeyPair primary = spec.rsa ? rsa(created) : ed25519(created);
    PGPSignatureSubpacketGenerator selfSig = new PGPSignatureSubpacketGenerator();
    selfSig.setKeyFlags(false, spec.subkey ? KeyFlags.CERTIFY_OTHER : KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
    selfSig.setSignatureCreationTime(false, created);
    PGPKeyRingGenerator gen = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, primary,
        "reprox test <test@example.org>", new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1),
        selfSig.generate(), null, signer(primary.getPublicKey()), null);
    PGPKeyPair signing = primary;
    if (spec.subkey) {
      signing = spec.rsa ? rsa(created) : ed25519(created);
      PGPSignatureSubpacketGenerator binding = new PGPSignatureSubpacketGenerator();
      binding.setKeyFlags(false, spec.subkeyFlags);
      binding.setSignatureCreationTime(false, created);
      if (spec.subkeyExpiresSeconds > 0) {
        binding.setKeyExpirationTime(false, spec.subkeyExpiresSeconds);
      }
      if (spec.backSignature) {
        gen.addSubKey(signing, binding.generate(), null, signer(signing.getPublicKey()));
      } else {
        gen.addSubKey(signing, binding.generate(), null);
      }
    }
    PGPPublicKeyRing ring = gen.generatePublicKeyRing();
    PGPSecretKeyRing secret = gen.generateSecretKeyRing();
    PGPPrivateKey signingPrivate = secret.getSecretKey(signing.getKeyID()).extractPrivateKey(null);
    PGPPublicKey signingPublic = ring.getPublicKey(signing.getKeyID());
    if (spec.revokeSubkey) {
      PGPPrivateKey primaryPrivate = secret.getSecretKey().extractPrivateKey(null);
      PGPSignatureGenerator revoker = new PGPSignatureGenerator(signer(primary.getPublicKey()), primary.getPublicKey());
      revoker.init(PGPSignature.SUBKEY_REVOCATION, primaryPrivate);
      PGPSignatureSubpacketGenerator reason = new PGPSignatureSubpacketGenerator();
      reason.setRevocationReason(false, RevocationReasonTags.KEY_COMPROMISED, "test: compromised");
      reason.setSignatureCreationTime(false, Date.from(CREATED.plusSeconds(86_400 * 400)));
      revoker.setHashedSubpackets(reason.generate());
      PGPSignature revocation = revoker.generateCertification(ring.getPublicKey(), signingPublic);
      signingPublic = PGPPublicKey.addCertification(signingPublic, revocation);
      ring = PGPPublicKeyRing.insertPublicKey(ring, signingPublic);
    }
    return new Cert(ring, signingPublic, signingPrivate);
  }

  /** A complete clearsigned file over {@code text} (LF line endings), as gpg --clearsign writes it. */
  static byte[] clearsign(Cert cert, String text, Instant when) throws Exception {
    return clearsign(text, signature(cert, canonical(text), PGPSignature.CANONICAL_TEXT_DOCUMENT, when,
        HashAlgorithmTags.SHA256));
  }

  static byte[] clearsign(String text, byte[]... armoredSignatures) {
    StringBuilder out = new StringBuilder("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n");
    for (String line : text.split("\n", -1)) {
      out.append(line.startsWith("-") ? "- " : "").append(line).append('\n');
    }
    out.setLength(out.length() - 1); // the text's own final newline is already the last line break
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes(out.toString().getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream sigs = new ByteArrayOutputStream();
    for (byte[] s : armoredSignatures) {
      sigs.writeBytes(s);
    }
    bytes.writeBytes(armor(sigs.toByteArray()));
    return bytes.toByteArray();
  }

  /** RFC 4880 §7.1: trailing whitespace removed, CRLF between lines, no final line ending. */
  static byte[] canonical(String text) {
    String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    StringBuilder out = new StringBuilder();
    for (String line : body.split("\n", -1)) {
      out.append(line.replaceAll("[ \t]+$", "")).append("\r\n");
    }
    out.setLength(out.length() - 2);
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** One binary signature packet. */
  static byte[] signature(Cert cert, byte[] data, int type, Instant when, int hash) throws Exception {
    PGPSignatureGenerator gen = new PGPSignatureGenerator(
        new BcPGPContentSignerBuilder(cert.signingPublic().getAlgorithm(), hash), cert.signingPublic());
    gen.init(type, cert.signingPrivate());
    PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
    hashed.setSignatureCreationTime(false, Date.from(when));
    hashed.setIssuerFingerprint(false, cert.signingPublic());
    gen.setHashedSubpackets(hashed.generate());
    gen.update(data);
    return gen.generate().getEncoded();
  }

  static byte[] armor(byte[] binary) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ArmoredOutputStream armor = ArmoredOutputStream.builder().build(out)) {
      armor.write(binary);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  private static BcPGPContentSignerBuilder signer(PGPPublicKey key) {
    return new BcPGPContentSignerBuilder(key.getAlgorithm(), HashAlgorithmTags.SHA256);
  }

  private static PGPKeyPair ed25519(Date created) throws PGPException {
    Ed25519KeyPairGenerator g = new Ed25519KeyPairGenerator();
    g.init(new Ed25519KeyGenerationParameters(RANDOM));
    return new BcPGPKeyPair(PublicKeyAlgorithmTags.EDDSA_LEGACY, g.generateKeyPair(), created);
  }

  private static PGPKeyPair rsa(Date created) throws PGPException {
    RSAKeyPairGenerator g = new RSAKeyPairGenerator();
    g.init(new RSAKeyGenerationParameters(BigInteger.valueOf(0x10001), RANDOM, 2048, 12));
    return new BcPGPKeyPair(PublicKeyAlgorithmTags.RSA_GENERAL, g.generateKeyPair(), created);
  }
}
