package dev.reprox.server.cli;

import java.net.InetSocketAddress;
import picocli.CommandLine;

/** {@code HOST:PORT} or {@code [V6]:PORT} → a socket address; port 0 asks the OS for one. */
final class ListenConverter implements CommandLine.ITypeConverter<InetSocketAddress> {
  @Override
  public InetSocketAddress convert(String value) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw new CommandLine.TypeConversionException("--listen: expected HOST:PORT, got \"" + value + "\"");
    }
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException("--listen: port is not a number in \"" + value + "\"");
    }
    if (port < 0 || port > 65535) {
      throw new CommandLine.TypeConversionException("--listen: port out of range in \"" + value + "\"");
    }
    return new InetSocketAddress(host, port);
  }
}
