package dev.reprox.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.config.ReproxConfig;
import ch.qos.logback.classic.Level;
import dev.reprox.server.fetch.Fetched;
import dev.reprox.server.fetch.Fetcher;
import dev.reprox.server.fetch.Provenance;
import dev.reprox.server.fetch.Fetchers;
import dev.reprox.server.testing.CapturedLog;
import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Ref;
import dev.reprox.storage.memory.MemoryStorage;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The handler on an {@link EmbeddedChannel}: storage calls run inline (a direct executor) and
 * the channel's queued tasks are run by hand, so each exchange completes on the test thread.
 */
class RequestHandlerTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private static final Executor DIRECT = Runnable::run;

  private final AtomicBoolean ready = new AtomicBoolean(true);
  private dev.reprox.storage.Storage storage;
  private Fetchers fetchers;
  private ServingContext context;
  private EmbeddedChannel channel;
  private byte[] blob;
  private ReproxConfig config;

  record Reply(int status, HttpHeaders headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    storage = MemoryStorage.builder().clock(CLOCK).chunkSize(1000).build();
    Map<String, RepositoryConfig> repos = new LinkedHashMap<>();
    repos.put("test", repo("test"));
    repos.put("other", repo("other"));
    // Offline: a miss must never leave the test for a network.
    ReproxConfig config = new ReproxConfig(new InetSocketAddress("127.0.0.1", 0), Path.of("unused"), true, repos);
    fetchers = Fetchers.live(storage, DIRECT, CLOCK, true, Duration.ofSeconds(1), Duration.ofSeconds(1));
    this.config = config;
    context = context(fetchers.fetcher());
    channel = new EmbeddedChannel(context.newHandler());
    blob = new byte[2500];
    for (int i = 0; i < blob.length; i++) {
      blob[i] = (byte) (i * 31);
    }
    BlobInfo info;
    try (BlobWriter w = storage.blobs().newWriter()) {
      w.write(ByteBuffer.wrap(blob));
      info = w.commit(null, blob.length);
    }
    storage.refs().put(new Ref("test", "pool/a.deb", info.digest(), CLOCK.instant()));
  }

  @AfterEach
  void tearDown() {
    assertFalse(channel.finishAndReleaseAll());
    assertThat(context.inFlight().count()).isZero();
    fetchers.close();
    storage.close();
  }

  private ServingContext context(Fetcher fetcher) {
    return ServingContext.builder()
        .config(config)
        .fetcher(fetcher)
        .storageExecutor(DIRECT)
        .registry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
        .ready(ready::get)
        .build();
  }

  private static RepositoryConfig repo(String name) {
    return new RepositoryConfig(name, RepositoryConfig.Format.APT, URI.create("http://127.0.0.1:9/" + name),
        Optional.empty(), new Keyring.None(), RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), false);
  }

  private Reply send(HttpMethod method, String uri, String... headers) {
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    for (int i = 0; i < headers.length; i += 2) {
      request.headers().set(headers[i], headers[i + 1]);
    }
    channel.writeInbound(request);
    channel.runPendingTasks();
    HttpResponse head = null;
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    Object msg;
    while ((msg = channel.readOutbound()) != null) {
      try {
        if (msg instanceof HttpResponse r) {
          head = r;
        }
        if (msg instanceof HttpContent c) {
          ByteBuf b = c.content();
          byte[] bytes = new byte[b.readableBytes()];
          b.getBytes(b.readerIndex(), bytes);
          body.writeBytes(bytes);
          if (msg instanceof LastHttpContent) {
            break;
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }
    assertThat(head).as("a response to %s %s", method, uri).isNotNull();
    return new Reply(head.status().code(), head.headers(), body.toByteArray());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/test/../x", "/test/%2e%2e/x", "/test/a%2fb", "/test/a%5cb", "/test/a\\b",
      "/test/a%00b", "//test/x", "/test//x", "/test/%c0%ae", "/test/%ff"})
  void get_unsafePath_answers400(String uri) {
    Reply r = send(HttpMethod.GET, uri);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.text()).startsWith("bad path: ");
  }

  @Test
  void post_answers405WithAllow() {
    Reply r = send(HttpMethod.POST, "/test/pool/a.deb");
    assertThat(r.status()).isEqualTo(405);
    assertThat(r.headers().get("Allow")).isEqualTo("GET, HEAD");
  }

  @Test
  void connect_answers403SayingUseHttp() {
    Reply r = send(HttpMethod.CONNECT, "deb.debian.org:443");
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.text()).contains("use http:// sources");
  }

  @Test
  void absoluteForm_answers403() {
    Reply r = send(HttpMethod.GET, "http://deb.debian.org/debian/dists/bookworm/InRelease");
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.text()).contains("no configured repository covers").contains("test: http://127.0.0.1:9/test");
  }

  @Test
  void get_unknownRepository_answers404NamingConfigured() {
    Reply r = send(HttpMethod.GET, "/nope/x");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.text()).contains("\"nope\"").contains("test, other");
  }

  @Test
  void health_okAndReadinessFollowsState() {
    assertThat(send(HttpMethod.GET, "/healthz").status()).isEqualTo(200);
    assertThat(send(HttpMethod.GET, "/readyz").status()).isEqualTo(200);
    ready.set(false);
    assertThat(send(HttpMethod.GET, "/readyz").status()).isEqualTo(503);
  }

  @Test
  void get_stored_servesBodyWithEtagAndLength() {
    Reply r = send(HttpMethod.GET, "/test/pool/a.deb");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(blob);
    assertThat(r.headers().get("Content-Length")).isEqualTo("2500");
    assertThat(r.headers().get("ETag")).isEqualTo("\"sha256:" + dev.reprox.storage.Digest.compute(blob).hex() + "\"");
    assertThat(r.headers().get("X-Reprox-Cache")).isEqualTo("HIT");
  }

  @Test
  void get_keptAnswer_headersBuiltOnceAndEveryResponseCarriesThem() {
    // The signed chain's answers carry an immutable provenance (only those are kept): as here.
    Fetcher inner = fetchers.fetcher();
    Provenance proven = new Provenance(Optional.of(dev.reprox.storage.Digest.compute(new byte[] {7})),
        Optional.of(Instant.parse("2025-12-31T10:00:00Z")), Optional.of("live"), true, false);
    context = context(request -> inner.fetch(request).thenApply(f -> new Proven(f, proven)));
    channel.finishAndReleaseAll();
    channel = new EmbeddedChannel(context.newHandler());

    // as a client reads them off the wire
    Reply first = sendOnTheWire(HttpMethod.GET, "/test/pool/a.deb");
    HotAnswers.Answer kept = context.hotAnswers.get(
        new dev.reprox.server.fetch.FetchRequest(config.repositories().get("test"), "pool/a.deb"));
    assertThat(kept).as("the first answer was kept").isNotNull();
    Reply second = sendOnTheWire(HttpMethod.GET, "/test/pool/a.deb");
    io.netty.handler.codec.http.HttpHeaders built = kept.headers;
    Reply range = sendOnTheWire(HttpMethod.GET, "/test/pool/a.deb", "Range", "bytes=10-19");

    assertThat(built).as("built when the kept answer was first served").isNotNull();
    assertThat(kept.headers).as("then reused").isSameAs(built);
    assertThat(second.body()).isEqualTo(blob);
    for (String name : new String[] {"ETag", "Cache-Control", "X-Reprox-Cache", "X-Reprox-Verified",
        "X-Reprox-Generation", "X-Reprox-Published", "X-Reprox-Pin", "Accept-Ranges", "Content-Type",
        "Content-Length"}) {
      assertThat(second.headers().getAll(name)).as(name).isEqualTo(first.headers().getAll(name)).isNotEmpty();
    }
    assertThat(second.headers().get("X-Reprox-Published")).isEqualTo("Wed, 31 Dec 2025 10:00:00 GMT");
    assertThat(range.status()).isEqualTo(206);
    assertThat(range.body()).isEqualTo(Arrays.copyOfRange(blob, 10, 20));
    assertThat(range.headers().get("Content-Range")).isEqualTo("bytes 10-19/2500");
    assertThat(range.headers().get("Content-Length")).isEqualTo("10");
    assertThat(range.headers().get("ETag")).isEqualTo(first.headers().get("ETag"));
  }

  @Test
  void get_keptAnswer_onTheWire_byteForByteTheFirstAnswer_getHead304Range() {
    keptAnswers();
    String etag = send(HttpMethod.GET, "/test/pool/a.deb").headers().get("ETag"); // before it is kept
    context = context(context.fetcher); // nothing kept yet
    channel.finishAndReleaseAll();
    channel = new EmbeddedChannel(context.newHandler());
    String[][] requests = {{"GET"}, {"HEAD"}, {"GET", "If-None-Match", etag}, {"GET", "Range", "bytes=100-1099"},
        {"HEAD", "Range", "bytes=0-9"}, {"GET", "If-Range", "\"other\"", "Range", "bytes=0-9"},
        {"GET", "Range", "bytes=3000-"}};
    // The first GET is answered before its answer is kept, with its headers one by one (as are
    // the others: only a whole-body 200 or HEAD uses the block); later ones from the kept answer.
    String[] first = new String[requests.length];
    for (int i = 0; i < requests.length; i++) {
      first[i] = wire(requests[i]);
    }
    assertThat(first[0]).startsWith("HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\netag: " + etag
        + "\r\n").contains("\r\naccept-ranges: bytes\r\ncontent-length: 2500\r\n\r\n");
    for (int round = 0; round < 2; round++) { // the block is made by the first kept 200, then reused
      for (int i = 0; i < requests.length; i++) {
        assertThat(wire(requests[i])).as(String.join(" ", requests[i])).isEqualTo(first[i]);
      }
    }
  }

  /** Answers from now on carry an immutable provenance, so they are kept ({@link HotAnswers}). */
  private void keptAnswers() {
    Fetcher inner = fetchers.fetcher();
    Provenance proven = new Provenance(Optional.of(dev.reprox.storage.Digest.compute(new byte[] {7})),
        Optional.of(Instant.parse("2025-12-31T10:00:00Z")), Optional.of("live"), true, false);
    context = context(request -> inner.fetch(request).thenApply(f -> new Proven(f, proven)));
    channel.finishAndReleaseAll();
    channel = new EmbeddedChannel(context.newHandler());
  }

  /** The bytes a client receives for {@code request} (method, then header names and values). */
  private String wire(String[] request) {
    FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(request[0]),
        "/test/pool/a.deb");
    for (int i = 1; i < request.length; i += 2) {
      r.headers().set(request[i], request[i + 1]);
    }
    channel.writeInbound(r);
    channel.runPendingTasks();
    return new String(encoded(outbound()), StandardCharsets.ISO_8859_1);
  }

  /** A GET's response as a client's decoder parses it from the bytes on the wire. */
  private Reply sendOnTheWire(HttpMethod method, String uri, String... headers) {
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    for (int i = 0; i < headers.length; i += 2) {
      request.headers().set(headers[i], headers[i + 1]);
    }
    channel.writeInbound(request);
    channel.runPendingTasks();
    EmbeddedChannel decoder = new EmbeddedChannel(new io.netty.handler.codec.http.HttpResponseDecoder(),
        new io.netty.handler.codec.http.HttpObjectAggregator(1 << 20));
    decoder.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(encoded(outbound())));
    io.netty.handler.codec.http.FullHttpResponse r = decoder.readInbound();
    try {
      byte[] body = new byte[r.content().readableBytes()];
      r.content().getBytes(r.content().readerIndex(), body);
      return new Reply(r.status().code(), r.headers(), body);
    } finally {
      r.release();
      decoder.finishAndReleaseAll();
    }
  }

  private java.util.List<Object> outbound() {
    java.util.List<Object> messages = new java.util.ArrayList<>();
    for (Object m; (m = channel.readOutbound()) != null; ) {
      messages.add(m);
    }
    return messages;
  }

  /** {@code messages} encoded as the server's codec sends them (and released). */
  private static byte[] encoded(java.util.List<Object> messages) {
    EmbeddedChannel encoder = new EmbeddedChannel(new io.netty.handler.codec.http.HttpResponseEncoder());
    messages.forEach(encoder::writeOutbound);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object m; (m = encoder.readOutbound()) != null; ) {
      ByteBuf b = (ByteBuf) m;
      byte[] bytes = new byte[b.readableBytes()];
      b.getBytes(b.readerIndex(), bytes);
      out.writeBytes(bytes);
      b.release();
    }
    encoder.finishAndReleaseAll();
    return out.toByteArray();
  }

  /** A stored answer with the provenance the signed chain would give it. */
  private record Proven(Fetched inner, Provenance provenance) implements Fetched {
    @Override
    public Outcome outcome() {
      return inner.outcome();
    }

    @Override
    public long length() {
      return inner.length();
    }

    @Override
    public Optional<dev.reprox.storage.Digest> digest() {
      return inner.digest();
    }

    @Override
    public dev.reprox.server.fetch.Content open() throws java.io.IOException {
      return inner.open();
    }

    @Override
    public Optional<Fetched> withReaderKept() throws java.io.IOException {
      return inner.withReaderKept().map(k -> new Proven(k, provenance));
    }

    @Override
    public CompletableFuture<Void> settled() {
      return inner.settled();
    }
  }

  @Test
  void get_blobGoneBetweenLookupAndOpen_fetchedAgainNot500() throws Exception {
    Fetcher chain = fetchers.fetcher();
    AtomicInteger calls = new AtomicInteger();
    Fetcher vanishing = request -> {
      if (calls.incrementAndGet() == 1) {
        // The chain found the blob; it goes before the handler opens it (a concurrent removal).
        return chain.fetch(request).thenCompose(f -> {
          try {
            storage.blobs().delete(f.digest().orElseThrow());
            return CompletableFuture.completedFuture(f);
          } catch (java.io.IOException e) {
            return CompletableFuture.failedFuture(e);
          }
        });
      }
      // The second trip down the chain stores the bytes again, as an upstream fill would.
      try (BlobWriter w = storage.blobs().newWriter()) {
        w.write(ByteBuffer.wrap(blob));
        w.commit(null, blob.length);
      } catch (java.io.IOException e) {
        return CompletableFuture.failedFuture(e);
      }
      return chain.fetch(request);
    };
    assertFalse(channel.finishAndReleaseAll());
    context = context(vanishing);
    channel = new EmbeddedChannel(context.newHandler());

    Reply r = send(HttpMethod.GET, "/test/pool/a.deb");

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(blob);
    assertThat(calls).hasValue(2);
  }

  @Test
  void head_stored_lengthWithoutBody() {
    Reply r = send(HttpMethod.HEAD, "/test/pool/a.deb");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers().get("Content-Length")).isEqualTo("2500");
    assertThat(r.body()).isEmpty();
  }

  @Test
  void get_range_answers206WithSlice() {
    Reply r = send(HttpMethod.GET, "/test/pool/a.deb", "Range", "bytes=900-2099");
    assertThat(r.status()).isEqualTo(206);
    assertThat(r.headers().get("Content-Range")).isEqualTo("bytes 900-2099/2500");
    assertThat(r.body()).isEqualTo(Arrays.copyOfRange(blob, 900, 2100));
  }

  @Test
  void get_rangeBeyondEnd_answers416() {
    Reply r = send(HttpMethod.GET, "/test/pool/a.deb", "Range", "bytes=2500-");
    assertThat(r.status()).isEqualTo(416);
    assertThat(r.headers().get("Content-Range")).isEqualTo("bytes */2500");
  }

  @Test
  void get_ifNoneMatch_answers304() {
    String etag = send(HttpMethod.GET, "/test/pool/a.deb").headers().get("ETag");
    Reply r = send(HttpMethod.GET, "/test/pool/a.deb", "If-None-Match", etag);
    assertThat(r.status()).isEqualTo(304);
    assertThat(r.body()).isEmpty();
  }

  @Test
  void get_notStoredWhileOffline_answers503NamingRepositoryPathAndT() {
    Reply live = send(HttpMethod.GET, "/test/pool/missing.deb");
    assertThat(live.status()).isEqualTo(503);
    assertThat(live.text()).startsWith("fetch test/pool/missing.deb at live: offline: not stored")
        .contains("--offline");
    Reply pinned = send(HttpMethod.GET, "/test/@20240301T000000Z/pool/missing.deb");
    assertThat(pinned.status()).isEqualTo(503);
    assertThat(pinned.text()).startsWith("fetch test/pool/missing.deb at 2024-03-01T00:00:00Z: offline: not stored");
  }

  @Test
  void get_badTime_answers400NamingAcceptedForms() {
    Reply r = send(HttpMethod.GET, "/test/@2024-03-01/dists/x");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.text()).contains("YYYYMMDDTHHMMSSZ").contains("YYYYMMDD").contains("epoch seconds");
  }

  @Test
  void get_snapshotPathWithoutRest_answers404() {
    assertThat(send(HttpMethod.GET, "/test/@20240301T000000Z").status()).isEqualTo(404);
  }

  @Test
  void metrics_countRequestsByRepositoryOutcomeKindAndStatusClass() {
    send(HttpMethod.GET, "/test/pool/a.deb");
    send(HttpMethod.GET, "/nope/x");
    Reply r = send(HttpMethod.GET, "/metrics");
    assertThat(r.status()).isEqualTo(200);
    String hit = "kind=\"other\",outcome=\"hit\",repository=\"test\",status=\"2xx\"";
    assertThat(r.text()).contains("reprox_requests_seconds_count{" + hit + "} 1")
        .contains("# TYPE reprox_requests_seconds histogram")
        .contains("reprox_requests_seconds_bucket{" + hit + ",le=\"0.001\"}")
        .contains("reprox_requests_seconds_bucket{" + hit + ",le=\"60.0\"} 1")
        .contains("reprox_requests_seconds_count{kind=\"other\",outcome=\"unknown_repository\",repository=\"-\","
            + "status=\"4xx\"} 1")
        .contains("reprox_served_bytes_total{outcome=\"hit\",repository=\"test\"} 2500");
  }

  @Test
  void accessLog_oneLinePerRequestWithFields_healthLeftOut() {
    try (CapturedLog log = new CapturedLog("reprox.access")) {
      send(HttpMethod.GET, "/test/pool/a.deb");
      send(HttpMethod.HEAD, "/test/pool/a.deb", "Range", "bytes=0-9");
      send(HttpMethod.GET, "/healthz");
      send(HttpMethod.GET, "/metrics");
      assertThat(log.lines(Level.INFO)).satisfiesExactly(
          l -> assertThat(l).matches("method=GET repo=test path=pool/a.deb t=- status=200 bytes=2500 ms=\\d+"
              + " outcome=hit cache=hit pin=- label=- mode=mirror"),
          l -> assertThat(l).matches("method=HEAD repo=test path=pool/a.deb t=- status=206 bytes=0 ms=\\d+"
              + " outcome=hit cache=hit pin=- label=- mode=mirror"));
    }
  }

  @Test
  void accessLog_controlCharactersEscaped() {
    try (CapturedLog log = new CapturedLog("reprox.access")) {
      assertThat(send(HttpMethod.GET, "/test/a\u001b[31m\u0085forged=1").status()).isEqualTo(400);
      assertThat(log.lines(Level.INFO)).singleElement().satisfies(l -> assertThat(l)
          .startsWith("method=GET repo=- path=/test/a\\x1b[31m\\x85forged=1 t=- status=400 ")
          .doesNotContain("\u001b").doesNotContain("\u0085"));
    }
  }

  @Test
  void accessLog_text_lineWithoutKeyValues_json_sameLineWithThem() {
    try (CapturedLog log = new CapturedLog("reprox.access")) {
      send(HttpMethod.GET, "/test/pool/a.deb");
      // The text pattern prints the message only: key-values would be built and never read.
      assertThat(log.events(Level.INFO)).singleElement().satisfies(e -> {
        assertThat(e.getFormattedMessage()).startsWith("method=GET repo=test path=pool/a.deb t=- status=200 ");
        assertThat(e.getKeyValuePairs()).isNullOrEmpty();
      });
    }
    ReproxConfig json = new ReproxConfig(new InetSocketAddress("127.0.0.1", 0), Path.of("unused"), true,
        Map.of("test", repo("test")), java.util.List.of(), Map.of(), 10, new ReproxConfig.Log(true,
            ReproxConfig.Log.Format.JSON));
    ServingContext structured = ServingContext.builder().config(json).fetcher(fetchers.fetcher())
        .storageExecutor(DIRECT).registry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).ready(ready::get)
        .build();
    EmbeddedChannel other = new EmbeddedChannel(structured.newHandler());
    try (CapturedLog log = new CapturedLog("reprox.access")) {
      other.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/test/pool/a.deb"));
      other.runPendingTasks();
      assertThat(log.events(Level.INFO)).singleElement().satisfies(e -> {
        assertThat(e.getFormattedMessage()).startsWith("method=GET repo=test path=pool/a.deb t=- status=200 ");
        assertThat(e.getKeyValuePairs()).extracting(kv -> kv.key).containsExactly("method", "repo", "path", "t",
            "status", "bytes", "ms", "outcome", "cache", "pin", "label", "mode");
        assertThat(e.getKeyValuePairs()).filteredOn(kv -> kv.key.equals("status")).singleElement()
            .satisfies(kv -> assertThat(kv.value).isEqualTo(200L));
      });
    } finally {
      other.finishAndReleaseAll();
    }
  }

  @Test
  void accessLog_off_writesNoLine() {
    ReproxConfig quiet = new ReproxConfig(new InetSocketAddress("127.0.0.1", 0), Path.of("unused"), true,
        Map.of("test", repo("test")), java.util.List.of(), Map.of(), 10, new ReproxConfig.Log(false,
            ReproxConfig.Log.Format.TEXT));
    ServingContext off = ServingContext.builder().config(quiet).fetcher(fetchers.fetcher()).storageExecutor(DIRECT)
        .registry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).ready(ready::get).build();
    EmbeddedChannel other = new EmbeddedChannel(off.newHandler());
    try (CapturedLog log = new CapturedLog("reprox.access")) {
      other.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/test/pool/a.deb"));
      other.runPendingTasks();
      assertThat(other.outboundMessages()).isNotEmpty();
      assertThat(log.lines(Level.INFO)).isEmpty();
    } finally {
      other.finishAndReleaseAll();
    }
  }

  @Test
  void keepAlive_twoRequestsOnOneChannel() {
    assertThat(send(HttpMethod.GET, "/test/pool/a.deb").body()).isEqualTo(blob);
    assertThat(send(HttpMethod.GET, "/test/pool/a.deb", "Range", "bytes=0-9").body())
        .isEqualTo(Arrays.copyOf(blob, 10));
  }

  /** Stores {@code body} as {@code path} of repository "test". */
  private void store(String path, byte[] body) throws java.io.IOException {
    BlobInfo info;
    try (BlobWriter w = storage.blobs().newWriter()) {
      w.write(ByteBuffer.wrap(body));
      info = w.commit(null, body.length);
    }
    storage.refs().put(new Ref("test", path, info.digest(), CLOCK.instant()));
  }

  /** The chain's answers held back until the test lets each one through, by path. */
  private final class Gated implements Fetcher {
    final Fetcher chain = fetchers.fetcher();
    final Map<String, CompletableFuture<Void>> gates = new java.util.concurrent.ConcurrentHashMap<>();
    final java.util.List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();

    @Override
    public CompletableFuture<Fetched> fetch(dev.reprox.server.fetch.FetchRequest request) {
      asked.add(request.path());
      return gate(request.path()).thenCompose(v -> chain.fetch(request)).thenApply(Counted::new);
    }

    CompletableFuture<Void> gate(String path) {
      return gates.computeIfAbsent(path, p -> new CompletableFuture<>());
    }

    void open(String path) {
      gate(path).complete(null);
      channel.runPendingTasks();
    }

    /** Counts the readers opened and closed. */
    private final class Counted implements Fetched {
      private final Fetched inner;

      Counted(Fetched inner) {
        this.inner = inner;
      }

      @Override
      public Outcome outcome() {
        return inner.outcome();
      }

      @Override
      public long length() {
        return inner.length();
      }

      @Override
      public Optional<dev.reprox.storage.Digest> digest() {
        return inner.digest();
      }

      @Override
      public dev.reprox.server.fetch.Content open() throws java.io.IOException {
        dev.reprox.server.fetch.Content c = inner.open();
        opened.incrementAndGet();
        return new dev.reprox.server.fetch.Content() {
          @Override
          public int read(long position, ByteBuffer dst) throws java.io.IOException {
            return c.read(position, dst);
          }

          @Override
          public CompletableFuture<?> whenReadable(long position) {
            return c.whenReadable(position);
          }

          @Override
          public void close() {
            closed.incrementAndGet();
            c.close();
          }
        };
      }

      @Override
      public CompletableFuture<Void> settled() {
        return inner.settled();
      }
    }
  }

  private static FullHttpRequest get(String uri) {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
  }

  /** The bodies of the complete responses written so far, in order. */
  private java.util.List<byte[]> bodiesOut() {
    java.util.List<byte[]> bodies = new java.util.ArrayList<>();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (Object msg; (msg = channel.readOutbound()) != null; ) {
      try {
        if (msg instanceof HttpContent c) {
          byte[] bytes = new byte[c.content().readableBytes()];
          c.content().getBytes(c.content().readerIndex(), bytes);
          body.writeBytes(bytes);
          if (msg instanceof LastHttpContent) {
            bodies.add(body.toByteArray());
            body.reset();
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }
    return bodies;
  }

  @Test
  void pipelined_queuedGetsLookedUpBeforeTheirTurn_answeredInOrder() throws Exception {
    byte[] b = "second".getBytes(StandardCharsets.UTF_8);
    byte[] c = "third".getBytes(StandardCharsets.UTF_8);
    store("pool/b.deb", b);
    store("pool/c.deb", c);
    Gated chain = new Gated();
    channel.finishAndReleaseAll();
    context = context(chain);
    channel = new EmbeddedChannel(context.newHandler());

    channel.writeInbound(get("/test/pool/a.deb"), get("/test/pool/b.deb"), get("/test/pool/c.deb"));
    channel.runPendingTasks();

    // apt sends ten at once and reads the answers in order: the lookups of the queued ones must
    // not wait for the first answer to go out (issue 14).
    assertThat(chain.asked).containsExactly("pool/a.deb", "pool/b.deb", "pool/c.deb");
    chain.open("pool/c.deb");
    chain.open("pool/b.deb");
    assertThat(bodiesOut()).as("nothing before the first request's answer").isEmpty();
    chain.open("pool/a.deb");
    assertThat(bodiesOut()).containsExactly(blob, b, c);
    assertThat(chain.asked).as("each looked up once").hasSize(3);
    assertThat(chain.closed).hasValue(chain.opened.get());
  }

  @Test
  void pipelined_closedBeforeTheirTurn_preparedReadersClosed() throws Exception {
    store("pool/b.deb", new byte[] {1, 2, 3});
    Gated chain = new Gated();
    channel.finishAndReleaseAll();
    context = context(chain);
    channel = new EmbeddedChannel(context.newHandler());
    channel.writeInbound(get("/test/pool/a.deb"), get("/test/pool/b.deb"));
    channel.runPendingTasks();
    chain.open("pool/b.deb");
    assertThat(chain.opened).as("the queued request's reader opened ahead of its turn").hasValue(1);

    channel.close();
    chain.open("pool/a.deb");

    assertThat(chain.closed).hasValue(chain.opened.get());
  }

  @Test
  void idleConnection_closedAfterRequestHeadTimeout() {
    channel.advanceTimeBy(29, java.util.concurrent.TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    assertThat(channel.isOpen()).isTrue();
    channel.advanceTimeBy(2, java.util.concurrent.TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void headTimeout_rearmedAfterEachResponse() {
    channel.advanceTimeBy(20, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(send(HttpMethod.GET, "/healthz").status()).isEqualTo(200);
    channel.advanceTimeBy(20, java.util.concurrent.TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    assertThat(channel.isOpen()).as("the clock restarted with the response").isTrue();
    channel.advanceTimeBy(11, java.util.concurrent.TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void headTimeout_keepAliveRequests_keepTheOnePendingCheck() {
    channel.advanceTimeBy(20, java.util.concurrent.TimeUnit.SECONDS);
    for (int i = 0; i < 3; i++) {
      assertThat(send(HttpMethod.GET, "/test/pool/a.deb").status()).isEqualTo(200);
    }

    // The check scheduled at connect (due at 30 s) is still the next task: no timer was cancelled
    // and scheduled again per request; when it fires it moves itself to 50 s. (The embedded
    // loop's clock also runs in real time: hence a window, not an exact delay.)
    long second = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    assertThat(channel.runScheduledPendingTasks()).isBetween(9 * second, 10 * second);
    channel.advanceTimeBy(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(channel.runScheduledPendingTasks()).isBetween(19 * second, 20 * second);
    assertThat(channel.isOpen()).isTrue();
  }
}
