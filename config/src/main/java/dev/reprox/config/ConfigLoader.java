package dev.reprox.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the effective configuration: built-in repositories, then the file given with
 * {@code --config} (a repository of the same name replaces the built-in one), then
 * {@code REPROX_…} environment overrides, then CLI flags.
 */
public final class ConfigLoader {
  /** CLI flags that win over everything; empty means not given. */
  public record Overrides(Optional<InetSocketAddress> listen, Optional<Path> data, Optional<Boolean> offline) {
    public static Overrides none() {
      return new Overrides(Optional.empty(), Optional.empty(), Optional.empty());
    }
  }

  private ConfigLoader() {}

  /**
   * @param file the {@code --config} file, if any
   * @param env the environment (pass {@code System.getenv()}; tests pass a map)
   */
  public static ReproxConfig load(Optional<Path> file, Map<String, String> env, Overrides overrides)
      throws ConfigException {
    throw new UnsupportedOperationException("TODO: implemented in the config issue work");
  }
}
