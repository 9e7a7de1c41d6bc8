package dev.reprox.testkit.shared;

import dev.reprox.testkit.apt.CommandResult;
import dev.reprox.testkit.process.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL 15 cluster on 127.0.0.1: {@code initdb} into a temporary directory (as the
 * {@code postgres} user when we run as root, since PostgreSQL refuses to run as root), trust
 * authentication, fsync off, stopped and deleted by {@link #close()}. {@link #newDatabase()} gives
 * each test an empty database of its own.
 */
public final class PostgresServer implements AutoCloseable {
  /** Where Debian's {@code postgresql-15} package puts the server binaries. */
  public static final Path BIN = Path.of(System.getProperty("reprox.pg.bin", "/usr/lib/postgresql/15/bin"));
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Path root;
  private final Path data;
  private final int port;
  private final AtomicInteger databases = new AtomicInteger();

  private PostgresServer(Path root, Path data, int port) {
    this.root = root;
    this.data = data;
    this.port = port;
  }

  /** True when the PostgreSQL binaries are installed (the tests that need them fail loudly otherwise). */
  public static boolean installed() {
    return Files.isExecutable(BIN.resolve("initdb")) && Files.isExecutable(BIN.resolve("pg_ctl"));
  }

  /** Creates and starts a cluster; throws with initdb's or pg_ctl's output when either fails. */
  public static PostgresServer start() {
    if (!installed()) {
      throw new IllegalStateException("PostgreSQL 15 binaries not found in " + BIN
          + " (Debian package postgresql-15; or set -Dreprox.pg.bin)");
    }
    try {
      Path root = Files.createTempDirectory("reprox-pg");
      // The postgres user must reach its directories inside our (root-owned) temporary one.
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
      Path data = root.resolve("data");
      Path sockets = root.resolve("sock");
      Files.createDirectories(data);
      Files.createDirectories(sockets);
      if (asRoot()) {
        check(Processes.run(List.of("chown", "-R", "postgres:postgres", data.toString(), sockets.toString()),
            Map.of(), TIMEOUT));
      }
      int port = freePort();
      check(Processes.run(asPostgres(BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
          "-A", "trust", "--no-sync", "-E", "UTF8"), Map.of(), TIMEOUT));
      PostgresServer server = new PostgresServer(root, data, port);
      server.restart();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("start PostgreSQL", e);
    }
  }

  public int port() {
    return port;
  }

  /** The JDBC URL of {@code database} on this cluster. */
  public String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** The superuser; trust authentication, so any password is accepted. */
  public String user() {
    return "postgres";
  }

  /** Creates an empty database and returns its JDBC URL. */
  public String newDatabase() {
    String name = "t" + databases.incrementAndGet();
    sql("CREATE DATABASE " + name);
    return url(name);
  }

  /** Runs one statement in the {@code postgres} database. */
  public void sql(String statement) {
    try (Connection c = DriverManager.getConnection(url("postgres"), user(), "");
        Statement s = c.createStatement()) {
      s.execute(statement);
    } catch (SQLException e) {
      throw new IllegalStateException("postgres: " + statement + ": " + e.getMessage(), e);
    }
  }

  /** Stops the server (fast shutdown) and keeps the data: {@link #restart()} brings it back. */
  public void stop() {
    check(Processes.run(asPostgres(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-w",
        "-m", "fast", "stop"), Map.of(), TIMEOUT));
  }

  /** Starts the (stopped) server, on this server's port and loopback only. */
  public void restart() {
    // pg_ctl does not remember -o: every start passes the same options.
    check(Processes.run(asPostgres(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-w",
        "-l", data.resolve("server.log").toString(), "-o",
        "-p " + port + " -k " + root.resolve("sock") + " -c listen_addresses=127.0.0.1 -c fsync=off"
            + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
        "start"), Map.of(), TIMEOUT));
  }

  @Override
  public void close() {
    try {
      Processes.run(asPostgres(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-w",
          "-m", "immediate", "stop"), Map.of(), TIMEOUT);
    } finally {
      deleteTree(root);
    }
  }

  private static boolean asRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static List<String> asPostgres(String... command) {
    List<String> out = new ArrayList<>();
    if (asRoot()) {
      out.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    out.addAll(List.of(command));
    return out;
  }

  private static void check(CommandResult r) {
    if (r.exitCode() != 0) {
      throw new IllegalStateException("postgres: command failed\n" + r.describe());
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // A leftover temporary directory is harmless; the test's outcome matters more.
    }
  }
}
