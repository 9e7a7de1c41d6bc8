package dev.reprox.server;

import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * The listener could not be bound. The message is the one line an operator needs, e.g.
 * {@code cannot listen on 127.0.0.1:3142: address already in use}: the CLI prints it as is,
 * without a stack trace.
 */
public final class ListenException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient InetSocketAddress address;

  ListenException(InetSocketAddress address, Throwable cause) {
    super("cannot listen on " + address.getHostString() + ":" + address.getPort() + ": " + reason(cause), cause);
    this.address = address;
  }

  public InetSocketAddress address() {
    return address;
  }

  /**
   * The operating system's reason in lower case: NIO says {@code Address already in use}, the
   * epoll transport {@code bind(..) failed: Address already in use}.
   */
  static String reason(Throwable cause) {
    String m = cause == null || cause.getMessage() == null ? String.valueOf(cause) : cause.getMessage();
    int colon = m.startsWith("bind(") ? m.indexOf(": ") : -1;
    return (colon >= 0 ? m.substring(colon + 2) : m).toLowerCase(Locale.ROOT);
  }
}
