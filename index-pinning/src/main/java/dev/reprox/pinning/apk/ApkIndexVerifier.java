package dev.reprox.pinning.apk;

import dev.reprox.pinning.pgp.KeyringException;
import dev.reprox.pinning.SignatureInvalidException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Verifies {@code APKINDEX.tar.gz} files against one repository's apk keyring: RSA public keys
 * looked up by the file name a {@code .SIGN.RSA.<name>} entry gives, as apk looks them up in
 * {@code /etc/apk/keys}. The first signature whose key is in the keyring decides, as in apk: it
 * must verify over the raw bytes of every gzip member after the first. Thread-safe.
 *
 * <p>Failures are {@link SignatureInvalidException}s, shared with the OpenPGP formats so one place
 * maps them to HTTP: {@code NO_KNOWN_SIGNER} when no signature names a keyring key,
 * {@code BAD_SIGNATURE} when it does not verify, {@code MALFORMED} when the file cannot be parsed.
 */
public interface ApkIndexVerifier {

  /** Parses and verifies {@code file}; {@code what} names it in errors (repository and path). */
  ApkIndex verify(byte[] file, String what) throws SignatureInvalidException;

  /** The key names of the keyring, sorted. */
  java.util.SortedSet<String> keyNames();

  static Builder builder() {
    return new Builder();
  }

  /** Collects {@code *.rsa.pub} keys (PEM SubjectPublicKeyInfo) under their file names. */
  final class Builder {
    private final Map<String, PublicKey> keys = new LinkedHashMap<>();

    private Builder() {}

    /** Adds a PEM public key under {@code name}, the name signatures refer to it by. */
    public Builder key(String name, byte[] pem) throws KeyringException {
      keys.put(name, parse(name, pem));
      return this;
    }

    /** Adds every {@code *.pub} file of {@code directory} under its file name. */
    public Builder keyDirectory(Path directory) throws KeyringException {
      try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.pub")) {
        for (Path f : files) {
          if (Files.isRegularFile(f)) {
            key(f.getFileName().toString(), Files.readAllBytes(f));
          }
        }
      } catch (IOException e) {
        throw new KeyringException("read apk keyring " + directory + ": " + e.getMessage(), e);
      }
      return this;
    }

    public ApkIndexVerifier build() throws KeyringException {
      if (keys.isEmpty()) {
        throw new KeyringException("build apk index verifier: no key given");
      }
      return new RsaApkIndexVerifier(keys);
    }

    private static PublicKey parse(String name, byte[] pem) throws KeyringException {
      String text = new String(pem, StandardCharsets.US_ASCII);
      int begin = text.indexOf("-----BEGIN PUBLIC KEY-----");
      int end = text.indexOf("-----END PUBLIC KEY-----");
      if (begin < 0 || end < begin) {
        throw new KeyringException("read apk key " + name + ": no PEM PUBLIC KEY block");
      }
      String body = text.substring(begin + "-----BEGIN PUBLIC KEY-----".length(), end).replaceAll("\\s", "");
      try {
        PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
        if (!(key instanceof RSAPublicKey)) {
          throw new KeyringException("read apk key " + name + ": not an RSA key");
        }
        return key;
      } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
        throw new KeyringException("read apk key " + name + ": not an RSA public key: " + e.getMessage(), e);
      }
    }
  }
}
