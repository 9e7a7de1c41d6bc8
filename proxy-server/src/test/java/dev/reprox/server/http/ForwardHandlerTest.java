package dev.reprox.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.reprox.server.fetch.FetchException;
import dev.reprox.server.fetch.FetchRequest;
import dev.reprox.server.fetch.Fetcher;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Forward mode through the whole handler on an {@link EmbeddedChannel}, with a fetcher that records. */
class ForwardHandlerTest {
  private final List<FetchRequest> fetched = new CopyOnWriteArrayList<>();
  private EmbeddedChannel channel;
  private ServingContext context;

  record Reply(FullHttpResponse head, String text) {}

  @BeforeEach
  void setUp() {
    // Every request that reaches the chain is recorded and answered 404: nothing leaves the test.
    Fetcher recording = request -> {
      fetched.add(request);
      return CompletableFuture.failedFuture(new FetchException(FetchException.Kind.NOT_FOUND, "fetch " + request
          + ": recorded"));
    };
    context = ServingContext.builder()
        .config(ForwardRouteTest.config(List.of(),
            ForwardRouteTest.repo("debian", "http://deb.debian.org/debian", "http://snapshot.debian.org/archive/debian/")))
        .fetcher(recording)
        .storageExecutor(Runnable::run)
        .registry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
        .build();
    channel = new EmbeddedChannel(context.newHandler());
  }

  @AfterEach
  void tearDown() {
    assertFalse(channel.finishAndReleaseAll());
    assertThat(context.inFlight().count()).isZero();
  }

  @Test
  void absoluteForm_pinnedClient_reachesChainPinned() {
    Reply r = send(HttpMethod.GET, "http://deb.debian.org/debian/dists/bookworm/InRelease",
        "Proxy-Authorization", ForwardRouteTest.basic("1709251200:build-7"));
    assertThat(r.head().status().code()).isEqualTo(404);
    assertThat(fetched).singleElement().satisfies(f -> {
      assertThat(f.repository().name()).isEqualTo("debian");
      assertThat(f.path()).isEqualTo("dists/bookworm/InRelease");
      assertThat(f.at()).hasValue(Instant.ofEpochSecond(1709251200));
    });
  }

  @Test
  void absoluteForm_malformedPin_407WithChallengeAndExplanation() {
    Reply r = send(HttpMethod.GET, "http://deb.debian.org/debian/dists/bookworm/InRelease",
        "Proxy-Authorization", ForwardRouteTest.basic("last-tuesday"));
    assertThat(r.head().status().code()).isEqualTo(407);
    assertThat(r.head().headers().get("Proxy-Authenticate"))
        .isEqualTo("Basic realm=\"reprox: user name = SOURCE_DATE_EPOCH or YYYYMMDDTHHMMSSZ\"");
    assertThat(r.text()).contains("\"last-tuesday\"").contains("SOURCE_DATE_EPOCH or YYYYMMDDTHHMMSSZ");
    assertThat(fetched).isEmpty();
  }

  @Test
  void absoluteForm_unconfigured_403NamingRepositories() {
    Reply r = send(HttpMethod.GET, "http://mirror.example/debian/dists/bookworm/InRelease");
    assertThat(r.head().status().code()).isEqualTo(403);
    assertThat(r.text()).contains("no configured repository covers http://mirror.example/debian/dists/bookworm/InRelease")
        .contains("debian: http://deb.debian.org/debian");
    assertThat(fetched).isEmpty();
  }

  @Test
  void connect_403WithBodyAndClose() {
    Reply r = send(HttpMethod.CONNECT, "deb.debian.org:443", "Host", "deb.debian.org:443");
    assertThat(r.head().status().code()).isEqualTo(403);
    assertThat(r.head().headers().get("Connection")).isEqualTo("close");
    assertThat(r.text()).contains("use http:// sources").contains("TLS tunnels cannot be cached");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void connect_403_carriesNosniffAndDate_likeEveryResponse() {
    channel.finishAndReleaseAll();
    channel = new EmbeddedChannel(context.responseHeaders(), context.newHandler()); // as the server's pipeline
    Reply r = send(HttpMethod.CONNECT, "deb.debian.org:443", "Host", "deb.debian.org:443");
    assertThat(r.head().status().code()).isEqualTo(403);
    assertThat(r.head().headers().get("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(r.head().headers().get("Date")).isNotBlank();
  }

  @Test
  void snapshotUrl_reachesChainAtUrlTime() {
    send(HttpMethod.GET, "http://snapshot.debian.org/archive/debian/20240301T000000Z/pool/main/h/hello.deb");
    assertThat(fetched).singleElement().satisfies(f -> {
      assertThat(f.path()).isEqualTo("pool/main/h/hello.deb");
      assertThat(f.at()).hasValue(Instant.parse("2024-03-01T00:00:00Z"));
    });
  }

  @Test
  void originForm_hostOfUpstream_reachesChain() {
    send(HttpMethod.GET, "/debian/pool/main/h/hello.deb", "Host", "deb.debian.org");
    assertThat(fetched).singleElement().satisfies(f -> assertThat(f.at()).isEmpty());
  }

  @Test
  void labelledRequests_inBuildsApiAndTaggedOnTheRequestLogLine() throws Exception {
    ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(RequestHandler.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    Level level = logger.getLevel();
    logger.setLevel(Level.INFO); // the storage test-jar's logback-test.xml sets WARN
    try {
      String auth = ForwardRouteTest.basic("1709251200:ci-7");
      send(HttpMethod.GET, "http://deb.debian.org/debian/dists/bookworm/InRelease", "Proxy-Authorization", auth);
      send(HttpMethod.GET, "http://deb.debian.org/debian/pool/main/h/hello.deb", "Proxy-Authorization", auth);
      send(HttpMethod.GET, "http://deb.debian.org/debian/pool/main/h/hello.deb"); // no label: not recorded
    } finally {
      logger.detachAppender(lines);
      logger.setLevel(level);
    }
    assertThat(lines.list).filteredOn(e -> e.getLevel() == Level.INFO).hasSize(2).allSatisfy(e -> {
      assertThat(e.getFormattedMessage()).startsWith("build ci-7: debian/@2024-03-01T00:00:00Z/")
          .contains(" (forward http://deb.debian.org/debian/").contains("-> not_found");
      assertThat(e.getKeyValuePairs()).extracting(kv -> kv.key + "=" + kv.value).containsExactly("build=ci-7");
    });

    Reply api = send(HttpMethod.GET, "/-/api/builds");
    assertThat(api.head().status().code()).isEqualTo(200);
    assertThat(api.head().headers().get("Content-Type")).isEqualTo("application/json");
    JsonNode builds = new ObjectMapper().readTree(api.text()).get("builds");
    assertThat(builds).hasSize(1);
    assertThat(builds.get(0).get("label").asText()).isEqualTo("ci-7");
    assertThat(builds.get(0).get("requests").asLong()).isEqualTo(2);
    assertThat(builds.get(0).get("at").asText()).isEqualTo("2024-03-01T00:00:00Z");
    assertThat(builds.get(0).get("repositories").toString()).isEqualTo("[\"debian\"]");
  }

  @Test
  void accessLine_forwardMode_namesRepositoryPathTLabelAndMode_refusedToo() {
    try (dev.reprox.server.testing.CapturedLog log = new dev.reprox.server.testing.CapturedLog("reprox.access")) {
      send(HttpMethod.GET, "http://deb.debian.org/debian/pool/main/h/hello.deb", "Proxy-Authorization",
          ForwardRouteTest.basic("1709251200:ci-7"));
      send(HttpMethod.GET, "http://mirror.example/debian/dists/bookworm/InRelease");
      assertThat(log.lines(Level.INFO)).satisfiesExactly(
          l -> assertThat(l).matches("method=GET repo=debian path=pool/main/h/hello.deb t=2024-03-01T00:00:00Z"
              + " status=404 bytes=0 ms=\\d+ outcome=not_found cache=- pin=- label=ci-7 mode=forward"),
          l -> assertThat(l).startsWith("method=GET repo=- path=http://mirror.example/debian/dists/bookworm/InRelease"
              + " t=- status=403 ").endsWith(" label=- mode=forward"));
    }
  }

  @Test
  void requestLogLine_controlCharactersInPathAndQuery_escaped() {
    ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(RequestHandler.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    Level level = logger.getLevel();
    logger.setLevel(Level.INFO);
    try {
      // %C2%9B decodes to CSI (C1), %E2%80%A8 to LINE SEPARATOR; the query reaches the log raw.
      send(HttpMethod.GET, "http://deb.debian.org/debian/pool/a%C2%9B31m%E2%80%A8b.deb?\u001b[2J\u0085x",
          "Proxy-Authorization", ForwardRouteTest.basic("1709251200:ci-7"));
    } finally {
      logger.detachAppender(lines);
      logger.setLevel(level);
    }
    assertThat(lines.list).filteredOn(e -> e.getLevel() == Level.INFO).singleElement().satisfies(e -> {
      String line = e.getFormattedMessage();
      assertThat(line).contains("a\\x9b31m\\u2028b.deb", "?\\x1b[2J\\x85x");
      assertThat(line.chars()).noneMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028);
    });
  }

  private Reply send(HttpMethod method, String uri, String... headers) {
    DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    for (int i = 0; i < headers.length; i += 2) {
      request.headers().set(headers[i], headers[i + 1]);
    }
    channel.writeInbound(request);
    channel.runPendingTasks();
    Object msg = channel.readOutbound();
    assertThat(msg).as("a response to %s %s", method, uri).isInstanceOf(FullHttpResponse.class);
    FullHttpResponse response = (FullHttpResponse) msg;
    try {
      return new Reply(response.replace(io.netty.buffer.Unpooled.EMPTY_BUFFER), response.content().toString(StandardCharsets.UTF_8));
    } finally {
      ReferenceCountUtil.release(response);
    }
  }
}
