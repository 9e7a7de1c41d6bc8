package dev.reprox.config;

import java.net.InetSocketAddress;

/** {@code HOST:PORT} as written in {@code listen:}; IPv6 hosts go in brackets ({@code [::1]:3142}). */
final class HostPort {
  private HostPort() {}

  /**
   * The resolved address of {@code HOST:PORT} with a port in 0–65535 (0 asks the kernel for a free
   * port, which tests use).
   *
   * @throws IllegalArgumentException saying what is wrong, for the caller to put after the field path
   */
  static InetSocketAddress parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("not HOST:PORT");
    }
    String host = text.substring(0, colon);
    String port = text.substring(colon + 1);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException("not HOST:PORT (put an IPv6 host in brackets)");
    }
    if (host.isEmpty() || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("not HOST:PORT");
    }
    if (port.length() > 5 || Integer.parseInt(port) > 65535) {
      throw new IllegalArgumentException("port not in 0-65535");
    }
    InetSocketAddress address = new InetSocketAddress(host, Integer.parseInt(port));
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("cannot resolve host " + host);
    }
    return address;
  }

  static String format(InetSocketAddress address) {
    String host = address.getHostString();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }
}
