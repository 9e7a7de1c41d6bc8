package dev.reprox.server.lock;

import dev.reprox.storage.BlobReader;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Pin;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code reprox lock --repo R --at T NAME[=VERSION]…} shares between dnf ({@link DnfNames})
 * and apk ({@link ApkNames}): the generation pinned at T, the names asked, and one message per name
 * that could not be locked, saying why (no such name; not that version, and which there are; more
 * than one version and none asked).
 */
public final class Names {
  /** One name resolved; {@code apkQ1} and {@code checksumType} where the format has them, else null. */
  public record Found(String name, String version, String path, String sha256, long size, String apkQ1,
      String checksumType) {}

  /** The generation at T and what it gave: {@code problems} has one line per name not locked. */
  public record Resolved(String generation, Instant publishedAt, List<Found> found, List<String> problems) {}

  private Names() {}

  /** {@code NAME[=VERSION]} arguments: name → version (null: any), in the order given. */
  static Map<String, String> wanted(List<String> args) {
    Map<String, String> want = new LinkedHashMap<>();
    for (String w : args) {
      int eq = w.indexOf('=');
      want.put(eq < 0 ? w : w.substring(0, eq), eq < 0 ? null : w.substring(eq + 1));
    }
    return want;
  }

  /** The pin of {@code root} at {@code at}; fails saying so when the store holds none. */
  static Pin pin(Storage storage, String repo, String root, Instant at) throws IOException {
    Optional<Pin> pin = storage.pins().get(repo, root, at);
    if (pin.isEmpty()) {
      throw new IOException("no generation of " + repo + "/" + root + " at " + at + " in the store (roots it holds: "
          + storage.observations().roots(repo) + "): let a client (or reprox prewarm) ask for it at T through"
          + " reprox first");
    }
    return pin.get();
  }

  static Instant publishedAt(Storage storage, String repo, String root, Digest generation) throws IOException {
    return storage.observations().byDigest(repo, root, generation).map(dev.reprox.storage.Generation::publishedAt)
        .orElse(null);
  }

  /**
   * The line for a name asked but not found: {@code versions} are those the listing has of it
   * (empty: none), {@code where} names the listing and generation.
   */
  static String problem(String name, String version, Set<String> versions, String where) {
    if (versions.isEmpty()) {
      return name + (version == null ? "" : "=" + version) + ": no package of that name in " + where;
    }
    if (version == null) {
      return name + ": " + versions.size() + " versions in " + where + " (" + String.join(", ", versions)
          + "): name one, " + name + "=VERSION";
    }
    return name + "=" + version + ": version " + version + " is not in " + where + ", which has "
        + String.join(", ", versions);
  }

  /** The SHA-256 of the stored body a format's own hash names, or null when none is stored. */
  static String storedSha256(Storage storage, dev.reprox.storage.Alias alias) throws IOException {
    Optional<Digest> d = storage.aliases().resolve(alias);
    return d.isPresent() && storage.blobs().stat(d.get()).isPresent() ? d.get().hex() : null;
  }

  static byte[] read(Storage storage, Digest d) throws IOException {
    try (InputStream in = stream(storage, d)) {
      return in.readAllBytes();
    }
  }

  /** A blob as a stream, chunk by chunk: a listing is never whole in memory. */
  static InputStream stream(Storage storage, Digest d) throws IOException {
    BlobReader reader = storage.blobs().open(d);
    return new InputStream() {
      private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024).flip();
      private long position;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (!buf.hasRemaining()) {
          buf.clear();
          int n = reader.read(position, buf);
          buf.flip();
          if (n < 0) {
            return -1;
          }
          position += n;
        }
        int n = Math.min(len, buf.remaining());
        buf.get(b, off, n);
        return n;
      }

      @Override
      public void close() throws IOException {
        try {
          reader.close();
        } catch (Exception e) {
          throw e instanceof IOException io ? io : new IOException(e);
        }
      }
    };
  }

  /** Versions seen per name, for {@link #problem}. */
  static void seen(Map<String, Set<String>> seen, String name, String version) {
    seen.computeIfAbsent(name, k -> new java.util.LinkedHashSet<>()).add(version);
  }

  static List<Found> sorted(Map<String, Found> found) {
    return new ArrayList<>(new java.util.TreeMap<>(found).values());
  }
}
