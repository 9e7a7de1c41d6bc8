package dev.reprox.server.cli;

import dev.reprox.storage.Storage;
import dev.reprox.storage.rocks.RocksStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/** Maps the data directory onto a {@link Storage}; the only place the CLI picks a backend. */
final class StorageOpener {
  private StorageOpener() {}

  /** The RocksDB store under {@code <data>/store} (created when missing). */
  static Storage open(Path data, Clock clock) throws IOException {
    return RocksStorage.builder().path(store(data)).clock(clock).build();
  }

  /** Where {@link #open} keeps the store of a data directory. */
  static Path store(Path data) {
    return data.resolve("store");
  }

  /** True when {@code data} holds a store {@link #open} made (RocksDB writes CURRENT at creation). */
  static boolean holdsStore(Path data) {
    return Files.isRegularFile(store(data).resolve("CURRENT"));
  }

  /**
   * The existing store under {@code <data>/store}, read-only: RocksDB's lock is not taken, so this
   * works while a server holds the store; nothing is created or written.
   */
  static Storage openReadOnly(Path data) throws IOException {
    return RocksStorage.builder().path(store(data)).readOnly(true).build();
  }

  /** A hint when {@code e} is RocksDB refusing a second writer: a server holds the store. */
  static String lockHint(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && m.contains("lock")) {
        return " (is reprox serve running on this data directory? stop it first)";
      }
    }
    return "";
  }
}
