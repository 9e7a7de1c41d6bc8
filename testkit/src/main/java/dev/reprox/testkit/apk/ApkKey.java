package dev.reprox.testkit.apk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * A throwaway RSA-2048 apk signing key and the name signatures refer to it by ({@code
 * .SIGN.RSA.<name>}), which is also the file name of its PEM public key in a keys directory, as
 * in {@code /etc/apk/keys/alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub}.
 */
public final class ApkKey {

  private final String name;
  private final KeyPair pair;

  private ApkKey(String name, KeyPair pair) {
    this.name = name;
    this.pair = pair;
  }

  /** A fresh key named {@code name}, which must end in {@code .rsa.pub}. */
  public static ApkKey generate(String name) {
    if (!name.endsWith(".rsa.pub") || name.contains("/")) {
      throw new IllegalArgumentException("apk key name " + name + ": must be a file name ending in .rsa.pub");
    }
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return new ApkKey(name, generator.generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("generate apk key " + name + ": " + e, e);
    }
  }

  public String name() {
    return name;
  }

  public PublicKey publicKey() {
    return pair.getPublic();
  }

  /** The public key as PEM SubjectPublicKeyInfo ({@code openssl rsa -pubout}). */
  public byte[] publicKeyPem() {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(pair.getPublic().getEncoded());
    return ("-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** Writes {@link #publicKeyPem()} to {@code directory/<name>} and returns that file. */
  public Path writePublicKey(Path directory) {
    try {
      Files.createDirectories(directory);
      return Files.write(directory.resolve(name), publicKeyPem());
    } catch (IOException e) {
      throw new UncheckedIOException("write apk key " + name + " to " + directory, e);
    }
  }

  /** RSA PKCS#1 v1.5 over {@code data}: SHA-1 for {@code .SIGN.RSA.}, SHA-256 for {@code .SIGN.RSA256.}. */
  public byte[] sign(byte[] data, boolean sha256) {
    try {
      Signature s = Signature.getInstance(sha256 ? "SHA256withRSA" : "SHA1withRSA");
      s.initSign(pair.getPrivate());
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("sign with apk key " + name + ": " + e, e);
    }
  }
}
