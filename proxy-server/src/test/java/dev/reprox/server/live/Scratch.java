package dev.reprox.server.live;

import dev.reprox.testkit.apt.CommandResult;
import dev.reprox.testkit.process.Processes;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A live test's scratch directory, which may come to hold mounts (mmdebstrap's, dockerd's overlays)
 * and root-owned trees (a chroot, a docker data-root). {@link #close()} unmounts whatever is still
 * mounted below it, deepest first, and deletes the tree only when nothing is left mounted: a
 * recursive delete through a stray bind mount of {@code /dev} or {@code /proc} would delete the
 * host's. JUnit's {@code @TempDir} knows nothing of mounts, hence this class.
 */
final class Scratch implements AutoCloseable {
  private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

  final Path root;

  private Scratch(Path root) {
    this.root = root;
  }

  static Scratch create(String prefix) throws IOException {
    return new Scratch(Files.createTempDirectory(prefix).toRealPath());
  }

  Path resolve(String name) {
    return root.resolve(name);
  }

  /** Mount points at or below {@code root}, deepest first. */
  List<Path> mountsBelow() throws IOException {
    List<Path> below = new ArrayList<>();
    for (String line : Files.readAllLines(MOUNTINFO)) {
      // Field 5 is the mount point, with space, tab, newline and backslash escaped as \ooo.
      String[] fields = line.split(" ");
      if (fields.length > 4) {
        Path point = Path.of(unescape(fields[4]));
        if (point.startsWith(root)) {
          below.add(point);
        }
      }
    }
    below.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    return below;
  }

  @Override
  public void close() throws IOException {
    for (Path point : mountsBelow()) {
      // Lazy: a mount still busy (a dying container) is detached now and freed when released.
      CommandResult r = Processes.run(List.of("umount", "--lazy", point.toString()), Map.of(), Duration.ofSeconds(30));
      if (!r.ok() && mountsBelow().contains(point)) {
        throw new IOException("clean up " + root + ": cannot unmount " + point + ", left in place\n" + r.describe());
      }
    }
    List<Path> left = mountsBelow();
    if (!left.isEmpty()) {
      throw new IOException("clean up " + root + ": still mounted " + left + ", not deleting");
    }
    // walkFileTree follows no symbolic links by default: a chroot's /lib64 link is deleted, not followed.
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static String unescape(String field) {
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length()) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
