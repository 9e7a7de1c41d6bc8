package dev.reprox.server.cli;

import dev.reprox.server.ReproxVersion;
import picocli.CommandLine;

/** The project version for {@code --version} and the startup line ({@link ReproxVersion}). */
final class Version implements CommandLine.IVersionProvider {
  static final String VERSION = ReproxVersion.VERSION;

  @Override
  public String[] getVersion() {
    return new String[] {"reprox " + VERSION};
  }
}
