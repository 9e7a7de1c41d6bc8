package dev.reprox.server.cli;

import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.apk.ApkControl;
import dev.reprox.pinning.apk.ApkControlHasher;
import dev.reprox.pinning.apk.ApkPackages;
import dev.reprox.storage.Alias;
import dev.reprox.storage.BlobNotFoundException;
import dev.reprox.storage.BlobReader;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.function.BiConsumer;

/**
 * The part of {@code reprox verify} that the blob scrub cannot do: an apk package is found by its
 * Q1 alias, and Q1 covers only the control member; the data part is covered by the control
 * member's {@code datahash}. So every blob a Q1 names is re-read whole and both are recomputed
 * (a store written before the datahash check existed may hold a package with a changed data part).
 */
final class ApkScrub {
  private static final int BUFFER = 64 * 1024;

  /** What was checked. */
  record Report(long packages, long bad) {}

  private ApkScrub() {}

  /** Checks every Q1-aliased blob; {@code damaged} hears the blob and the reason of each bad one. */
  static Report run(Storage storage, BiConsumer<Digest, String> damaged) throws IOException {
    long[] counts = new long[2];
    storage.aliases().forEach(Alias.Kind.APK_Q1, (q1, digest) -> {
      String problem;
      try (BlobReader reader = storage.blobs().open(digest)) {
        problem = check(q1, reader);
      } catch (BlobNotFoundException e) {
        return; // the blob was collected; the alias leads nowhere and serves nothing
      } catch (Exception e) {
        problem = "read failed: " + e.getMessage();
      }
      counts[0]++;
      if (problem != null) {
        counts[1]++;
        damaged.accept(digest, "apk " + q1 + ": " + problem);
      }
    });
    return new Report(counts[0], counts[1]);
  }

  private static String check(Alias q1, BlobReader reader) throws IOException {
    ApkControlHasher hasher = ApkPackages.controlHasher(reader.digest().toString());
    ByteBuffer buf = ByteBuffer.allocate(BUFFER);
    long position = 0;
    ApkControl control;
    try {
      int n;
      while ((n = reader.read(position, buf.clear())) > 0) {
        hasher.update(buf.array(), 0, n);
        position += n;
      }
      control = hasher.finish();
    } catch (IndexParseException e) {
      return "not an apk: " + e.getMessage();
    }
    if (!control.q1().equals(q1)) {
      return "control hash is " + control.q1();
    }
    if (control.datahash() == null) {
      return "its .PKGINFO has no datahash";
    }
    String data = HexFormat.of().formatHex(hasher.dataSha256());
    return data.equalsIgnoreCase(control.datahash()) ? null
        : "data part sha256 " + data + ", its .PKGINFO datahash says " + control.datahash();
  }
}
