package dev.reprox.server.cli;

import dev.reprox.config.ReproxConfig;
import dev.reprox.config.StorageConfig;
import dev.reprox.storage.Storage;
import dev.reprox.storage.shared.SharedStorage;
import dev.reprox.storage.shared.StoreMigration;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reprox migrate --from-data DIR --config FILE}: copies the single-node store of a data
 * directory into the shared store the configuration names (docs/migrate.md). The source is opened
 * read-only; a rerun copies only what is missing.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = "Copy a single-node store (--from-data) into the shared store of --config (storage.type: shared).")
final class MigrateCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--from-data", required = true, paramLabel = "DIR",
      description = "data directory of the single-node reprox to copy (stop it first)")
  Path fromData;

  @Option(names = "--config", paramLabel = "FILE",
      description = "config file (YAML) whose storage: is the shared store to fill (or REPROX_STORAGE_* variables)")
  Path config;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<ReproxConfig> loaded = Errors.load(config, null, err);
    if (loaded.isEmpty()) {
      return Main.EXIT_CONFIG;
    }
    ReproxConfig effective = loaded.get();
    if (effective.storage().type() != StorageConfig.Type.SHARED) {
      err.println("migrate: the configuration's storage.type is rocksdb: give --config with storage.type: shared"
          + " (the PostgreSQL database and S3 bucket to fill)");
      err.flush();
      return Main.EXIT_CONFIG;
    }
    if (!StorageOpener.holdsStore(fromData)) {
      err.println("migrate: " + fromData + " is not a reprox data directory (no store in "
          + StorageOpener.store(fromData) + ")");
      err.flush();
      return Main.EXIT_CONFIG;
    }
    out.println("migrate: from the store in " + fromData + " to " + StorageOpener.describe(effective));
    out.flush();
    try (Storage source = StorageOpener.openReadOnly(fromData);
        Storage target = StorageOpener.open(effective, Clock.systemUTC())) {
      StoreMigration.Report report = StoreMigration.run(source, (SharedStorage) target, line -> {
        out.println(line);
        out.flush();
      });
      report.summary().forEach(out::println);
      out.flush();
      return report.ok() ? 0 : 1;
    } catch (IOException e) {
      err.println("migrate: " + e.getMessage() + " (a rerun continues where this one stopped)");
      err.flush();
      return 1;
    }
  }
}
