package dev.reprox.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What the apt, apk and dnf fixture repository builders share: the packages of the next
 * generation by name, its date, the generation last published, atomic writes (a server reading
 * the tree never sees half a file), pruning files no longer listed, and tampering with a published
 * file. Not thread-safe.
 *
 * @param <P> the format's package description
 * @param <G> the format's published generation
 * @param <B> the builder itself, for chained calls
 */
public abstract class RepoBuilder<P, G, B extends RepoBuilder<P, G, B>> {
  protected final Path root;
  protected final Map<String, P> packages = new TreeMap<>();
  protected Instant date;
  protected G current;

  protected RepoBuilder(Path root) {
    this.root = root;
  }

  protected abstract B self();

  /** The package's name: at most one package of a name per generation. */
  protected abstract String nameOf(P pkg);

  /** A package of the format with defaults for everything but its name and version. */
  protected abstract P packageOf(String name, String version);

  /**
   * The next generation's publication time (apt {@code Date:}, the APKINDEX entries' mtime, dnf
   * repomd's {@code <revision>}), also the signatures' time where the format dates them. Required.
   */
  public B date(Instant value) {
    date = value;
    return self();
  }

  /** Adds or replaces (same name) a package for the next generation. */
  public B add(P pkg) {
    packages.put(nameOf(pkg), pkg);
    return self();
  }

  public B add(String name, String version) {
    return add(packageOf(name, version));
  }

  public B remove(String name) {
    if (packages.remove(name) == null) {
      throw new IllegalArgumentException("remove package " + name + ": not in " + packages.keySet());
    }
    return self();
  }

  public Path root() {
    return root;
  }

  /** The generation last published, or null. */
  public G current() {
    return current;
  }

  /** Inverts every byte of the file at repository-relative {@code path}, keeping its size. */
  public B tamper(String path) {
    Path file = root.resolve(path);
    try {
      byte[] bytes = Files.readAllBytes(file);
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) ~bytes[i];
      }
      write(file, bytes);
      return self();
    } catch (IOException e) {
      throw new UncheckedIOException("tamper " + file, e);
    }
  }

  /** Flips one bit of the byte at {@code offset} of the file at {@code path}, keeping its size. */
  protected B flip(String path, long offset) {
    Path file = root.resolve(path);
    try {
      byte[] bytes = Files.readAllBytes(file);
      bytes[(int) offset] ^= 0x01;
      write(file, bytes);
      return self();
    } catch (IOException e) {
      throw new UncheckedIOException("tamper " + file + " at " + offset, e);
    }
  }

  protected void requirePublished(String operation) {
    if (current == null) {
      throw new IllegalStateException(operation + ": nothing published yet in " + root);
    }
  }

  protected String relative(Path file) {
    return root.relativize(file).toString();
  }

  /** Deletes the files below {@code dir} that {@code candidate} accepts and {@code wanted} (relative paths) lacks. */
  protected void prune(Path dir, Predicate<Path> candidate, Collection<String> wanted) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.filter(Files::isRegularFile).filter(candidate)::iterator) {
        if (!wanted.contains(relative(p))) {
          Files.delete(p);
        }
      }
    }
  }

  /** Replaces {@code file} by an atomic rename of a sibling written first. */
  protected static void write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.write(tmp, bytes);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Lower-case hex of the {@code algorithm} digest ({@code SHA-256}, {@code MD5}...) of {@code bytes}. */
  public static String hex(String algorithm, byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " missing from the JDK", e);
    }
  }
}
