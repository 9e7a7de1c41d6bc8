package dev.reprox.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;

/**
 * The effective configuration.
 *
 * @param listen address the server binds ({@code listen:}, default 127.0.0.1:3142)
 * @param data data directory ({@code data:}, default ./reprox-data)
 * @param offline never contact an upstream ({@code offline:})
 * @param repositories by name, in a stable order (built-ins first, then the file's)
 */
public record ReproxConfig(
    InetSocketAddress listen, Path data, boolean offline, Map<String, RepositoryConfig> repositories) {

  public ReproxConfig {
    repositories = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(repositories));
  }
}
