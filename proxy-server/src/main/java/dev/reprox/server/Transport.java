package dev.reprox.server;

import dev.reprox.config.ReproxConfig;
import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.List;
import java.util.function.Supplier;

/**
 * The network I/O of the event loops ({@code server.transport}): the handler factory of the loops
 * and the channel classes that run on them, which must all be of one kind. {@link #choose} picks
 * one once per server; every loop group and every channel reprox opens (the listener, a CONNECT
 * tunnel's upstream socket) takes it from here or from the channel it sits beside.
 */
public final class Transport {
  /**
   * What {@code auto} tries, best first. epoll before io_uring: on a warm 53 KB keep-alive hit
   * io_uring cost more CPU per request than epoll (issue 14, docs/decisions.md).
   */
  static final List<ReproxConfig.Server.Transport> AUTO_ORDER =
      List.of(ReproxConfig.Server.Transport.EPOLL, ReproxConfig.Server.Transport.IO_URING,
          ReproxConfig.Server.Transport.NIO);

  private final ReproxConfig.Server.Transport kind;
  private final String reason;
  private final Supplier<IoHandlerFactory> io;
  private final Class<? extends ServerSocketChannel> serverChannel;
  private final Class<? extends SocketChannel> socketChannel;

  private Transport(ReproxConfig.Server.Transport kind, String reason, Supplier<IoHandlerFactory> io,
      Class<? extends ServerSocketChannel> serverChannel, Class<? extends SocketChannel> socketChannel) {
    this.kind = kind;
    this.reason = reason;
    this.io = io;
    this.serverChannel = serverChannel;
    this.socketChannel = socketChannel;
  }

  /**
   * The transport {@code wanted} names, or for {@code auto} the first of {@link #AUTO_ORDER} this
   * host offers. A named one this host cannot run is an {@link UnavailableException}: falling back
   * silently would measure or run something else than was configured.
   */
  public static Transport choose(ReproxConfig.Server.Transport wanted) {
    return choose(wanted, Transport::unavailability);
  }

  /** {@link #choose(ReproxConfig.Server.Transport)} with {@code unavailability} (null: available) in Netty's place. */
  static Transport choose(ReproxConfig.Server.Transport wanted,
      java.util.function.Function<ReproxConfig.Server.Transport, Throwable> unavailability) {
    if (wanted != ReproxConfig.Server.Transport.AUTO) {
      Throwable missing = unavailability.apply(wanted);
      if (missing != null) {
        throw new UnavailableException(wanted, missing);
      }
      return of(wanted, "server.transport: " + wanted.spelling());
    }
    StringBuilder skipped = new StringBuilder();
    for (ReproxConfig.Server.Transport candidate : AUTO_ORDER) {
      Throwable missing = unavailability.apply(candidate);
      if (missing == null) {
        return of(candidate, "server.transport: auto, " + (skipped.length() == 0
            ? "the first of " + spellings() : skipped + "; the next of " + spellings()));
      }
      skipped.append(skipped.length() == 0 ? "" : "; ").append(candidate.spelling()).append(" unavailable: ")
          .append(message(missing));
    }
    throw new IllegalStateException("NIO is always available"); // NIO is the last of AUTO_ORDER
  }

  /** Whether this host can run {@code kind} ({@code auto}: always). */
  public static boolean available(ReproxConfig.Server.Transport kind) {
    return kind == ReproxConfig.Server.Transport.AUTO || unavailability(kind) == null;
  }

  /** Why {@code kind} cannot run here, or null when it can. */
  private static Throwable unavailability(ReproxConfig.Server.Transport kind) {
    return switch (kind) {
      case EPOLL -> Epoll.isAvailable() ? null : Epoll.unavailabilityCause();
      case IO_URING -> IoUring.isAvailable() ? null : IoUring.unavailabilityCause();
      case NIO, AUTO -> null;
    };
  }

  private static Transport of(ReproxConfig.Server.Transport kind, String reason) {
    return switch (kind) {
      case EPOLL -> new Transport(kind, reason, EpollIoHandler::newFactory, EpollServerSocketChannel.class,
          EpollSocketChannel.class);
      case IO_URING -> new Transport(kind, reason, IoUringIoHandler::newFactory, IoUringServerSocketChannel.class,
          IoUringSocketChannel.class);
      case NIO -> new Transport(kind, reason, NioIoHandler::newFactory, NioServerSocketChannel.class,
          NioSocketChannel.class);
      case AUTO -> throw new IllegalArgumentException("auto is not a transport");
    };
  }

  private static String spellings() {
    return String.join(", ", AUTO_ORDER.stream().map(ReproxConfig.Server.Transport::spelling).toList());
  }

  private static String message(Throwable t) {
    return t == null ? "unknown" : t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
  }

  /** {@code epoll}, {@code io_uring} or {@code nio}. */
  public ReproxConfig.Server.Transport kind() {
    return kind;
  }

  /** Why this one was chosen, for the log line at start. */
  public String reason() {
    return reason;
  }

  /** A new handler factory for one event loop group. */
  IoHandlerFactory ioHandlerFactory() {
    return io.get();
  }

  Class<? extends ServerSocketChannel> serverChannel() {
    return serverChannel;
  }

  /** The client socket class of this transport. */
  public Class<? extends SocketChannel> socketChannel() {
    return socketChannel;
  }

  /**
   * The client socket class that runs on the event loop of {@code beside}: a channel opened on
   * another channel's loop must be of that loop's kind.
   */
  public static Class<? extends SocketChannel> socketChannelBeside(Channel beside) {
    if (beside instanceof IoUringSocketChannel) {
      return IoUringSocketChannel.class;
    }
    if (beside instanceof EpollSocketChannel) {
      return EpollSocketChannel.class;
    }
    return NioSocketChannel.class;
  }

  @Override
  public String toString() {
    return kind.spelling();
  }

  /**
   * {@code server.transport} names a transport this host cannot run. The message is the one line
   * an operator needs: the CLI prints it as a configuration error, without a stack trace.
   */
  public static final class UnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnavailableException(ReproxConfig.Server.Transport wanted, Throwable cause) {
      super("server.transport: " + wanted.spelling() + " is not available on this host (" + message(cause)
          + "); use auto, or another of epoll, io_uring, nio", cause);
    }
  }
}
