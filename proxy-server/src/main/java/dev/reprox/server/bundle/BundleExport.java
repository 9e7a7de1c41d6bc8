package dev.reprox.server.bundle;

import com.github.luben.zstd.ZstdOutputStream;
import dev.reprox.pinning.Format;
import dev.reprox.storage.BlobReader;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes a bundle (docs/bundle.md) for a set of pins: the pins of each (repo, T) asked for, the
 * generations they answer with (root bytes as fetched, detached signature, first and last fetch),
 * every file those roots list that the store holds, and every package those listings name that the
 * store holds. Metadata is planned first ({@link BundlePlanner}: it goes into the manifest, the
 * first entry); blobs are then streamed from the store chunk by chunk into one zstd-compressed
 * tar, so memory stays constant whatever the bundle's size (the plan holds one small record per
 * blob).
 */
public final class BundleExport {
  private static final int COPY_BUFFER = 256 << 10;

  private final Storage storage;
  private final BundlePlanner planner;
  private final Clock clock;

  /**
   * One (repository, T) whose pins go into the bundle; an {@code optional} one without a pin is
   * skipped instead of refused (a build label's repositories × its T values).
   */
  public record Selection(String repo, Instant at, boolean optional) {
    public Selection(String repo, Instant at) {
      this(repo, at, false);
    }
  }

  /**
   * A build label's selections: every distinct (repository, T) its persisted record holds, in
   * order, each optional (a pair without a pin is skipped); live answers have no T and add none.
   */
  public static List<Selection> forBuild(List<dev.reprox.storage.BuildEntry> entries) {
    Set<Selection> out = new LinkedHashSet<>();
    for (dev.reprox.storage.BuildEntry e : entries) {
      e.at().ifPresent(t -> out.add(new Selection(e.repo(), t, true)));
    }
    return new ArrayList<>(out);
  }

  /** What was written. */
  public record Summary(int pins, int roots, int files, int blobs, long blobBytes) {}

  public BundleExport(Storage storage, Map<String, Format> formats, Clock clock) {
    this.storage = storage;
    this.planner = new BundlePlanner(storage, Map.copyOf(formats));
    this.clock = clock;
  }

  /**
   * Plans the bundle for {@code selections} and streams it to {@code out} (not closed).
   *
   * @throws BundleException (kind {@code NOT_FOUND}) when a selection has no pin or a pinned
   *     generation's bytes are not stored, before anything is written
   */
  public Summary write(List<Selection> selections, OutputStream out) throws IOException {
    return prepare(selections).writeTo(out);
  }

  /**
   * Plans the bundle (reads metadata and listings, writes nothing), so that a caller can answer a
   * selection without a pin before it starts a response.
   */
  public Prepared prepare(List<Selection> selections) throws IOException {
    Manifest manifest = planner.manifest(selections, clock.instant());
    return out -> stream(manifest, out);
  }

  /** A planned bundle. */
  @FunctionalInterface
  public interface Prepared {
    /** Streams the bundle to {@code out} (not closed). */
    Summary writeTo(OutputStream out) throws IOException;
  }

  private Summary stream(Manifest manifest, OutputStream out) throws IOException {
    byte[] json = manifest.toJson();
    ZstdOutputStream zstd = new ZstdOutputStream(new BufferedOutputStream(nonClosing(out), COPY_BUFFER), 3);
    zstd.setChecksum(true); // a damaged stream fails in the decoder, before any hash is even asked
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(zstd)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      TarArchiveEntry first = new TarArchiveEntry(Manifest.ENTRY);
      first.setSize(json.length);
      first.setModTime(clock.millis());
      tar.putArchiveEntry(first);
      tar.write(json);
      tar.closeArchiveEntry();
      byte[] buffer = new byte[COPY_BUFFER];
      long bytes = 0;
      for (Manifest.BlobEntry b : manifest.blobs()) {
        TarArchiveEntry e = new TarArchiveEntry(Manifest.BLOB_PREFIX + b.digest());
        e.setSize(b.size());
        e.setModTime(clock.millis());
        tar.putArchiveEntry(e);
        copy(Digest.sha256(b.digest()), b.size(), tar, buffer);
        tar.closeArchiveEntry();
        bytes += b.size();
      }
      tar.finish();
      return new Summary(manifest.pins().size(), manifest.roots().size(), manifest.files().size(),
          manifest.blobs().size(), bytes);
    }
  }

  private void copy(Digest digest, long size, OutputStream to, byte[] buffer) throws IOException {
    try (BlobReader reader = storage.blobs().open(digest)) {
      if (reader.size() != size) {
        throw new BundleException(BundleException.Kind.STORE, "export: " + digest + " changed size while exporting");
      }
      ByteBuffer dst = ByteBuffer.wrap(buffer);
      long position = 0;
      while (position < size) {
        dst.clear();
        int n = reader.read(position, dst);
        if (n <= 0) {
          throw new BundleException(BundleException.Kind.STORE, "export: short read of " + digest + " at " + position);
        }
        to.write(buffer, 0, n);
        position += n;
      }
    }
  }

  private static OutputStream nonClosing(OutputStream out) {
    return new java.io.FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        out.flush();
      }
    };
  }


}
