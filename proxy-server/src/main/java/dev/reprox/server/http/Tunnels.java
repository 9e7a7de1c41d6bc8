package dev.reprox.server.http;

import static dev.reprox.server.LogSafe.escape;

import dev.reprox.server.Transport;
import dev.reprox.server.fetch.FetchException.Kind;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pass-through tunnels for {@code CONNECT} to a {@code tunnel-allow} entry, the escape hatch of
 * forward mode: bytes are relayed as they are, never recorded, cached or pinned. The target's name
 * is resolved on a small executor of its own (a blocking lookup must not stall the event loop, and
 * the JDK resolver is the only one on the class path), then connected from the client's own event
 * loop with {@code AUTO_READ} off. Only after the connection stands does the client get {@code 200
 * Connection established}; the HTTP handlers leave its pipeline and two {@link Relay}s carry the
 * bytes. Every CONNECT counts once in {@code reprox_tunnels_total{outcome}}: {@code established},
 * {@code refused} (not allowed), {@code connect_failed}.
 */
final class Tunnels {
  private static final Logger log = LoggerFactory.getLogger(Tunnels.class);
  private static final byte[] ESTABLISHED =
      "HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final MeterRegistry registry;
  private final Duration idleTimeout;
  private final Duration connectTimeout;
  private final Executor resolver;

  /** {@code resolver}: where target names are looked up (bounded: a full queue answers 503). */
  Tunnels(MeterRegistry registry, Duration idleTimeout, Duration connectTimeout, Executor resolver) {
    this.registry = registry;
    this.idleTimeout = idleTimeout;
    this.connectTimeout = connectTimeout;
    this.resolver = resolver;
  }

  /** A CONNECT that {@code tunnel-allow} does not list was refused. */
  void refused() {
    count("refused");
  }

  /**
   * Opens a tunnel for {@code ex}, a CONNECT to {@code target}. The client's reads stay off until
   * the target answers; the exchange ends with 200 (then belongs to the relays) or 502.
   */
  void open(Exchange ex, RequestHandler handler, ForwardRoute.Tunnel target) {
    Channel client = ex.ctx().channel();
    client.config().setAutoRead(false);
    try {
      resolver.execute(() -> {
        InetSocketAddress address;
        try {
          address = new InetSocketAddress(InetAddress.getByName(target.host()), target.port());
        } catch (UnknownHostException | SecurityException e) {
          client.eventLoop().execute(() -> failed(ex, target, "cannot resolve " + target.host()));
          return;
        }
        client.eventLoop().execute(() -> connect(ex, handler, target, address));
      });
    } catch (RejectedExecutionException e) {
      ex.fail(Kind.OVERLOADED, "CONNECT " + target + ": server busy", true);
    }
  }

  private void connect(Exchange ex, RequestHandler handler, ForwardRoute.Tunnel target, InetSocketAddress address) {
    Channel client = ex.ctx().channel();
    if (ex.ended() || !client.isActive()) {
      return; // the client left while the name was resolved
    }
    ChannelFuture connected = new Bootstrap()
        .group(client.eventLoop())
        .channel(Transport.socketChannelBeside(client)) // the client's loop runs the upstream socket too
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, client.config().getWriteBufferWaterMark())
        .handler(new Relay(client))
        .connect(address);
    connected.addListener(f -> {
      Channel upstream = connected.channel();
      if (!f.isSuccess()) {
        Throwable cause = f.cause();
        failed(ex, target, "connect to " + address + " failed: " + (cause == null ? "cancelled" : cause.getMessage()));
        return;
      }
      if (ex.ended() || !client.isActive()) {
        upstream.close();
        return;
      }
      establish(ex, handler, client, upstream);
      log.info("tunnel {} <-> {} ({}) established", client.remoteAddress(), escape(target), address);
    });
  }

  /**
   * The HTTP handlers leave the client's pipeline (bytes the codec already holds go to the relay),
   * the idle timer restarts with the tunnel's timeout, 200 goes out, and both sides start reading.
   */
  private void establish(Exchange ex, RequestHandler handler, Channel client, Channel upstream) {
    count("established");
    handler.tunnelled(ex);
    ChannelPipeline p = client.pipeline();
    if (p.get(IdleStateHandler.class) != null) {
      p.replace(IdleStateHandler.class, "tunnel-idle", idleHandler());
    } else {
      p.addFirst("tunnel-idle", idleHandler());
    }
    p.addLast("tunnel", new Relay(upstream));
    p.remove(handler);
    if (p.get(HttpServerKeepAliveHandler.class) != null) {
      p.remove(HttpServerKeepAliveHandler.class);
    }
    if (p.get(HttpServerCodec.class) != null) {
      p.remove(HttpServerCodec.class);
    }
    client.writeAndFlush(Unpooled.wrappedBuffer(ESTABLISHED));
    client.config().setAutoRead(upstream.isWritable());
    upstream.config().setAutoRead(client.isWritable());
  }

  private IdleStateHandler idleHandler() {
    return new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void failed(Exchange ex, ForwardRoute.Tunnel target, String why) {
    count("connect_failed");
    ex.fail(Kind.TUNNEL_FAILED, "CONNECT " + target + ": " + why, true);
  }

  private void count(String outcome) {
    Counter.builder("reprox.tunnels")
        .description("CONNECT requests by outcome: established, refused (not in tunnel-allow), connect_failed")
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }
}
