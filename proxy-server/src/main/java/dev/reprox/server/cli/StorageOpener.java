package dev.reprox.server.cli;

import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps the data directory onto a {@link Storage}; the only place the CLI picks a backend. */
final class StorageOpener {
  private static final Logger log = LoggerFactory.getLogger(StorageOpener.class);

  private StorageOpener() {}

  static Storage open(Path data, Clock clock) throws IOException {
    Files.createDirectories(data);
    // TODO(issue 2): RocksStorage.builder().path(data.resolve("store")).clock(clock).build() once it lands.
    log.warn("storage: RocksDB store not wired yet; using an in-memory store (data dir {} unused)", data);
    return MemoryStorage.builder().clock(clock).build();
  }
}
