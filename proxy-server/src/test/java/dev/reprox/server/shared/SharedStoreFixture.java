package dev.reprox.server.shared;

import dev.reprox.server.testing.ReproxProcess;
import dev.reprox.testkit.apt.AptClient;
import dev.reprox.testkit.shared.PostgresServer;
import dev.reprox.testkit.shared.S3ProxyServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The shared store the replica tests run on: one PostgreSQL and one S3Proxy for the whole test
 * class ({@code @RegisterExtension static}), each test on a database of its own; and the pieces
 * of a replica's set-up: its {@code storage:} and {@code repositories:} YAML, a {@code reprox
 * serve} child JVM, an apt-get pointed at it.
 */
final class SharedStoreFixture implements BeforeAllCallback, AfterAllCallback {
  private PostgresServer postgres;
  private S3ProxyServer s3;

  @Override
  public void beforeAll(ExtensionContext context) {
    postgres = PostgresServer.start();
    s3 = S3ProxyServer.start(S3ProxyServer.jarFromProperty());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (s3 != null) {
      s3.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  PostgresServer postgres() {
    return postgres;
  }

  S3ProxyServer s3() {
    return s3;
  }

  /**
   * The {@code storage:} section on this PostgreSQL ({@code jdbc}, from {@code
   * postgres().newDatabase()}) and this S3 server's {@code bucket}; {@code localCache}: more keys
   * of {@code local-cache}, each followed by ", " (a path); {@code extra}: more lines of the section.
   */
  String storage(String jdbc, String bucket, String localCache, String extra) {
    return "storage:\n"
        + "  type: shared\n"
        + "  postgres: {url: \"" + jdbc + "\", user: " + postgres.user() + "}\n"
        + "  s3: {endpoint: \"" + s3.endpoint() + "\", bucket: " + bucket + ", access-key: "
        + S3ProxyServer.ACCESS_KEY + ", secret-key: " + S3ProxyServer.SECRET_KEY + "}\n"
        + "  local-cache: {" + localCache + "max-size: 256MiB}\n"
        + extra;
  }

  /** {@code repositories:} with the apt repository {@code fix} at {@code upstream}. */
  static String repositories(URI upstream, Path keyring) {
    String u = upstream.toString().replaceAll("/$", "");
    return "repositories:\n  fix:\n    format: apt\n    upstream: " + u + "\n    keyring: " + keyring
        + "\n    root-ttl: 60s\n";
  }

  /**
   * {@code reprox serve} of {@code jar} on a free port, its data in {@code tmp/data-<name>}, its
   * log in {@code tmp/<name>.log}.
   */
  static ReproxProcess serve(Path tmp, Path jar, String name, Path config) throws Exception {
    Path log = tmp.resolve(name + ".log");
    Files.createFile(log);
    ProcessBuilder command = ReproxProcess.command(jar, ReproxProcess.PARANOID, log, "serve", "--config",
        config.toString(), "--data", tmp.resolve("data-" + name).toString(), "--listen", "127.0.0.1:0", "--drain-timeout", "2");
    return ReproxProcess.start(command, log, Duration.ofSeconds(120));
  }

  /** apt-get in {@code tmp/apt-<name>} on suite stable of {@code mirror}, updated. */
  static AptClient apt(Path tmp, String name, URI mirror, Path keyring) {
    AptClient apt = AptClient.builder(tmp.resolve("apt-" + name)).keyring(keyring)
        .source(mirror, "stable", "main", "check-valid-until=no").timeout(Duration.ofSeconds(120)).build();
    apt.update();
    return apt;
  }
}
