package dev.reprox.testkit.shared;

/**
 * An S3-compatible server a test started on loopback ({@link S3ProxyServer}, {@link CephRgwServer}),
 * path-style, with one pair of credentials; the shared-storage tests run against either.
 */
public interface S3Server extends AutoCloseable {
  /** {@code http://127.0.0.1:PORT}, path-style. */
  String endpoint();

  String accessKey();

  String secretKey();

  /** Kills the S3 front end as a crash would and keeps the objects: {@link #restart()} serves them again. */
  void kill();

  /** Starts the killed front end again on the same port and waits until it answers. */
  void restart();

  /** The server's log, for failure messages. */
  String log();

  /** Stops every process and deletes the data. */
  @Override
  void close();
}
