package dev.reprox.pinning.apk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * Builds apk repository files the way abuild and apk-tools do: tar segments without end blocks in
 * separate gzip members, RSA PKCS#1 v1.5 signatures over the raw bytes of the members that follow.
 */
final class ApkTestData {
  private ApkTestData() {}

  static KeyPair rsaKey() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] pem(KeyPair key) {
    String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getPublic().getEncoded());
    return ("-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** One tar entry: header and content padded to 512, no end-of-archive blocks. */
  static byte[] tarEntry(String name, byte[] content, long mtimeSeconds) {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(content.length);
    e.setModTime(mtimeSeconds * 1000);
    e.setMode(0644);
    byte[] header = new byte[512];
    e.writeEntryHeader(header);
    byte[] out = new byte[512 + (content.length + 511) / 512 * 512];
    System.arraycopy(header, 0, out, 0, 512);
    System.arraycopy(content, 0, out, 512, content.length);
    return out;
  }

  static byte[] gzip(byte[]... parts) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      for (byte[] p : parts) {
        gz.write(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      bytes.writeBytes(p);
    }
    return bytes.toByteArray();
  }

  static byte[] sign(PrivateKey key, ApkSignature.Algorithm algorithm, byte[] data) {
    try {
      Signature s = Signature.getInstance(algorithm.jca());
      s.initSign(key);
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A signature member for {@code signed}, as {@code .SIGN.RSA[256].<keyName>}. */
  static byte[] signatureMember(PrivateKey key, String keyName, ApkSignature.Algorithm algorithm, byte[] signed) {
    return gzip(tarEntry(algorithm.prefix() + keyName, sign(key, algorithm, signed), 0));
  }

  /** A signed APKINDEX.tar.gz holding {@code records} (APKINDEX text) with the given mtime. */
  static byte[] index(KeyPair key, String keyName, ApkSignature.Algorithm algorithm, String records, long mtime) {
    byte[] content = gzip(tarEntry("DESCRIPTION", "test-repo".getBytes(StandardCharsets.UTF_8), mtime),
        tarEntry("APKINDEX", records.getBytes(StandardCharsets.UTF_8), mtime), new byte[1024]);
    return concat(signatureMember(key.getPrivate(), keyName, algorithm, content), content);
  }

  /** The members of a package: {@code [signature], control, data}. */
  record Apk(byte[] signature, byte[] control, byte[] data) {
    byte[] bytes() {
      return signature == null ? concat(control, data) : concat(signature, control, data);
    }
  }

  /** A package with a .PKGINFO for {@code name}-{@code version}; signed when {@code key} is not null. */
  static Apk apk(KeyPair key, String keyName, String name, String version, byte[] payload) {
    byte[] data = gzip(tarEntry("usr/share/" + name + "/payload", payload, 1_700_000_000L), new byte[1024]);
    String pkginfo = "pkgname = " + name + "\npkgver = " + version + "\narch = x86_64\n";
    byte[] control = gzip(tarEntry(".PKGINFO", pkginfo.getBytes(StandardCharsets.UTF_8), 1_700_000_000L));
    byte[] signature = key == null ? null
        : signatureMember(key.getPrivate(), keyName, ApkSignature.Algorithm.SHA1, control);
    return new Apk(signature, control, data);
  }
}
