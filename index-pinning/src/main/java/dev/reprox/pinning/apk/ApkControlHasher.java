package dev.reprox.pinning.apk;

import dev.reprox.pinning.IndexParseException;
import dev.reprox.storage.Alias;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Computes an .apk's control hash from its bytes as they stream by, the way apk does: an .apk is
 * two or three concatenated gzip members (signature, control, data); Q1 is the SHA-1 of the raw
 * compressed bytes of the member holding {@code .PKGINFO}. The signature member, when present, is
 * the first one and holds only {@code .SIGN.*} entries. Only the first two members are inflated;
 * the data part (most of the file: every byte after the control member, as apk-tools hashes it
 * for {@code .PKGINFO}'s {@code datahash}) is only SHA-256-hashed, see {@link #dataSha256}.
 * Not thread-safe.
 */
public final class ApkControlHasher {
  private final GzipMemberSplitter splitter;
  private MessageDigest sha1 = newDigest("SHA-1");
  private MessageDigest sha256 = newDigest("SHA-256");
  private TarNameScanner scanner = new TarNameScanner();
  private long memberStart;
  private boolean signed;
  private ApkControl control;
  private final MessageDigest data = newDigest("SHA-256");
  private long fed;

  ApkControlHasher(String what) {
    this.splitter = new GzipMemberSplitter(what, new GzipMemberSplitter.Listener() {
      @Override
      public void raw(int member, byte[] b, int off, int len) {
        sha1.update(b, off, len);
        sha256.update(b, off, len);
      }

      @Override
      public void inflated(int member, byte[] b, int off, int len) throws IndexParseException {
        scanner.update(b, off, len);
      }

      @Override
      public boolean memberEnd(int member, long end) throws IndexParseException {
        return ended(member, end);
      }
    });
  }

  /** Feeds the next bytes of the package. Bytes after the control member are only hashed. */
  public void update(byte[] b, int off, int len) throws IndexParseException {
    fed += len;
    if (control != null) {
      data.update(b, off, len);
      return;
    }
    long before = splitter.offset();
    splitter.update(b, off, len);
    if (control != null) {
      // The control member ended inside this piece: the rest of it is the data part's first bytes.
      int used = (int) (control.end() - before);
      data.update(b, off + used, len - used);
    }
  }

  /**
   * SHA-256 of every byte fed after the control member: once the whole package was fed, what
   * apk-tools compares with {@code .PKGINFO}'s {@code datahash}. Call once, after {@link #finish}.
   */
  public byte[] dataSha256() {
    if (control == null) {
      throw new IllegalStateException("no control member yet");
    }
    return data.digest();
  }

  /** Bytes fed so far: the package size once the whole package was fed. */
  public long size() {
    return fed;
  }

  /** The control member, once it has streamed by completely, else null. */
  public ApkControl control() {
    return control;
  }

  /** The control member; throws when the package ended before one was complete. */
  public ApkControl finish() throws IndexParseException {
    splitter.close();
    if (control == null) {
      splitter.finish();
      throw new IndexParseException("hash apk control: no member with .PKGINFO in " + size() + " bytes");
    }
    return control;
  }

  private boolean ended(int member, long end) throws IndexParseException {
    List<String> names = scanner.names();
    if (member == 0 && !names.isEmpty() && names.stream().allMatch(n -> n.startsWith(".SIGN."))) {
      signed = true;
      reset(end);
      return true;
    }
    if (!names.contains(".PKGINFO")) {
      throw new IndexParseException("hash apk control: gzip member " + member + " has no .PKGINFO (entries "
          + names.subList(0, Math.min(5, names.size())) + ")");
    }
    control = new ApkControl(new Alias(Alias.Kind.APK_Q1, sha1.digest()), sha256.digest(), memberStart, end, signed,
        datahash(scanner.pkginfo()));
    return false;
  }

  /**
   * The value of the last {@code datahash = <hex>} line, as apk-tools reads .PKGINFO: lines split at
   * the first " = ", lines starting with '#' skipped.
   */
  private static String datahash(byte[] pkginfo) {
    String found = null;
    if (pkginfo == null) {
      return null;
    }
    for (String line : new String(pkginfo, StandardCharsets.UTF_8).split("\n")) {
      int eq = line.indexOf(" = ");
      if (!line.startsWith("#") && eq > 0 && line.substring(0, eq).equals("datahash")) {
        found = line.substring(eq + 3);
      }
    }
    return found;
  }

  private void reset(long end) {
    sha1 = newDigest("SHA-1");
    sha256 = newDigest("SHA-256");
    scanner = new TarNameScanner();
    memberStart = end;
  }

  private static MessageDigest newDigest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has " + algorithm, e);
    }
  }
}
