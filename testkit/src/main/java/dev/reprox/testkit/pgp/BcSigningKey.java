package dev.reprox.testkit.pgp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Locale;

import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
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
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/** Bouncy Castle implementation of {@link SigningKey}: one primary key that certifies and signs. */
final class BcSigningKey implements SigningKey {

  enum Kind { ED25519, RSA_3072 }

  private static final int HASH = HashAlgorithmTags.SHA512;

  private final PGPPublicKey publicKey;
  private final PGPPrivateKey privateKey;
  private final byte[] keyring;

  private BcSigningKey(PGPPublicKey publicKey, PGPPrivateKey privateKey, byte[] keyring) {
    this.publicKey = publicKey;
    this.privateKey = privateKey;
    this.keyring = keyring;
  }

  static BcSigningKey generate(String userId, Kind kind) {
    SecureRandom random = new SecureRandom();
    Date created = Date.from(KEY_CREATED);
    try {
      PGPKeyPair pair;
      if (kind == Kind.ED25519) {
        Ed25519KeyPairGenerator gen = new Ed25519KeyPairGenerator();
        gen.init(new Ed25519KeyGenerationParameters(random));
        pair = new BcPGPKeyPair(PublicKeyAlgorithmTags.EDDSA_LEGACY, gen.generateKeyPair(), created);
      } else {
        RSAKeyPairGenerator gen = new RSAKeyPairGenerator();
        gen.init(new RSAKeyGenerationParameters(BigInteger.valueOf(0x10001), random, 3072, 80));
        AsymmetricCipherKeyPair kp = gen.generateKeyPair();
        pair = new BcPGPKeyPair(PublicKeyAlgorithmTags.RSA_GENERAL, kp, created);
      }
      PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
      // The self-signature is dated at key creation so that any later data signature is valid.
      hashed.setSignatureCreationTime(false, created);
      hashed.setKeyFlags(false, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
      hashed.setPreferredHashAlgorithms(false, new int[] {HashAlgorithmTags.SHA512, HashAlgorithmTags.SHA256});
      hashed.setIssuerFingerprint(false, pair.getPublicKey());
      PGPKeyRingGenerator rings = new PGPKeyRingGenerator(
          PGPSignature.POSITIVE_CERTIFICATION, pair, userId,
          new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1),
          hashed.generate(), null,
          new BcPGPContentSignerBuilder(pair.getPublicKey().getAlgorithm(), HASH), null);
      PGPPublicKeyRing publicRing = rings.generatePublicKeyRing();
      return new BcSigningKey(publicRing.getPublicKey(), pair.getPrivateKey(), publicRing.getEncoded());
    } catch (PGPException | IOException e) {
      throw new IllegalStateException("generate " + kind + " signing key for " + userId + ": " + e, e);
    }
  }

  @Override
  public String fingerprint() {
    return HexFormat.of().formatHex(publicKey.getFingerprint()).toUpperCase(Locale.ROOT);
  }

  @Override
  public byte[] publicKeyring() {
    return keyring.clone();
  }

  @Override
  public Path writeKeyring(Path file) throws IOException {
    Files.write(file, keyring);
    return file;
  }

  @Override
  public byte[] clearsign(byte[] text, Instant signedAt) {
    String body = new String(text, StandardCharsets.UTF_8);
    // The line ending before "-----BEGIN PGP SIGNATURE-----" belongs to the armor, not the text.
    String trimmed = body.endsWith("\n") ? body.substring(0, body.length() - 1) : body;
    String[] lines = trimmed.split("\n", -1);
    StringBuilder signed = new StringBuilder();
    StringBuilder out = new StringBuilder("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      // RFC 4880 §7.1: trailing spaces and tabs are not part of the signed text.
      signed.append(line.replaceAll("[ \t]+$", ""));
      if (i < lines.length - 1) {
        signed.append("\r\n");
      }
      out.append(line.startsWith("-") ? "- " : "").append(line).append('\n');
    }
    byte[] signature = armor(sign(PGPSignature.CANONICAL_TEXT_DOCUMENT,
        signed.toString().getBytes(StandardCharsets.UTF_8), signedAt));
    ByteArrayOutputStream result = new ByteArrayOutputStream();
    result.writeBytes(out.toString().getBytes(StandardCharsets.UTF_8));
    result.writeBytes(signature);
    return result.toByteArray();
  }

  @Override
  public byte[] detachSign(byte[] data, Instant signedAt) {
    return armor(sign(PGPSignature.BINARY_DOCUMENT, data, signedAt));
  }

  private PGPSignature sign(int type, byte[] data, Instant signedAt) {
    try {
      PGPSignatureGenerator generator = new PGPSignatureGenerator(
          new BcPGPContentSignerBuilder(publicKey.getAlgorithm(), HASH), publicKey);
      generator.init(type, privateKey);
      PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
      hashed.setSignatureCreationTime(false, Date.from(signedAt));
      hashed.setIssuerFingerprint(false, publicKey);
      generator.setHashedSubpackets(hashed.generate());
      PGPSignatureSubpacketGenerator unhashed = new PGPSignatureSubpacketGenerator();
      unhashed.setIssuerKeyID(false, publicKey.getKeyID());
      generator.setUnhashedSubpackets(unhashed.generate());
      generator.update(data);
      return generator.generate();
    } catch (PGPException e) {
      throw new IllegalStateException("sign with key " + fingerprint() + ": " + e, e);
    }
  }

  private static byte[] armor(PGPSignature signature) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ArmoredOutputStream armored = ArmoredOutputStream.builder().clearHeaders().build(bytes)) {
      signature.encode(armored);
    } catch (IOException e) {
      throw new UncheckedIOException("armor signature", e);
    }
    return bytes.toByteArray();
  }
}
