package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.pinning.Format;
import dev.reprox.pinning.PinningPolicy;
import dev.reprox.pinning.RootIndex;
import dev.reprox.pinning.formats.Formats;
import dev.reprox.server.upstream.HostStatus;
import dev.reprox.server.upstream.PoliteUpstream;
import dev.reprox.storage.Digest;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/** The start-up warm-up's steps do the work a first root request does, on samples of their own. */
class StartupWarmUpTest {
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stopScheduler() {
    scheduler.shutdownNow();
  }

  private PoliteUpstream polite(HttpClient client) {
    return StartupWarmUp.politeLayer(client, scheduler, Clock.systemUTC());
  }

  @Test
  void run_everyStepDone_eachPublishedAsAGauge() {
    ExecutorService callbacks = Executors.newSingleThreadExecutor();
    try {
      HttpClient client = HttpClient.newBuilder().executor(callbacks).version(HttpClient.Version.HTTP_1_1).build();
      SimpleMeterRegistry registry = new SimpleMeterRegistry();

      new StartupWarmUp(polite(client), List.of(), Clock.systemUTC(), registry).run();

      for (String step : List.of("sha256", "upstream-client", "verify-eddsa", "verify-rsa", "keyrings", "listing")) {
        Gauge done = registry.find("reprox.warmup.seconds").tag("step", step).gauge();
        assertThat(done).as(step).isNotNull();
        assertThat(done.value()).as(step).isGreaterThanOrEqualTo(0);
      }
    } finally {
      callbacks.shutdownNow();
    }
  }

  @Test
  void upstreamClient_exchangesThroughAPoliteLayerOfItsOwn() throws Exception {
    // A root fetch goes through the polite layer (gate, breaker, permits, head verdict, body
    // guards): the warm-up's exchange runs that code too, in a layer whose gates are not the
    // server's (issue 14: those classes were loaded inside the first InRelease's time).
    PoliteUpstream own = polite(HttpClient.newHttpClient());

    new StartupWarmUp(own, List.of(), Clock.systemUTC(), null).upstreamClient();

    assertThat(own.hosts()).singleElement().satisfies(h -> {
      assertThat(h.origin()).startsWith("http://127.0.0.1:");
      assertThat(h.lastSuccess()).isPresent();
    });
  }

  @Test
  void politeLayer_oneAttempt_aFailedExchangeIsNotRetried() throws Exception {
    // Nothing listens on the port: the step fails at once rather than backing off and retrying.
    PoliteUpstream own = polite(HttpClient.newHttpClient());
    URI dead = URI.create("http://127.0.0.1:" + deadPort() + "/warm-up");

    assertThatThrownBy(() -> own.send(java.net.http.HttpRequest.newBuilder(dead).build(),
        java.net.http.HttpResponse.BodyHandlers.discarding()).get(5, java.util.concurrent.TimeUnit.SECONDS))
        .isInstanceOf(java.util.concurrent.ExecutionException.class);
    assertThat(own.hosts()).extracting(HostStatus::breaker).containsExactly("open");
  }

  @Test
  void verify_theBundledSamples_verifyWithTheirThrowawayKeys() throws Exception {
    // Both signature algorithms a first root meets: EdDSA and RSA (Debian's, Ubuntu's archive keys).
    StartupWarmUp warmUp = new StartupWarmUp(polite(HttpClient.newHttpClient()), List.of(), Clock.systemUTC(), null);

    warmUp.verify("warm-up/eddsa.gpg", StartupWarmUp.SAMPLE); // each throws unless its key's signature verified
    warmUp.verify("warm-up/rsa.gpg", StartupWarmUp.LARGE_SAMPLE);
    // Each sample is signed by its own key only: the other keyring finds no signer.
    assertThatThrownBy(() -> warmUp.verify("warm-up/rsa.gpg", StartupWarmUp.SAMPLE)).hasMessageContaining("no signature by a keyring key");
  }

  @Test
  void verify_theRsaSample_isShapedLikeDebiansRelease() throws Exception {
    // As large as a real suite's (Debian 12: 772 files a table, 151 KB), signed by an RSA-4096
    // subkey of a certificate with a binding and a back signature: what the first real root runs.
    byte[] keyring = resource("warm-up/rsa.gpg");
    Format apt = Formats.build(new Formats.Spec("apt", Optional.of(List.of(new Formats.KeyFile("rsa.gpg", keyring))),
        Clock.systemUTC(), false, "test")).format();
    byte[] sample = resource(StartupWarmUp.LARGE_SAMPLE);

    RootIndex index = apt.verifyRoot("dists/warm-up/InRelease", sample, null);

    assertThat(sample.length).isGreaterThan(150_000);
    assertThat(index.files()).hasSize(772);
    PGPPublicKeyRing cert = new PGPPublicKeyRing(keyring, new BcKeyFingerprintCalculator());
    List<PGPPublicKey> keys = new ArrayList<>();
    cert.getPublicKeys().forEachRemaining(keys::add);
    assertThat(keys).hasSize(2).allSatisfy(k -> {
      assertThat(k.getAlgorithm()).isEqualTo(PublicKeyAlgorithmTags.RSA_GENERAL);
      assertThat(k.getBitStrength()).isEqualTo(4096);
    });
    assertThat(index.signers()).containsExactly(HexFormat.of().withUpperCase().formatHex(cert.getPublicKey().getFingerprint()));
  }

  @Test
  void sha256_hashesItsBytesAsAFillDoes_andChecksTheDigest() {
    // The constant is the digest of that many zero bytes, computed here in one call.
    assertThat(Digest.compute(new byte[StartupWarmUp.SHA256_BYTES])).isEqualTo(StartupWarmUp.SHA256_OF_ZEROS);

    warmUp().sha256(); // throws unless its pieces hashed to that digest
  }

  @Test
  void listing_theBundledSample_isTheOneItNames_andTheAptParserFindsEachStanza() throws Exception {
    // Counted here without the parser: the sample's Filename lines, decompressed.
    byte[] xz = sample();
    assertThat(Digest.compute(xz)).isEqualTo(StartupWarmUp.LISTING_SHA256);
    assertThat(text(xz).lines().filter(l -> l.startsWith("Filename: ")).count())
        .isEqualTo(StartupWarmUp.LISTING_ENTRIES);

    warmUp().listing(); // throws unless the parser named LISTING_ENTRIES files of the bundled sample
  }

  @Test
  void listing_aStanzaFewer_failsTheStep() throws Exception {
    // The sample without its last stanza, compressed again: the count is the apt parser's.
    String text = text(sample());
    byte[] shorter = xz(text.substring(0, text.lastIndexOf("\n\nPackage: ") + 2));

    assertThatThrownBy(() -> warmUp().listing(shorter, Digest.compute(shorter), StartupWarmUp.LISTING_ENTRIES))
        .hasMessageContaining("named " + (StartupWarmUp.LISTING_ENTRIES - 1) + " files, not "
            + StartupWarmUp.LISTING_ENTRIES);
  }

  @Test
  void listing_aStanzaTheAptParserRefuses_failsTheStep() throws Exception {
    byte[] broken = xz(text(sample()).replaceFirst("\nSHA256: [0-9a-f]{64}\n", "\nSHA256: not-hex\n"));

    assertThatThrownBy(() -> warmUp().listing(broken, Digest.compute(broken), StartupWarmUp.LISTING_ENTRIES))
        .isInstanceOf(dev.reprox.pinning.IndexParseException.class);
  }

  @Test
  void listing_bytesOtherThanTheNamedSample_failTheStep() throws Exception {
    Digest other = Digest.sha256("00".repeat(32));

    assertThatThrownBy(() -> warmUp().listing(sample(), other, StartupWarmUp.LISTING_ENTRIES))
        .hasMessageContaining("not " + other);
  }

  private StartupWarmUp warmUp() {
    return new StartupWarmUp(polite(HttpClient.newHttpClient()), List.of(), Clock.systemUTC(), null);
  }

  private static byte[] sample() throws IOException {
    return resource(StartupWarmUp.LISTING_SAMPLE);
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = StartupWarmUp.class.getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }

  private static String text(byte[] xz) throws IOException {
    try (InputStream in = new XZInputStream(new ByteArrayInputStream(xz))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static byte[] xz(String text) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (XZOutputStream xz = new XZOutputStream(out, new LZMA2Options())) {
      xz.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  @Test
  void run_aStepFails_notPublished_theOthersStillRun() throws IOException {
    // A client sent through a proxy port nothing listens on never reaches the warm-up's listener.
    HttpClient broken = HttpClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", deadPort())))
        .build();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    StartupWarmUp warmUp = new StartupWarmUp(polite(broken), List.of(), Clock.systemUTC(), registry);
    assertThatThrownBy(warmUp::upstreamClient).isInstanceOf(java.util.concurrent.ExecutionException.class);

    warmUp.run();

    assertThat(registry.find("reprox.warmup.seconds").tag("step", "upstream-client").gauge()).isNull();
    assertThat(registry.find("reprox.warmup.seconds").tag("step", "verify-eddsa").gauge()).isNotNull();
    assertThat(registry.find("reprox.warmup.seconds").tag("step", "keyrings").gauge()).isNotNull();
  }

  @Test
  void keyrings_configuredOnesParsedAtStart_builtInOnesLeftToTheirFirstRequest() {
    AtomicInteger fileParsed = new AtomicInteger();
    AtomicInteger builtinParsed = new AtomicInteger();
    List<SignedRepository> repos = List.of(
        repo("own", new Keyring.File(Path.of("/nonexistent/own.gpg")), fileParsed::incrementAndGet),
        repo("debian", new Keyring.Builtin("debian"), builtinParsed::incrementAndGet));

    new StartupWarmUp(polite(HttpClient.newHttpClient()), repos, Clock.systemUTC(), null).keyrings();

    assertThat(fileParsed).hasValue(1);
    assertThat(builtinParsed).as("a built-in keyring parsed by the warm-up").hasValue(0);
  }

  private static SignedRepository repo(String name, Keyring keyring, Runnable warm) {
    RepositoryConfig config = new RepositoryConfig(name, RepositoryConfig.Format.APT,
        URI.create("http://127.0.0.1:9/" + name), Optional.empty(), keyring, RepositoryConfig.PinningPolicy.STRICT,
        Duration.ofMinutes(5), false, true);
    return new SignedRepository(config, null, PinningPolicy.STRICT, warm);
  }

  private static int deadPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
