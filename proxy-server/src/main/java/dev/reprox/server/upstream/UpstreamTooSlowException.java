package dev.reprox.server.upstream;

import java.io.IOException;
import java.net.URI;

/**
 * A response body that averaged less than its host's minimum rate over the policy's window
 * ({@link HostPolicy#minBytesPerSecond()}): the body was cut. An {@link IOException}, like any
 * other body that ends early, so whatever was streaming it fails and stores nothing.
 */
public final class UpstreamTooSlowException extends IOException {
  private final URI uri;

  public UpstreamTooSlowException(URI uri, String message) {
    super(message);
    this.uri = uri;
  }

  /** The URL whose body was cut. */
  public URI uri() {
    return uri;
  }
}
