package dev.reprox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.config.ReproxConfig;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** How {@code server.transport} becomes a transport, with Netty's availability replaced. */
class TransportTest {
  private static final ReproxConfig.Server.Transport AUTO = ReproxConfig.Server.Transport.AUTO;
  private static final ReproxConfig.Server.Transport EPOLL = ReproxConfig.Server.Transport.EPOLL;
  private static final ReproxConfig.Server.Transport IO_URING = ReproxConfig.Server.Transport.IO_URING;
  private static final ReproxConfig.Server.Transport NIO = ReproxConfig.Server.Transport.NIO;

  @Test
  void choose_namedButUnavailable_throwsConfigErrorNamingTheCause() {
    assertThatThrownBy(() -> Transport.choose(IO_URING, missing(Set.of(IO_URING))))
        .isInstanceOf(Transport.UnavailableException.class)
        .hasMessage("server.transport: io_uring is not available on this host (io_uring_setup: Operation not"
            + " permitted); use auto, or another of epoll, io_uring, nio");
  }

  @Test
  void choose_namedAndAvailable_isThatOne() {
    for (ReproxConfig.Server.Transport kind : new ReproxConfig.Server.Transport[] {EPOLL, IO_URING, NIO}) {
      Transport t = Transport.choose(kind, missing(Set.of()));
      assertThat(t.kind()).isEqualTo(kind);
      assertThat(t.reason()).isEqualTo("server.transport: " + kind.spelling());
    }
  }

  @Test
  void choose_auto_allAvailable_isEpoll() {
    Transport t = Transport.choose(AUTO, missing(Set.of()));

    assertThat(t.kind()).isEqualTo(EPOLL);
    assertThat(t.reason()).isEqualTo("server.transport: auto, the first of epoll, io_uring, nio");
  }

  @Test
  void choose_auto_skipsWhatIsUnavailable_andSaysWhy() {
    Transport uring = Transport.choose(AUTO, missing(Set.of(EPOLL)));
    Transport nio = Transport.choose(AUTO, missing(Set.of(EPOLL, IO_URING)));

    assertThat(uring.kind()).isEqualTo(IO_URING);
    assertThat(nio.kind()).isEqualTo(NIO);
    assertThat(nio.reason()).isEqualTo("server.transport: auto, epoll unavailable: io_uring_setup: Operation not"
        + " permitted; io_uring unavailable: io_uring_setup: Operation not permitted; the next of epoll, io_uring,"
        + " nio");
  }

  @Test
  void classes_ofOneKind() {
    Transport uring = Transport.choose(IO_URING, missing(Set.of()));

    assertThat(uring.serverChannel()).isEqualTo(io.netty.channel.uring.IoUringServerSocketChannel.class);
    assertThat(uring.socketChannel()).isEqualTo(io.netty.channel.uring.IoUringSocketChannel.class);
    assertThat(Transport.choose(NIO, missing(Set.of())).socketChannel())
        .isEqualTo(io.netty.channel.socket.nio.NioSocketChannel.class);
  }

  private static Function<ReproxConfig.Server.Transport, Throwable> missing(Set<ReproxConfig.Server.Transport> gone) {
    return kind -> gone.contains(kind) ? new UnsupportedOperationException("io_uring_setup: Operation not permitted")
        : null;
  }
}
