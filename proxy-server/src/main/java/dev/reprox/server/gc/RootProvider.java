package dev.reprox.server.gc;

import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import java.io.IOException;

/**
 * Something that needs parts of the store kept whatever the retention window says: pins (always),
 * build records ({@link #buildRecords}) and, later, pre-warmed lockfiles. {@link Collector} asks
 * every provider at the start of its mark phase; a generation named here is kept with everything
 * it names (its listings and every stored package they name), a blob named here is kept by itself.
 */
public interface RootProvider {
  /** For the report and the log: {@code pins}, {@code build records}, … */
  String name();

  /** Names everything this provider needs to {@code sink}. */
  void roots(Storage storage, Sink sink) throws IOException;

  /**
   * Build records ({@code Storage.builds()}) last used within {@code retention} (the
   * {@code builds.retention} setting): each entry's root generation and the body it was served.
   */
  static RootProvider buildRecords(java.time.Duration retention, java.time.Clock clock) {
    return new BuildRecordRoots(retention, clock);
  }

  /** Receives what a provider needs. */
  interface Sink {
    /** Keep generation {@code digest} of (repo, root) and its whole chain. */
    void generation(String repo, String root, Digest digest);

    /** Keep one blob (a package a lockfile pre-warmed, say). */
    void blob(Digest digest);
  }
}
