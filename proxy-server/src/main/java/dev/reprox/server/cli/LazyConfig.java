package dev.reprox.server.cli;

import dev.reprox.config.ConfigException;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.config.ReproxConfig;
import java.util.AbstractCollection;
import java.util.Collection;
import java.util.Iterator;

/**
 * The effective configuration, loaded on first use and then kept: for a command that may not need
 * it at all ({@code prewarm --server} of a reprox lockfile). A load that fails throws {@link
 * Failed} (unchecked, so that it passes through a lockfile reader) at every use.
 */
final class LazyConfig {
  /** Loads the configuration; {@link dev.reprox.config.ConfigLoader#load} in production. */
  @FunctionalInterface
  interface Loader {
    ReproxConfig load() throws ConfigException;
  }

  /** The load failed; the cause says why, field by field. */
  static final class Failed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failed(ConfigException cause) {
      super(cause.getMessage(), cause);
    }

    @Override
    public synchronized ConfigException getCause() {
      return (ConfigException) super.getCause();
    }
  }

  private final Loader loader;
  private ReproxConfig config;
  private Failed failed;

  LazyConfig(Loader loader) {
    this.loader = loader;
  }

  /** True once a load was tried (tests: whether a run needed the configuration). */
  synchronized boolean loaded() {
    return config != null || failed != null;
  }

  synchronized ReproxConfig get() {
    if (config == null && failed == null) {
      try {
        config = loader.load();
      } catch (ConfigException e) {
        failed = new Failed(e);
      }
    }
    if (failed != null) {
      throw failed;
    }
    return config;
  }

  /** The configured repositories, the configuration loaded only when they are first looked at. */
  Collection<RepositoryConfig> repositories() {
    return new AbstractCollection<>() {
      @Override
      public Iterator<RepositoryConfig> iterator() {
        return get().repositories().values().iterator();
      }

      @Override
      public int size() {
        return get().repositories().size();
      }
    };
  }
}
