package dev.reprox.server.cli;

import dev.reprox.config.ConfigException;
import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.ReproxServer;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reprox serve}: load the configuration, open the store, listen, and on SIGTERM shut down
 * gracefully. Prints {@code listening on HOST:PORT} once bound (tests read the port from it) and
 * writes the same address to {@code <data>/listen.address}.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the proxy.")
final class ServeCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "config file (YAML), merged over the built-ins")
  Path config;

  @Option(names = "--data", paramLabel = "DIR", description = "data directory (default ./reprox-data)")
  Path data;

  @Option(names = "--listen", paramLabel = "HOST:PORT", converter = ListenConverter.class,
      description = "address to bind (default 127.0.0.1:3142; port 0 picks a free one)")
  InetSocketAddress listen;

  @Option(names = "--offline", description = "never contact an upstream")
  boolean offline;

  @Option(names = "--drain-timeout", paramLabel = "SECONDS", defaultValue = "10",
      description = "how long shutdown waits for in-flight responses (default ${DEFAULT-VALUE})")
  long drainSeconds;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ReproxConfig effective;
    try {
      effective = ConfigLoader.load(Optional.ofNullable(config), System.getenv(), new ConfigLoader.Overrides(
          Optional.ofNullable(listen), Optional.ofNullable(data), offline ? Optional.of(true) : Optional.empty()));
    } catch (ConfigException e) {
      Errors.print(err, e);
      return Main.EXIT_CONFIG;
    }
    Clock clock = Clock.systemUTC();
    Storage storage;
    try {
      storage = StorageOpener.open(effective.data(), clock);
    } catch (IOException e) {
      err.println("serve: cannot open the store in " + effective.data() + ": " + e.getMessage());
      err.flush();
      return 1;
    }
    ReproxServer server;
    try {
      server = ReproxServer.builder()
          .config(effective)
          .storage(storage)
          .clock(clock)
          .drainTimeout(Duration.ofSeconds(drainSeconds))
          .start();
    } catch (RuntimeException e) {
      err.println("serve: cannot listen on " + effective.listen() + ": " + e.getMessage());
      err.flush();
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "reprox-shutdown"));
    String bound = server.address().getHostString() + ":" + server.address().getPort();
    java.nio.file.Files.writeString(effective.data().resolve("listen.address"), bound + "\n");
    out.println("listening on " + bound);
    out.flush();
    server.awaitClosed();
    return 0;
  }
}
