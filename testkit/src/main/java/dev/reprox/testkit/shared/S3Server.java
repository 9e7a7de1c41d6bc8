package dev.reprox.testkit.shared;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;

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

  /**
   * Whether the front end answers HTTP at all: any status is up (Ceph RGW answers an anonymous
   * {@code GET /} with 200, S3Proxy with 403 for the missing signature).
   */
  default boolean answers() {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(endpoint() + "/").toURL().openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(2000);
      int status = c.getResponseCode();
      c.disconnect();
      return status > 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** The server's log, for failure messages. */
  String log();

  /** Stops every process and deletes the data. */
  @Override
  void close();
}
