package dev.reprox.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Where a repository's signing keys come from: {@code builtin:<name>} (shipped as resources of
 * this module), a path (an OpenPGP keyring file for apt and dnf, a directory of {@code *.rsa.pub}
 * for apk), or {@code none} (observations are recorded with {@code verified=false}).
 */
public sealed interface Keyring {
  /** {@code builtin:<name>}: resources under {@code dev/reprox/config/keyrings/<name>/}. */
  record Builtin(String name) implements Keyring {
    @Override
    public List<KeyFile> load() throws IOException {
      return BuiltinKeyrings.load(name);
    }

    @Override
    public String spec() {
      return "builtin:" + name;
    }
  }

  /**
   * A file or directory given by the user, already checked to exist. A directory contributes its
   * key-looking files ({@code *.rsa.pub}, {@code *.pub}, {@code *.pem}, {@code *.gpg},
   * {@code *.asc}, {@code *.kbx}, {@code RPM-GPG-KEY-*}) in name order; other files (a README)
   * are left alone.
   */
  record File(Path path) implements Keyring {
    @Override
    public List<KeyFile> load() throws IOException {
      if (!Files.isDirectory(path)) {
        return List.of(new KeyFile(path.getFileName().toString(), Files.readAllBytes(path)));
      }
      List<Path> paths;
      try (Stream<Path> listing = Files.list(path)) {
        paths = listing.filter(Files::isRegularFile).filter(File::looksLikeKey).sorted().toList();
      }
      List<KeyFile> files = new ArrayList<>();
      for (Path p : paths) {
        files.add(new KeyFile(p.getFileName().toString(), Files.readAllBytes(p)));
      }
      return List.copyOf(files);
    }

    @Override
    public String spec() {
      return path.toString();
    }

    private static boolean looksLikeKey(Path p) {
      String name = p.getFileName().toString();
      String lower = name.toLowerCase(Locale.ROOT);
      return name.startsWith("RPM-GPG-KEY-")
          || Stream.of(".pub", ".pem", ".gpg", ".asc", ".kbx").anyMatch(lower::endsWith);
    }
  }

  /** No keyring: nothing is verified. */
  record None() implements Keyring {
    @Override
    public List<KeyFile> load() {
      return List.of();
    }

    @Override
    public String spec() {
      return "none";
    }
  }

  /** A named key file: its name (for apk, the name {@code .SIGN.RSA.<name>} refers to) and bytes. */
  record KeyFile(String name, byte[] bytes) {
    // A record compares arrays by identity; keys are compared by content.
    @Override
    public boolean equals(Object o) {
      return o instanceof KeyFile other && name.equals(other.name) && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
      return 31 * name.hashCode() + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "KeyFile[" + name + ", " + bytes.length + " bytes]";
    }
  }

  /** Reads every key file of this keyring (empty for {@link None}). */
  List<KeyFile> load() throws IOException;

  /** The string that selects this keyring in the config file ({@code keyring:}). */
  String spec();
}
