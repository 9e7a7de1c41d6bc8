package dev.reprox.server.cli;

import dev.reprox.config.ConfigException;
import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ConfigPrinter;
import dev.reprox.config.ReproxConfig;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code reprox config check [FILE]}. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Configuration tools.", subcommands = ConfigCommand.Check.class)
final class ConfigCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Prints the effective configuration, or every error with its field path (exit 2). */
  @Command(name = "check", mixinStandardHelpOptions = true, description = "Print the effective configuration, or its errors.")
  static final class Check implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "config file (YAML)")
    Path file;

    @Override
    public Integer call() {
      try {
        ReproxConfig config = ConfigLoader.load(Optional.ofNullable(file), System.getenv(),
            ConfigLoader.Overrides.none());
        spec.commandLine().getOut().print(ConfigPrinter.toYaml(config));
        spec.commandLine().getOut().flush();
        return 0;
      } catch (ConfigException e) {
        Errors.print(spec.commandLine().getErr(), e);
        return Main.EXIT_CONFIG;
      }
    }
  }
}
