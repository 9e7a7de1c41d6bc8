package dev.reprox.pinning.apk;

import java.util.Objects;

/**
 * One {@code .SIGN.RSA*} entry of an APKINDEX's first gzip member.
 *
 * @param keyName the key file name it refers to, e.g. {@code alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub}
 * @param algorithm the digest the RSA signature is over
 * @param signature the PKCS#1 v1.5 signature bytes
 */
public record ApkSignature(String keyName, Algorithm algorithm, byte[] signature) {
  /** {@code .SIGN.RSA.} signs a SHA-1 digest, {@code .SIGN.RSA256.} a SHA-256 digest. */
  public enum Algorithm {
    SHA1(".SIGN.RSA.", "SHA1withRSA"),
    SHA256(".SIGN.RSA256.", "SHA256withRSA");

    private final String prefix;
    private final String jca;

    Algorithm(String prefix, String jca) {
      this.prefix = prefix;
      this.jca = jca;
    }

    /** The tar entry name prefix, key name follows. */
    public String prefix() {
      return prefix;
    }

    /** The JCA signature algorithm name. */
    String jca() {
      return jca;
    }
  }

  public ApkSignature {
    Objects.requireNonNull(keyName, "keyName");
    Objects.requireNonNull(algorithm, "algorithm");
    signature = signature.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  @Override
  public String toString() {
    return "ApkSignature[" + algorithm.prefix() + keyName + ", " + signature.length + " bytes]";
  }
}
