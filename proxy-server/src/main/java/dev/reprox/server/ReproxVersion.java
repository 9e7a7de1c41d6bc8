package dev.reprox.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The project version, from a resource Maven filters at build time (so it cannot drift from the pom). */
public final class ReproxVersion {
  public static final String VERSION = load();

  private ReproxVersion() {}

  private static String load() {
    try (InputStream in = ReproxVersion.class.getResourceAsStream("/dev/reprox/server/version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
