package dev.reprox.pinning;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the checkout's {@code fixtures/} (real keys and signed indexes, see its SOURCES.md): walks
 * up from the working directory, because the module's tests run from {@code <checkout>/index-pinning}.
 * Only a directory that holds {@code fixtures/SOURCES.md} next to a {@code pom.xml} counts, so nothing
 * outside the checkout is ever read.
 */
public final class Fixtures {
  private static final Path ROOT = find();

  private Fixtures() {}

  public static Path path(String relative) {
    return ROOT.resolve(relative);
  }

  public static byte[] bytes(String relative) {
    try {
      return Files.readAllBytes(path(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path find() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("fixtures");
      if (Files.isRegularFile(candidate.resolve("SOURCES.md")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("fixtures/SOURCES.md not found above " + Path.of("").toAbsolutePath());
  }
}
