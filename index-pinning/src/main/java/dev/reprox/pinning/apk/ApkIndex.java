package dev.reprox.pinning.apk;

import dev.reprox.pinning.IndexParseException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A parsed {@code APKINDEX.tar.gz}: its signatures, where the signed bytes start, its publication
 * time and a streaming view of its records. Immutable. {@link #parse} checks structure only;
 * {@link ApkIndexVerifier#verify} also checks a signature and says which one in {@link #verifiedBy}.
 */
public final class ApkIndex {
  /** Entry mtimes before this are build-system placeholders (Wolfi writes 1970), not publication times. */
  static final Instant PLAUSIBLE_AFTER = Instant.parse("2000-01-01T00:00:00Z");
  private static final int MAX_SIGNATURE_MEMBER = 1024 * 1024;
  private static final String INDEX_ENTRY = "APKINDEX";

  private final byte[] file;
  private final String what;
  private final List<ApkSignature> signatures;
  private final int signedOffset;
  private final String description;
  private final Instant entryMtime;
  private final ApkSignature verifiedBy;

  private ApkIndex(byte[] file, String what, List<ApkSignature> signatures, int signedOffset, String description,
      Instant entryMtime, ApkSignature verifiedBy) {
    this.file = file;
    this.what = what;
    this.signatures = List.copyOf(signatures);
    this.signedOffset = signedOffset;
    this.description = description;
    this.entryMtime = entryMtime;
    this.verifiedBy = verifiedBy;
  }

  /**
   * Parses the structure of {@code file} without checking any signature; {@code what} names it in
   * errors (repository and path). An index without a signature member is accepted (its
   * {@link #signatures} are empty), as apk does with {@code --allow-untrusted}.
   */
  public static ApkIndex parse(byte[] file, String what) throws IndexParseException {
    byte[] copy = file.clone();
    return contents(copy, what, head(copy, what));
  }

  /** The signature member, read before anything else so a verifier can check it first. */
  record Head(List<ApkSignature> signatures, int signedOffset) {}

  /** Reads the first gzip member of {@code copy} (not copied again; callers own it). */
  static Head head(byte[] copy, String what) throws IndexParseException {
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    long[] firstEnd = {-1};
    GzipMemberSplitter splitter = new GzipMemberSplitter(what, new GzipMemberSplitter.Listener() {
      @Override
      public void raw(int member, byte[] b, int off, int len) {}

      @Override
      public void inflated(int member, byte[] b, int off, int len) throws IndexParseException {
        if (first.size() + len > MAX_SIGNATURE_MEMBER) {
          throw new IndexParseException("parse " + what + ": first gzip member inflates past "
              + MAX_SIGNATURE_MEMBER + " bytes");
        }
        first.write(b, off, len);
      }

      @Override
      public boolean memberEnd(int member, long end) {
        firstEnd[0] = end;
        return false;
      }
    });
    try {
      splitter.update(copy, 0, copy.length);
      splitter.finish();
    } finally {
      splitter.close();
    }
    List<ApkSignature> signatures = signatures(first.toByteArray(), what);
    int signedOffset = signatures.isEmpty() ? 0 : (int) firstEnd[0];
    if (signedOffset == copy.length) {
      throw new IndexParseException("parse " + what + ": nothing after the signature member");
    }
    return new Head(signatures, signedOffset);
  }

  /** The {@code .SIGN.*} entries of the first member, or none when it holds other entries. */
  private static List<ApkSignature> signatures(byte[] tar, String what) throws IndexParseException {
    List<ApkSignature> out = new ArrayList<>();
    int pos = 0;
    try {
      while (pos + TarHeader.BLOCK <= tar.length) {
        TarHeader h = TarHeader.parse(tar, pos);
        if (h == null || !h.name().startsWith(".SIGN.")) {
          break;
        }
        ApkSignature.Algorithm algorithm = null;
        for (ApkSignature.Algorithm a : ApkSignature.Algorithm.values()) {
          if (h.name().startsWith(a.prefix())) {
            algorithm = a;
          }
        }
        if (h.size() > tar.length - pos - TarHeader.BLOCK) {
          throw new IndexParseException("parse " + what + ": signature entry " + h.name() + " is truncated");
        }
        if (algorithm != null && h.name().length() > algorithm.prefix().length()) {
          byte[] sig = java.util.Arrays.copyOfRange(tar, pos + TarHeader.BLOCK, pos + TarHeader.BLOCK + (int) h.size());
          out.add(new ApkSignature(h.name().substring(algorithm.prefix().length()), algorithm, sig));
        }
        pos += (int) h.span();
      }
    } catch (IllegalArgumentException e) {
      throw new IndexParseException("parse " + what + ": signature member: " + e.getMessage(), e);
    }
    if (out.isEmpty() && pos > 0) {
      throw new IndexParseException("parse " + what + ": signature member holds no RSA or RSA256 signature");
    }
    return out;
  }

  /** Walks the tar after the signature for DESCRIPTION and the APKINDEX entry's mtime. */
  static ApkIndex contents(byte[] file, String what, Head head) throws IndexParseException {
    List<ApkSignature> signatures = head.signatures();
    int signedOffset = head.signedOffset();
    String description = null;
    Instant mtime = null;
    try (TarArchiveInputStream tar = tar(file, signedOffset)) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        if (e.getName().equals("DESCRIPTION")) {
          description = new String(tar.readNBytes(4096), StandardCharsets.UTF_8).strip();
        } else if (e.getName().equals(INDEX_ENTRY)) {
          mtime = e.getLastModifiedTime().toInstant();
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IndexParseException("parse " + what + ": unreadable index tar: " + e.getMessage(), e);
    }
    if (mtime == null) {
      throw new IndexParseException("parse " + what + ": no APKINDEX entry");
    }
    return new ApkIndex(file, what, signatures, signedOffset, description == null ? "" : description, mtime, null);
  }

  private static TarArchiveInputStream tar(byte[] file, int from) throws IOException {
    InputStream gz = new GZIPInputStream(new ByteArrayInputStream(file, from, file.length - from), 64 * 1024);
    return new TarArchiveInputStream(gz);
  }

  ApkIndex verified(ApkSignature signature) {
    return new ApkIndex(file, what, signatures, signedOffset, description, entryMtime, signature);
  }

  /** Every RSA signature of the first member, in file order; empty for an unsigned index. */
  public List<ApkSignature> signatures() {
    return signatures;
  }

  /** The signature that {@link ApkIndexVerifier} checked, or empty when not verified. */
  public Optional<ApkSignature> verifiedBy() {
    return Optional.ofNullable(verifiedBy);
  }

  /** Where the signed bytes (the second gzip member) start; 0 for an unsigned index. */
  public int signedOffset() {
    return signedOffset;
  }

  /** The DESCRIPTION entry, e.g. {@code v3.16.3-42-g1f3b2a0}; empty when absent. */
  public String description() {
    return description;
  }

  /** The APKINDEX entry's mtime as written, plausible or not. */
  public Instant entryMtime() {
    return entryMtime;
  }

  /**
   * The publication time: the APKINDEX entry's mtime, or empty when it is before 2000 (Wolfi
   * writes 1970), in which case the caller uses its fetch time and marks it estimated.
   */
  public Optional<Instant> publishedAt() {
    return entryMtime.isBefore(PLAUSIBLE_AFTER) ? Optional.empty() : Optional.of(entryMtime);
  }

  /**
   * A fresh reader of the package records; {@code prefix} is put before each file name in its
   * {@link dev.reprox.pinning.ListedFile}s (the index's directory, e.g. {@code v3.16/main/x86_64/}).
   */
  public ApkIndexReader entries(String prefix) throws IndexParseException {
    try {
      TarArchiveInputStream tar = tar(file, signedOffset);
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        if (e.getName().equals(INDEX_ENTRY)) {
          return new ApkIndexReader(tar, prefix, what);
        }
      }
      tar.close();
    } catch (IOException | RuntimeException e) {
      throw new IndexParseException("parse " + what + ": unreadable index tar: " + e.getMessage(), e);
    }
    throw new IndexParseException("parse " + what + ": no APKINDEX entry");
  }

  @Override
  public String toString() {
    return "ApkIndex[" + what + ", " + file.length + " bytes, signatures=" + signatures + ", verifiedBy="
        + verifiedBy + ", mtime=" + entryMtime + "]";
  }
}
