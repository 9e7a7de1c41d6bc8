package dev.reprox.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HeadBlockTest {
  @Test
  void of_encodesAsTheSeparateHeadersDo() {
    HttpHeaders fixed = new DefaultHttpHeaders();
    fixed.set("Content-Type", "application/octet-stream");
    fixed.set("ETag", "\"sha256:ab\"");
    fixed.set("X-Reprox-Cache", "HIT");
    HttpHeaders separate = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
    separate.set(fixed);
    separate.set("Content-Length", "3");
    HttpHeaders folded = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
    HeadBlock.of(fixed).addTo(folded);
    folded.set("Content-Length", "3");

    assertThat(encoded(folded)).isEqualTo(encoded(separate))
        .isEqualTo("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nETag: \"sha256:ab\"\r\n"
            + "X-Reprox-Cache: HIT\r\nContent-Length: 3\r\n\r\nabc");
  }

  @Test
  void of_crLfOrNonAsciiOrNothing_null() {
    HttpHeaders crlf = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
    crlf.set("ETag", "\"a\"");
    crlf.set("X-Reprox-Pin", "live\r\nSet-Cookie: x");
    HttpHeaders nonAscii = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
    nonAscii.set("X-Reprox-Pin", "liv\u00e9");

    assertThat(HeadBlock.of(crlf)).isNull();
    assertThat(HeadBlock.of(nonAscii)).isNull();
    assertThat(HeadBlock.of(new DefaultHttpHeaders())).isNull();
  }

  private static String encoded(HttpHeaders headers) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        Unpooled.wrappedBuffer("abc".getBytes(StandardCharsets.US_ASCII)), headers, EmptyHttpHeaders.INSTANCE);
    EmbeddedChannel ch = new EmbeddedChannel(new HttpResponseEncoder());
    ch.writeOutbound(r);
    StringBuilder out = new StringBuilder();
    for (Object m; (m = ch.readOutbound()) != null; ) {
      ByteBuf b = (ByteBuf) m;
      out.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    ch.finishAndReleaseAll();
    return out.toString();
  }
}
