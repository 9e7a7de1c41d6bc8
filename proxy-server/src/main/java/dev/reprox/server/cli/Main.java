package dev.reprox.server.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code reprox <command>}: the entry point of the shaded jar and the launcher script. */
@Command(name = "reprox", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Package snapshot proxy and cache for apt, apk and dnf.",
    subcommands = {ServeCommand.class, ConfigCommand.class, VerifyCommand.class, GenerationsCommand.class,
        ExportCommand.class, ImportCommand.class, GcCommand.class, LockCommand.class, PrewarmCommand.class,
        MigrateCommand.class})
public final class Main implements Runnable {
  /** Usage errors and bad configuration. */
  static final int EXIT_CONFIG = 2;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int code = run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    System.exit(code);
  }

  /** Runs one command with the given streams; returns the exit code. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExitCodeExceptionMapper(t -> EXIT_CONFIG);
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
