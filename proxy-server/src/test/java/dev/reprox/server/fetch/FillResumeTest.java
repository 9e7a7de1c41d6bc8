package dev.reprox.server.fetch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.server.upstream.HostPolicy;
import dev.reprox.server.upstream.PoliteUpstream;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A cut body with an expected digest is asked for again within the same fill (WireMock upstream,
 * real polite layer): the client reading the tail sees one whole body, or a cut one, never wrong
 * bytes; the digest check at commit decides what is stored.
 */
class FillResumeTest {
  private static final String PATH = "pool/a.deb";
  private static final byte[] BODY = new byte[200_000];
  private static final int CUT = 70_000;
  private static WireMockServer server;

  static {
    new Random(4).nextBytes(BODY);
  }

  private final Storage storage = MemoryStorage.builder().build();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService storageExecutor = Executors.newSingleThreadExecutor();
  private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .version(HttpClient.Version.HTTP_1_1).build();
  private final AtomicInteger resumed = new AtomicInteger();
  private UpstreamFetcher fetcher;
  private RepositoryConfig repo;

  @BeforeAll
  static void startServer() {
    server = new WireMockServer(wireMockConfig().dynamicPort().jettyStopTimeout(0L));
    server.start();
  }

  @AfterAll
  static void stopServer() {
    server.stop();
  }

  @AfterEach
  void tearDown() {
    fetcher.close();
    server.resetAll();
    timer.shutdownNow();
    storageExecutor.shutdownNow();
    storage.close();
  }

  private FetchRequest request(boolean expected) {
    URI base = URI.create("http://localhost:" + server.port() + "/debian");
    repo = new RepositoryConfig("test", RepositoryConfig.Format.APT, base, Optional.empty(), new Keyring.None(),
        RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), false);
    // No retries and a head timeout no load reaches: the scenarios hand out their answers by request
    // count, so a polite retry of a slow head (WireMock's first answer in a cold JVM took over 5 s
    // at load 20) took the next answer, the whole body, and looked like a resumption.
    HostPolicy policy = HostPolicy.mirror().toBuilder().backoff(Duration.ofMillis(10), Duration.ofMillis(50))
        .maxRetries(0).minRate(0, Duration.ofSeconds(10)).build();
    PoliteUpstream polite = PoliteUpstream.builder().client(client).scheduler(timer).clock(Clock.systemUTC())
        .defaultPolicy(policy).build();
    fetcher = new UpstreamFetcher(polite, storage, storageExecutor, timer, Clock.systemUTC(), Duration.ofSeconds(60),
        Duration.ofSeconds(60), IntegrityListener.NONE, r -> resumed.incrementAndGet());
    FetchRequest plain = new FetchRequest(repo, PATH);
    return expected ? plain.expecting(new FetchRequest.Expected(Digest.compute(BODY), BODY.length)) : plain;
  }

  /** The first {@code n} bytes of the body, announced as the whole length: the connection then closes short. */
  private static ResponseDefinitionBuilder cut(byte[] body, int n) {
    return aResponse().withStatus(200).withHeader("Content-Length", String.valueOf(body.length))
        .withBody(Arrays.copyOf(body, n));
  }

  private static void stubInTurn(ResponseDefinitionBuilder... responses) {
    String state = Scenario.STARTED;
    for (int i = 0; i < responses.length; i++) {
      String nextState = i + 1 < responses.length ? "r" + (i + 1) : state;
      server.stubFor(get(urlEqualTo("/debian/" + PATH)).inScenario("turns").whenScenarioStateIs(state)
          .willReturn(responses[i]).willSetStateTo(nextState));
      state = nextState;
    }
  }


  private Fetched fetch(FetchRequest request) throws Exception {
    return fetcher.fetch(request).get(90, TimeUnit.SECONDS);
  }

  private int upstreamRequests() {
    return server.findAll(getRequestedFor(urlEqualTo("/debian/" + PATH))).size();
  }

  @Test
  void cutOnceThenWhole_oneClientGetsTheWholeBody_storedAfterTwoUpstreamRequests() throws Exception {
    stubInTurn(cut(BODY, CUT), aResponse().withStatus(200).withBody(BODY));
    Fetched fetched = fetch(request(true));

    assertThat(Bodies.readAll(fetched)).isEqualTo(BODY);
    fetched.settled().get(20, TimeUnit.SECONDS);
    assertThat(fetched.digest()).hasValue(Digest.compute(BODY));
    assertThat(storage.blobs().stat(Digest.compute(BODY))).isPresent();
    assertThat(upstreamRequests()).isEqualTo(2);
    assertThat(resumed).hasValue(1);
  }

  @Test
  void cutEveryTime_clientCutAfterTheAllowedResumptions_nothingStored() throws Exception {
    server.stubFor(get(urlEqualTo("/debian/" + PATH)).willReturn(cut(BODY, CUT)));
    Fetched fetched = fetch(request(true));

    assertThatThrownBy(() -> Bodies.readAll(fetched)).isNotNull();
    fetched.settled().get(20, TimeUnit.SECONDS);
    assertThat(fetched.digest()).isEmpty();
    assertThat(storage.blobs().stat(Digest.compute(BODY))).isEmpty();
    assertThat(resumed).hasValue(Fill.MAX_RESUMPTIONS);
    assertThat(upstreamRequests()).isEqualTo(1 + Fill.MAX_RESUMPTIONS);
  }

  /**
   * Only the remainder reaches the writer: a resumption that differs in the skipped bytes alone
   * still joins into the body the index names (the digest passes), one that differs after them
   * does not.
   */
  @Test
  void resumedRemainderDiffers_digestFails_nothingStoredClientCut() throws Exception {
    byte[] second = BODY.clone();
    second[CUT + 10] ^= 0x01;
    stubInTurn(cut(BODY, CUT), aResponse().withStatus(200).withBody(second));
    Fetched fetched = fetch(request(true));

    assertThatThrownBy(() -> Bodies.readAll(fetched)).isNotNull();
    fetched.settled().get(20, TimeUnit.SECONDS);
    assertThat(fetched.digest()).isEmpty();
    assertThat(storage.blobs().stat(Digest.compute(BODY))).isEmpty();
    assertThat(storage.blobs().stat(Digest.compute(second))).isEmpty();
    assertThat(resumed).hasValue(1);
    assertThat(upstreamRequests()).isEqualTo(2);
  }

  @Test
  void passThroughWithoutExpectedDigest_notResumed() throws Exception {
    stubInTurn(cut(BODY, CUT), aResponse().withStatus(200).withBody(BODY));
    Fetched fetched = fetch(request(false));

    assertThatThrownBy(() -> Bodies.readAll(fetched)).isNotNull();
    fetched.settled().get(20, TimeUnit.SECONDS);
    assertThat(fetched.digest()).isEmpty();
    assertThat(storage.refs().get("test", PATH)).isEmpty();
    assertThat(resumed).hasValue(0);
    assertThat(upstreamRequests()).isEqualTo(1);
  }
}
