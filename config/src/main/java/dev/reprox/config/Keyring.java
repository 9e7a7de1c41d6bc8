package dev.reprox.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

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
      throw new UnsupportedOperationException("TODO");
    }
  }

  /** A file or directory given by the user, already checked to exist. */
  record File(Path path) implements Keyring {
    @Override
    public List<KeyFile> load() throws IOException {
      throw new UnsupportedOperationException("TODO");
    }
  }

  /** No keyring: nothing is verified. */
  record None() implements Keyring {
    @Override
    public List<KeyFile> load() {
      return List.of();
    }
  }

  /** A named key file: its name (for apk, the name {@code .SIGN.RSA.<name>} refers to) and bytes. */
  record KeyFile(String name, byte[] bytes) {}

  /** Reads every key file of this keyring (empty for {@link None}). */
  List<KeyFile> load() throws IOException;
}
