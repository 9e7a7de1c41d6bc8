package dev.reprox.server.cli;

import dev.reprox.storage.Storage;
import dev.reprox.storage.rocks.RocksStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/** Maps the data directory onto a {@link Storage}; the only place the CLI picks a backend. */
final class StorageOpener {
  private StorageOpener() {}

  /** The RocksDB store under {@code <data>/store} (created when missing). */
  static Storage open(Path data, Clock clock) throws IOException {
    return RocksStorage.builder().path(data.resolve("store")).clock(clock).build();
  }
}
