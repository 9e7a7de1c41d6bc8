package dev.reprox.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/** The project version, from a resource Maven filters at build time (so it cannot drift from the pom). */
final class Version implements CommandLine.IVersionProvider {
  static final String VERSION = load();

  @Override
  public String[] getVersion() {
    return new String[] {"reprox " + VERSION};
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("/dev/reprox/server/version.properties")) {
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
