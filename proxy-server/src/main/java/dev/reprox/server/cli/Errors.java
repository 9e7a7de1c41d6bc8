package dev.reprox.server.cli;

import dev.reprox.config.ConfigException;
import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.config.ReproxEnvironment;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

/** Prints configuration errors one per line, each naming its field path. */
final class Errors {
  private Errors() {}

  static void print(PrintWriter err, ConfigException e) {
    for (String error : e.errors()) {
      err.println("config: " + error);
    }
    err.flush();
  }

  /**
   * For a command path that needs no configuration (a client of a running server): the {@code
   * REPROX_} variables are still checked as {@code serve} checks them (an unknown or malformed one
   * is an error, printed the same way); nothing is loaded when no variable is configuration.
   * False after printing the errors (exit {@link Main#EXIT_CONFIG}).
   */
  static boolean environmentValid(PrintWriter err) {
    try {
      ReproxEnvironment.check(System.getenv());
      return true;
    } catch (ConfigException e) {
      print(err, e);
      return false;
    }
  }

  /**
   * The effective configuration of a store command's {@code --config} (null: the built-ins) and
   * {@code --data} (null: the config's); empty, with the errors printed, when it is invalid.
   */
  static Optional<ReproxConfig> load(Path config, Path data, PrintWriter err) {
    try {
      return Optional.of(ConfigLoader.load(Optional.ofNullable(config), System.getenv(), new ConfigLoader.Overrides(
          Optional.empty(), Optional.ofNullable(data), Optional.empty())));
    } catch (ConfigException e) {
      print(err, e);
      return Optional.empty();
    }
  }
}
