package dev.reprox.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The effective configuration.
 *
 * @param listen address the server binds ({@code listen:}, default 127.0.0.1:3142)
 * @param data data directory ({@code data:}, default ./reprox-data)
 * @param offline never contact an upstream ({@code offline:})
 * @param repositories by name, in a stable order (built-ins first, then the file's)
 * @param tunnelAllow {@code HOST:PORT}s a forward-mode {@code CONNECT} may reach
 *     ({@code tunnel-allow:}, lower-case host, empty by default: reprox is never an open proxy)
 * @param upstreams per-host politeness overrides ({@code upstreams:}), by origin
 *     ({@code scheme://host[:port]}, as {@link UpstreamConfig#origin()} spells it)
 */
public record ReproxConfig(
    InetSocketAddress listen, Path data, boolean offline, Map<String, RepositoryConfig> repositories,
    List<String> tunnelAllow, Map<String, UpstreamConfig> upstreams) {

  public ReproxConfig {
    repositories = Collections.unmodifiableMap(new LinkedHashMap<>(repositories));
    tunnelAllow = List.copyOf(tunnelAllow);
    upstreams = Collections.unmodifiableMap(new LinkedHashMap<>(upstreams));
  }

  /** Without tunnels and politeness overrides (tests and older callers). */
  public ReproxConfig(InetSocketAddress listen, Path data, boolean offline, Map<String, RepositoryConfig> repositories) {
    this(listen, data, offline, repositories, List.of(), Map.of());
  }
}
