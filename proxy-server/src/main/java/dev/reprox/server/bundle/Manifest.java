package dev.reprox.server.bundle;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The first entry of a bundle, {@code manifest.json} (docs/bundle.md): what the bundle claims. The
 * importer trusts none of it: every root is verified against the importing side's keyrings, every
 * other blob against the chain, and the times of observations and pins are all it takes as given.
 * Digests are 64 hex digits, times ISO-8601 instants.
 */
record Manifest(String format, int version, String createdAt, List<RootEntry> roots, List<FileEntry> files,
    List<PinEntry> pins, List<BlobEntry> blobs) {
  static final String FORMAT = "reprox-bundle";
  static final int VERSION = 1;
  static final String ENTRY = "manifest.json";
  static final String BLOB_PREFIX = "blobs/";

  private static final ObjectMapper JSON = new ObjectMapper()
      .setSerializationInclusion(JsonInclude.Include.NON_NULL)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  Manifest {
    roots = List.copyOf(roots);
    files = List.copyOf(files);
    pins = List.copyOf(pins);
    blobs = List.copyOf(blobs);
  }

  /**
   * A generation of a root index: the observations that make its T resolve are folded into its
   * first and last fetch; {@code signature} is the detached signature's digest (apt Release).
   */
  record RootEntry(String repo, String path, String digest, String signature, String publishedAt,
      boolean publishedEstimated, String firstFetchedAt, String lastFetchedAt) {}

  /**
   * A file reached from a root: {@code kind} {@code listing} or {@code index} ({@code of}: the
   * root's digest, which lists it) or {@code package} ({@code of}: the listing's digest).
   */
  record FileEntry(String repo, String path, String digest, long size, String kind, String of) {
    static final String LISTING = "listing";
    static final String INDEX = "index";
    static final String PACKAGE = "package";
  }

  record PinEntry(String repo, String root, String from, String to, String generation, String status,
      String pinnedAt) {}

  /** One {@code blobs/<digest>} entry, in archive order. */
  record BlobEntry(String digest, long size) {}

  byte[] toJson() throws IOException {
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
  }

  static Manifest parse(InputStream in) throws IOException {
    Manifest m = JSON.readValue(in, Manifest.class);
    if (!FORMAT.equals(m.format()) || m.version() != VERSION) {
      throw new IOException("not a reprox bundle of version " + VERSION + ": format " + m.format() + " version "
          + m.version());
    }
    return m;
  }
}
