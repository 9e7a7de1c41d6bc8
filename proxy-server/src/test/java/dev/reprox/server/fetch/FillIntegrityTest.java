package dev.reprox.server.fetch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.server.upstream.HostPolicy;
import dev.reprox.server.upstream.PoliteUpstream;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who is wrong when a checked fill is refused: the upstream (its body disagrees with the signed
 * index: an integrity failure is counted) or the caller's own SHA-256 next to the index's alias (a
 * lockfile's, issue 11: the body matched the signed index, nothing is counted). Nothing is stored
 * either way.
 */
class FillIntegrityTest {
  private static final String PATH = "Packages/foo-1.0.rpm";
  private static final byte[] BODY = new byte[50_000];
  private static final Digest WRONG = Digest.sha256("0".repeat(64));
  private static WireMockServer server;

  static {
    new Random(9).nextBytes(BODY);
  }

  private final Storage storage = MemoryStorage.builder().build();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService storageExecutor = Executors.newSingleThreadExecutor();
  private final List<String> integrityFailures = new CopyOnWriteArrayList<>();
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

  @BeforeEach
  void setUp() {
    server.stubFor(get(urlEqualTo("/repo/" + PATH)).willReturn(aResponse().withStatus(200).withBody(BODY)));
    repo = new RepositoryConfig("test", RepositoryConfig.Format.DNF, URI.create("http://localhost:" + server.port()
        + "/repo"), Optional.empty(), new Keyring.None(), RepositoryConfig.PinningPolicy.BEST_EFFORT,
        Duration.ofSeconds(60), false);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    PoliteUpstream polite = PoliteUpstream.builder().client(client).scheduler(timer).clock(Clock.systemUTC())
        .defaultPolicy(HostPolicy.mirror()).build();
    fetcher = new UpstreamFetcher(polite, storage, storageExecutor, timer, Clock.systemUTC(), Duration.ofSeconds(5),
        Duration.ofSeconds(5), (request, kind) -> integrityFailures.add(kind), r -> { });
  }

  @AfterEach
  void tearDown() {
    fetcher.close();
    server.resetAll();
    timer.shutdownNow();
    storageExecutor.shutdownNow();
    storage.close();
  }

  private static Alias sha512(byte[] body) throws Exception {
    return new Alias(Alias.Kind.SHA512, MessageDigest.getInstance("SHA-512").digest(body));
  }

  /** The index names the body by its SHA-512 only; {@code lockSha256} is the caller's SHA-256 next to it. */
  private Fetched fetch(Alias listed, Digest lockSha256) throws Exception {
    FetchRequest.Expected byAlias = new FetchRequest.Expected(null, BODY.length, listed, Set.of(), null);
    FetchRequest request = new FetchRequest(repo, PATH).expecting(byAlias.alsoSha256(lockSha256));
    return fetcher.fetch(request).get(20, TimeUnit.SECONDS);
  }

  @Test
  void aliasMatches_lockSha256Wrong_refusedNothingStored_noIntegrityFailureCounted() throws Exception {
    Fetched fetched = fetch(sha512(BODY), WRONG);

    assertThatThrownBy(() -> Bodies.readAll(fetched)).isNotNull();
    fetched.settled().get(20, TimeUnit.SECONDS);
    assertThat(fetched.refused()).hasValueSatisfying(e -> assertThat(e).hasMessageContaining(WRONG.hex()));
    assertThat(storage.blobs().stat(Digest.compute(BODY))).isEmpty();
    assertThat(integrityFailures).as("the upstream sent what the signed index names").isEmpty();
  }

  @Test
  void aliasWrong_lockSha256Right_refusedNothingStored_integrityFailureCounted() throws Exception {
    byte[] other = BODY.clone();
    other[0] ^= 1;
    Fetched fetched = fetch(sha512(other), Digest.compute(BODY));

    assertThatThrownBy(() -> Bodies.readAll(fetched)).isNotNull();
    fetched.settled().get(20, TimeUnit.SECONDS);
    assertThat(storage.blobs().stat(Digest.compute(BODY))).isEmpty();
    assertThat(integrityFailures).as("the body disagrees with the signed index").containsExactly("digest");
  }

  @Test
  void bothMatch_stored() throws Exception {
    Fetched fetched = fetch(sha512(BODY), Digest.compute(BODY));

    assertThat(Bodies.readAll(fetched)).isEqualTo(BODY);
    fetched.settled().get(20, TimeUnit.SECONDS);
    assertThat(storage.blobs().stat(Digest.compute(BODY))).isPresent();
    assertThat(integrityFailures).isEmpty();
  }
}
