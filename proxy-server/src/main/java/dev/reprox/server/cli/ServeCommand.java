package dev.reprox.server.cli;

import dev.reprox.config.ConfigException;
import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.ListenException;
import dev.reprox.server.Transport;
import dev.reprox.server.ReproxServer;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

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

  /** The launcher's training run for its class-data archive ({@link Training}); not for users. */
  @Option(names = "--train", hidden = true)
  boolean train;

  @Override
  public Integer call() throws IOException, InterruptedException {
    warmTlsInBackground();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Training training = null;
    if (train) {
      if (config != null || data == null || offline) {
        err.println("serve --train: needs --data DIR (a scratch directory), and takes neither --config nor --offline:"
            + " it serves a sample repository of its own from a loopback upstream");
        err.flush();
        return Main.EXIT_CONFIG;
      }
      training = Training.start(data);
      config = training.config();
    }
    try {
      return serve(out, err, training);
    } finally {
      if (training != null) {
        training.close();
      }
    }
  }

  private int serve(PrintWriter out, PrintWriter err, Training training) throws IOException, InterruptedException {
    ReproxConfig effective;
    try {
      effective = ConfigLoader.load(Optional.ofNullable(config), System.getenv(), new ConfigLoader.Overrides(
          Optional.ofNullable(listen), Optional.ofNullable(data),
          // the training fetches from its own loopback upstream, whatever REPROX_OFFLINE says
          training != null ? Optional.of(false) : offline ? Optional.of(true) : Optional.empty()));
    } catch (ConfigException e) {
      Errors.print(err, e);
      return Main.EXIT_CONFIG;
    }
    try {
      // A configuration error found here, before the store opens: the config module knows no Netty.
      Transport.choose(effective.server().transport());
    } catch (Transport.UnavailableException e) {
      err.println(e.getMessage());
      err.flush();
      return Main.EXIT_CONFIG;
    }
    LogFormat.apply(effective.log().format());
    io.netty.util.ResourceLeakDetector.Level leaks = LeakDetection.apply(effective.log().leakDetection());
    LOG.info("reprox {} starting: data {}, config {}, {}, {}, repositories {}", Version.VERSION,
        effective.data().toAbsolutePath(), config == null ? "built-in defaults" : config.toAbsolutePath(),
        effective.offline() ? "offline (no upstream is contacted)" : "online", effective.api().describe(),
        effective.repositories().isEmpty() ? "(none)" : String.join(", ", effective.repositories().keySet()));
    if (leaks != io.netty.util.ResourceLeakDetector.Level.DISABLED) {
      LOG.info("buffer leak detection {} (Netty reports a leak on the logger io.netty.util.ResourceLeakDetector)",
          leaks.name().toLowerCase(java.util.Locale.ROOT));
    }
    Clock clock = Clock.systemUTC();
    Storage storage;
    try {
      storage = StorageOpener.open(effective, clock);
    } catch (IOException e) {
      err.println("serve: cannot open " + StorageOpener.describe(effective) + ": " + e.getMessage()
          + (e.getMessage() != null && e.getMessage().contains("LOCK") ? " (is another reprox serving it?)" : ""));
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
    } catch (ListenException e) {
      // One line, no stack trace: the address and the system's reason are all there is to say.
      storage.close();
      err.println(e.getMessage());
      err.flush();
      return 1;
    } catch (RuntimeException e) {
      storage.close();
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      LogFormat.flushAccess(); // after the drain: the drained requests' lines too
    }, "reprox-shutdown"));
    String bound = server.address().getHostString() + ":" + server.address().getPort();
    java.nio.file.Files.writeString(effective.data().resolve("listen.address"), bound + "\n");
    out.println("listening on " + bound);
    out.flush();
    if (training != null) {
      try {
        training.exercise(server.address(), clock, out);
        return 0;
      } catch (IOException e) {
        err.println("serve --train: " + e.getMessage());
        err.flush();
        return 1;
      } finally {
        server.close();
      }
    }
    server.awaitClosed();
    return 0;
  }

  /**
   * The upstream client is built with the JVM's default {@link SSLContext}, whose first use reads
   * and parses the JDK's CA certificates: a tenth of a second of CPU on the way to the listener
   * (issue 14). Done on a thread of its own from the start, it overlaps the configuration, the
   * logging and the store's opening; the build waits for it only if it is not done yet.
   */
  private static void warmTlsInBackground() {
    Thread t = new Thread(() -> {
      try {
        SSLContext.getDefault();
      } catch (NoSuchAlgorithmException | RuntimeException e) {
        // Not ours to report: the client's build meets the same failure and says so.
      }
    }, "reprox-tls-warm");
    t.setDaemon(true);
    t.start();
  }
}
