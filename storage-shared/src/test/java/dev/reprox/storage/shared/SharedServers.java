package dev.reprox.storage.shared;

import dev.reprox.storage.StorageException;
import dev.reprox.testkit.shared.CephRgwServer;
import dev.reprox.testkit.shared.PostgresServer;
import dev.reprox.testkit.shared.S3ProxyServer;
import dev.reprox.testkit.shared.S3Server;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One PostgreSQL and one S3 server for a test class, started by it and stopped after it; each
 * {@link #newStorage} gets a fresh database and bucket, so tests never see each other's rows. The S3
 * server is S3Proxy unless {@code -Dreprox.s3=ceph} (the {@code ceph} Maven profile) asks for a
 * one-node Ceph cluster's RADOS Gateway.
 */
final class SharedServers implements AutoCloseable {
  private static final AtomicInteger BUCKETS = new AtomicInteger();

  final PostgresServer postgres;
  final S3Server s3;

  private SharedServers(PostgresServer postgres, S3Server s3) {
    this.postgres = postgres;
    this.s3 = s3;
  }

  static SharedServers start() {
    PostgresServer pg = PostgresServer.start();
    try {
      return new SharedServers(pg, startS3(System.getProperty("reprox.s3", "s3proxy")));
    } catch (RuntimeException e) {
      pg.close();
      throw e;
    }
  }

  static S3Server startS3(String kind) {
    return switch (kind) {
      case "s3proxy" -> S3ProxyServer.start(S3ProxyServer.jarFromProperty());
      case "ceph" -> CephRgwServer.start();
      default -> throw new IllegalArgumentException("-Dreprox.s3=" + kind + ": expected s3proxy or ceph");
    };
  }

  /** A builder on a fresh database and bucket. */
  SharedStorage.Builder fresh(Path cacheDir, Clock clock, int chunkSize) {
    return on(postgres.newDatabase(), "t-" + BUCKETS.incrementAndGet(), cacheDir, clock, chunkSize);
  }

  SharedStorage.Builder on(String jdbcUrl, String bucket, Path cacheDir, Clock clock, int chunkSize) {
    return SharedStorage.builder()
        .postgres(jdbcUrl, postgres.user(), "")
        .s3(URI.create(s3.endpoint()), bucket, "us-east-1", true, s3.accessKey(), s3.secretKey())
        .localCache(cacheDir, 64L << 20)
        .clock(clock)
        .chunkSize(chunkSize);
  }

  SharedStorage newStorage(Path cacheDir, Clock clock, int chunkSize) throws StorageException {
    return fresh(cacheDir, clock, chunkSize).build();
  }

  @Override
  public void close() {
    try {
      s3.close();
    } finally {
      postgres.close();
    }
  }
}
