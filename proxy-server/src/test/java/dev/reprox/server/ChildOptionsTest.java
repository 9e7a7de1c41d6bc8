package dev.reprox.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ChildOptionsTest {
  /** BodyWriter's chunk: what one read of a fill's tail copies for one client. */
  private static final int BODY_CHUNK = 256 * 1024;

  /**
   * Issue 14: at 512 KiB / 1 MiB a client its socket could not keep up with went on taking 256 KiB
   * chunk copies until over 1 MiB waited for it; 64 followers of a cold fill held ~80 MB of them.
   * Under the high mark, one chunk waiting makes the channel unwritable, so each holds about one.
   */
  @Test
  void acceptedChannel_waterMarks_stopAClientBeforeItHoldsASecondChunk() throws Exception {
    CompletableFuture<Channel> accepted = new CompletableFuture<>();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      Channel server = NettyReproxServer.childOptions(new ServerBootstrap().group(group)
          .channel(NioServerSocketChannel.class))
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              accepted.complete(ch);
            }
          })
          .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
      try (Socket client = new Socket()) {
        client.connect(server.localAddress());
        WriteBufferWaterMark marks = accepted.get(10, TimeUnit.SECONDS).config().getWriteBufferWaterMark();

        assertThat(marks.high()).as("one chunk waiting makes the client unwritable").isLessThan(BODY_CHUNK);
        assertThat(marks.low()).isLessThan(marks.high());
      } finally {
        server.close().sync();
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }
}
