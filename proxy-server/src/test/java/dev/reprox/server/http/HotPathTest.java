package dev.reprox.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.fetch.Fetchers;
import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Ref;
import dev.reprox.storage.Storage;
import dev.reprox.storage.rocks.RocksStorage;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving path over a real RocksDB store: a body whose chunks are hot is lent to the channel
 * on the event loop (no storage task per chunk, no copy), and the lent memory is not recycled
 * while a message still holds it.
 */
class HotPathTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private static final int CHUNK = 1 << 14;

  @TempDir
  Path dir;
  private final AtomicInteger storageTasks = new AtomicInteger();
  private final Executor counting = task -> {
    storageTasks.incrementAndGet();
    task.run();
  };
  private Storage storage;
  private Fetchers fetchers;
  private EmbeddedChannel channel;
  private byte[] blob;
  private byte[] small;
  private String smallEtag;

  @BeforeEach
  void setUp() throws Exception {
    storage = RocksStorage.builder().path(dir).clock(CLOCK).chunkSize(CHUNK).hotCacheBytes(64L * CHUNK).build();
    RepositoryConfig repo = new RepositoryConfig("test", RepositoryConfig.Format.APT, URI.create("http://127.0.0.1:9/test"),
        Optional.empty(), new Keyring.None(), RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), false);
    ReproxConfig config = new ReproxConfig(new InetSocketAddress("127.0.0.1", 0), dir, true, Map.of("test", repo));
    fetchers = Fetchers.live(storage, counting, CLOCK, true, Duration.ofSeconds(1), Duration.ofSeconds(1));
    ServingContext context = ServingContext.builder()
        .config(config)
        .fetcher(fetchers.fetcher())
        .storageExecutor(counting)
        .registry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
        .ready(() -> true)
        .build();
    channel = new EmbeddedChannel(context.responseHeaders(), context.newHandler()); // Date and nosniff too
    blob = new byte[CHUNK * 5 + 123];
    new Random(7).nextBytes(blob);
    BlobInfo info;
    try (BlobWriter w = storage.blobs().newWriter()) {
      w.write(ByteBuffer.wrap(blob));
      info = w.commit(null, blob.length);
    }
    storage.refs().put(new Ref("test", "pool/a.deb", info.digest(), CLOCK.instant()));
    small = new byte[5000]; // one chunk
    new Random(11).nextBytes(small);
    try (BlobWriter w = storage.blobs().newWriter()) {
      w.write(ByteBuffer.wrap(small));
      info = w.commit(null, small.length);
    }
    smallEtag = "\"" + info.digest() + "\"";
    storage.refs().put(new Ref("test", "pool/small.deb", info.digest(), CLOCK.instant()));
  }

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
    fetchers.close();
    storage.close();
  }

  @Test
  void hotBody_isLentOnTheEventLoop_withoutAStorageTaskPerChunk() {
    int cold = tasksFor(() -> assertThat(get()).isEqualTo(blob));
    assertThat(get()).isEqualTo(blob); // second miss of each chunk: admitted to the hot cache
    long hitsBefore = storage.stats().cacheHits();

    int hot = tasksFor(() -> assertThat(get()).isEqualTo(blob));

    assertThat(storage.stats().cacheHits() - hitsBefore).isEqualTo(6); // every chunk from memory
    assertThat(cold - hot).isEqualTo(6); // the cold request read each of the 6 chunks on the executor
  }

  @Test
  void lentMemory_staysIntact_whileResponsesAreHeldUnread() {
    // Read all messages only after three more responses went out: had a lent buffer gone back to
    // the store when its write completed, later reads would have overwritten it by now.
    List<List<Object>> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/test/pool/a.deb"));
      channel.runPendingTasks();
      List<Object> messages = new ArrayList<>();
      Object m;
      while ((m = channel.readOutbound()) != null) {
        messages.add(m);
      }
      held.add(messages);
    }
    for (List<Object> messages : held) {
      assertThat(body(messages)).isEqualTo(blob);
    }
  }

  @Test
  void hotBodyInOnePiece_goesOutAsOneMessage_headAndBodyTogether() {
    warmSmall();
    List<Object> messages = exchange(HttpMethod.GET, "/test/pool/small.deb");
    try {
      assertThat(messages).singleElement().isInstanceOf(FullHttpResponse.class);
      FullHttpResponse r = (FullHttpResponse) messages.get(0);
      assertThat(r.status().code()).isEqualTo(200);
      assertThat(r.headers().get("Content-Length")).isEqualTo("5000");
      assertThat(r.headers().get("ETag")).isEqualTo(smallEtag);
      assertThat(r.headers().get("Accept-Ranges")).isEqualTo("bytes");
      assertThat(r.headers().get("X-Reprox-Cache")).isEqualTo("HIT");
      assertThat(r.headers().get("X-Content-Type-Options")).isEqualTo("nosniff");
      assertThat(r.headers().get("Date")).isNotNull();
      assertThat(bytes(r)).isEqualTo(small);
    } finally {
      messages.forEach(ReferenceCountUtil::release);
    }
  }

  @Test
  void hotBodyInOnePiece_range_oneMessage206WithTheRangeOnly() {
    warmSmall();
    List<Object> messages = exchange(HttpMethod.GET, "/test/pool/small.deb", "Range", "bytes=100-1099");
    try {
      assertThat(messages).singleElement().isInstanceOf(FullHttpResponse.class);
      FullHttpResponse r = (FullHttpResponse) messages.get(0);
      assertThat(r.status().code()).isEqualTo(206);
      assertThat(r.headers().get("Content-Range")).isEqualTo("bytes 100-1099/5000");
      assertThat(r.headers().get("Content-Length")).isEqualTo("1000");
      assertThat(bytes(r)).isEqualTo(java.util.Arrays.copyOfRange(small, 100, 1100));
    } finally {
      messages.forEach(ReferenceCountUtil::release);
    }
  }

  @Test
  void hotBodyInOnePiece_headAnd304AndUnsatisfiableRange_stillWithoutBody() {
    warmSmall();
    List<Object> head = exchange(HttpMethod.HEAD, "/test/pool/small.deb");
    List<Object> notModified = exchange(HttpMethod.GET, "/test/pool/small.deb", "If-None-Match", smallEtag);
    List<Object> unsatisfiable = exchange(HttpMethod.GET, "/test/pool/small.deb", "Range", "bytes=6000-");
    try {
      assertThat(((HttpResponse) head.get(0)).status().code()).isEqualTo(200);
      assertThat(((HttpResponse) head.get(0)).headers().get("Content-Length")).isEqualTo("5000");
      assertThat(contentBytes(head)).isZero();
      assertThat(((HttpResponse) notModified.get(0)).status().code()).isEqualTo(304);
      assertThat(((HttpResponse) notModified.get(0)).headers().get("ETag")).isEqualTo(smallEtag);
      assertThat(contentBytes(notModified)).isZero();
      assertThat(((HttpResponse) unsatisfiable.get(0)).status().code()).isEqualTo(416);
      assertThat(((HttpResponse) unsatisfiable.get(0)).headers().get("Content-Range")).isEqualTo("bytes */5000");
    } finally {
      head.forEach(ReferenceCountUtil::release);
      notModified.forEach(ReferenceCountUtil::release);
      unsatisfiable.forEach(ReferenceCountUtil::release);
    }
  }

  @Test
  void hotBodyInOnePiece_lentMemoryStaysIntact_whileResponsesAreHeldUnread() {
    warmSmall();
    List<List<Object>> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      held.add(exchange(HttpMethod.GET, "/test/pool/small.deb"));
    }
    for (List<Object> messages : held) {
      assertThat(messages).singleElement().isInstanceOf(FullHttpResponse.class);
      assertThat(body(messages)).isEqualTo(small);
    }
  }

  /** Two misses admit the chunk to the hot cache; the answer is kept from the first. */
  private void warmSmall() {
    for (int i = 0; i < 2; i++) {
      assertThat(body(exchange(HttpMethod.GET, "/test/pool/small.deb"))).isEqualTo(small);
    }
  }

  private List<Object> exchange(HttpMethod method, String uri, String... headers) {
    DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    for (int i = 0; i < headers.length; i += 2) {
      request.headers().set(headers[i], headers[i + 1]);
    }
    channel.writeInbound(request);
    channel.runPendingTasks();
    List<Object> messages = new ArrayList<>();
    Object m;
    while ((m = channel.readOutbound()) != null) {
      messages.add(m);
    }
    return messages;
  }

  private static byte[] bytes(HttpContent c) {
    ByteBuf b = c.content();
    byte[] bytes = new byte[b.readableBytes()];
    b.getBytes(b.readerIndex(), bytes);
    return bytes;
  }

  private static int contentBytes(List<Object> messages) {
    return messages.stream().filter(HttpContent.class::isInstance)
        .mapToInt(m -> ((HttpContent) m).content().readableBytes()).sum();
  }

  private int tasksFor(Runnable r) {
    int before = storageTasks.get();
    r.run();
    return storageTasks.get() - before;
  }

  private byte[] get() {
    channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/test/pool/a.deb"));
    channel.runPendingTasks();
    List<Object> messages = new ArrayList<>();
    Object m;
    while ((m = channel.readOutbound()) != null) {
      messages.add(m);
    }
    return body(messages);
  }

  private static byte[] body(List<Object> messages) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean head = false;
    boolean last = false;
    for (Object msg : messages) {
      try {
        head |= msg instanceof HttpResponse r && r.status().code() == 200;
        // a FullHttpResponse is both the head and the last content
        if (msg instanceof HttpContent c) {
          ByteBuf b = c.content();
          byte[] bytes = new byte[b.readableBytes()];
          b.getBytes(b.readerIndex(), bytes);
          out.writeBytes(bytes);
          last |= msg instanceof LastHttpContent;
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }
    assertThat(head).as("a 200 head").isTrue();
    assertThat(last).as("the body ended").isTrue();
    return out.toByteArray();
  }
}
