package dev.reprox.server.cli;

import dev.reprox.pinning.BodyCheck;
import dev.reprox.pinning.Format;
import dev.reprox.pinning.formats.Formats;
import dev.reprox.storage.Alias;
import dev.reprox.storage.BlobNotFoundException;
import dev.reprox.storage.BlobReader;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The part of {@code reprox verify} that the blob scrub cannot do: a package its index names by a
 * format's own hash (apk's Q1, which covers only the control member) is found by that alias, and
 * the blob's SHA-256 says nothing about it. So every blob such an alias names is re-read whole
 * through the format's {@link Format#bodyCheck} (a store written before a check existed may hold
 * a package whose unchecked part changed). The formats come without keys: a body check needs none.
 */
final class BodyCheckScrub {
  private static final int BUFFER = 64 * 1024;

  /** What was checked for one format. */
  record Report(String format, long packages, long bad) {}

  private BodyCheckScrub() {}

  /**
   * Checks every blob a body-check alias of any known format names, format by format in name
   * order; {@code damaged} hears the blob and the reason of each bad one.
   */
  static List<Report> run(Storage storage, Clock clock, BiConsumer<Digest, String> damaged) throws IOException {
    List<Report> reports = new ArrayList<>();
    for (String name : Formats.NAMES.stream().sorted().toList()) {
      Format format = Formats.build(new Formats.Spec(name, Optional.empty(), clock, false, "verify")).format();
      if (!format.bodyCheckKinds().isEmpty()) {
        reports.add(run(storage, format, damaged));
      }
    }
    return reports;
  }

  private static Report run(Storage storage, Format format, BiConsumer<Digest, String> damaged) throws IOException {
    long[] counts = new long[2];
    for (Alias.Kind kind : format.bodyCheckKinds()) {
      storage.aliases().forEach(kind, (alias, digest) -> {
        String problem;
        try (BlobReader reader = storage.blobs().open(digest)) {
          problem = check(format.bodyCheck(alias, digest.toString()).orElseThrow(), reader);
        } catch (BlobNotFoundException e) {
          return; // the blob was collected; the alias leads nowhere and serves nothing
        } catch (Exception e) {
          problem = "read failed: " + e.getMessage();
        }
        counts[0]++;
        if (problem != null) {
          counts[1]++;
          damaged.accept(digest, format.name() + " " + alias + ": " + problem);
        }
      });
    }
    return new Report(format.name(), counts[0], counts[1]);
  }

  private static String check(BodyCheck check, BlobReader reader) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(BUFFER);
    long position = 0;
    int n;
    while ((n = reader.read(position, buf.clear())) > 0) {
      check.update(buf.array(), 0, n);
      position += n;
    }
    String unreadable = check.unreadable();
    return unreadable != null ? unreadable : check.mismatch();
  }
}
