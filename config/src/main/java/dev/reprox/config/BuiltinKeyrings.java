package dev.reprox.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The keyrings shipped inside this jar under {@code dev/reprox/config/keyrings/}. Resources in a
 * jar cannot be listed, so {@code keyrings/index.txt} names the keyrings and each keyring
 * directory's {@code index.txt} names its files.
 */
final class BuiltinKeyrings {
  private static final String ROOT = "dev/reprox/config/keyrings/";

  private BuiltinKeyrings() {}

  /** Names usable as {@code builtin:<name>}, sorted. */
  static List<String> names() {
    try {
      return readIndex(ROOT + "index.txt");
    } catch (IOException e) {
      throw new UncheckedIOException("list built-in keyrings: " + e.getMessage(), e);
    }
  }

  static List<Keyring.KeyFile> load(String name) throws IOException {
    if (!names().contains(name)) {
      throw new IOException("load built-in keyring " + name + ": no such keyring (available: "
          + String.join(", ", names()) + ")");
    }
    List<Keyring.KeyFile> files = new ArrayList<>();
    for (String file : readIndex(ROOT + name + "/index.txt")) {
      files.add(new Keyring.KeyFile(file, read(ROOT + name + "/" + file)));
    }
    return List.copyOf(files);
  }

  private static List<String> readIndex(String resource) throws IOException {
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(open(resource), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (!line.isBlank()) {
          lines.add(line.strip());
        }
      }
    }
    return List.copyOf(lines);
  }

  private static byte[] read(String resource) throws IOException {
    try (InputStream in = open(resource)) {
      return in.readAllBytes();
    }
  }

  private static InputStream open(String resource) throws IOException {
    InputStream in = BuiltinKeyrings.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new IOException("read built-in keyring resource " + resource + ": not found in the jar");
    }
    return in;
  }
}
