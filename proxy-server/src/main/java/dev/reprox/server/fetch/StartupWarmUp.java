package dev.reprox.server.fetch;

import dev.reprox.config.Keyring;
import dev.reprox.pinning.Format;
import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import dev.reprox.pinning.RootIndex;
import dev.reprox.pinning.formats.Formats;
import dev.reprox.server.upstream.HostPolicy;
import dev.reprox.server.upstream.PoliteUpstream;
import dev.reprox.storage.Digest;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the first root index request of a fresh JVM would otherwise pay itself, paid once on the
 * warm-up thread after the server listens (issue 14). The first InRelease took three times as
 * long as the second: the upstream client's first exchange (its selector thread, HTTP/1.1
 * parsing, body subscribers, and the polite layer every root fetch goes through: its gate,
 * breaker, permits, head verdict and body guards) and the first OpenPGP verification (Bouncy Castle's classes, EdDSA
 * and RSA) are loaded and run here on samples that belong to no repository, so nothing is stored,
 * pinned or counted as upstream traffic; then every repository's keyring is parsed, as before.
 * Two steps compile what a first cold path runs hot, which a fresh JVM otherwise runs interpreted
 * while the client waits: SHA-256 over a megabyte (every fill hashes its body) and the apt
 * listing parser over a bundled sample listing (the indexer decodes the first real one).
 *
 * <p>Each step is timed and published as {@code reprox_warmup_seconds{step}} once it is done, and
 * logged in one line at the end. A step that fails only costs the first request its time again:
 * it is logged at DEBUG (a keyring that cannot be parsed stays an ERROR: its repository fails).
 * Nothing waits for the warm-up: a request that needs a class or keyring sooner loads it itself.
 */
final class StartupWarmUp implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(StartupWarmUp.class);
  /** The EdDSA sample: a small InRelease clearsigned by a throwaway EdDSA key (warm-up/SOURCES.md). */
  static final String SAMPLE = "warm-up/InRelease";
  /**
   * The RSA sample: a made-up Release as large as Debian's (772 files a table, 160 KB), clearsigned
   * by the RSA-4096 signing subkey of a throwaway certificate shaped like Debian's archive keys.
   */
  static final String LARGE_SAMPLE = "warm-up/InRelease-large";
  /** The listing sample: stanzas shaped like Debian's, xz -6 (warm-up/SOURCES.md). */
  static final String LISTING_SAMPLE = "warm-up/Packages.xz";
  static final Digest LISTING_SHA256 = Digest.sha256("7f91c1e3fff98011621037f89de2d971c390947413ac67bd02ac8f857f39a117");
  static final long LISTING_ENTRIES = 600;
  /** How much the SHA-256 step hashes, and the digest of that many zero bytes ({@code sha256sum}). */
  static final int SHA256_BYTES = 1 << 20;
  static final Digest SHA256_OF_ZEROS = Digest.sha256("30e14955ebf1352266dc2ff8067e68104607e750abb9d3b36582b8af909fcb58");
  /** Where the indexer would find the sample: a listing path of a suite no repository has. */
  private static final String LISTING_PATH = "dists/warm-up/main/binary-amd64/Packages.xz";
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** One step, as {@code reprox_warmup_seconds{step}} names it. */
  enum Step {
    SHA256, UPSTREAM_CLIENT, VERIFY_EDDSA, VERIFY_RSA, KEYRINGS, LISTING;

    String tag() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final PoliteUpstream upstream;
  private final Collection<SignedRepository> repositories;
  private final Clock clock;
  private final MeterRegistry registry;

  /**
   * {@code upstream} is the warm-up's own polite layer ({@link #politeLayer}): its exchange with a
   * loopback listener must show in none of the server's host gates, breakers or upstream metrics.
   */
  StartupWarmUp(PoliteUpstream upstream, Collection<SignedRepository> repositories, Clock clock,
      MeterRegistry registry) {
    this.upstream = upstream;
    this.repositories = repositories;
    this.clock = clock;
    this.registry = registry;
  }

  @Override
  public void run() {
    List<String> took = new ArrayList<>();
    // In the order a first cold path needs them, so that the warm-up, which starts a little
    // before it (at the bind), stays ahead of it: SHA-256 (every body is hashed, a 9 MB listing's
    // first megabytes by slow code otherwise), the upstream exchange, then the verification
    // (EdDSA first: it loads most of what RSA needs too, at half the cost). A keyring is needed
    // by its own repository's request only, which parses it itself if it comes first; the
    // built-in ones are left to that request. The listing comes last: a client asks for the
    // listing only once its root is verified, and its indexing starts only once it is stored.
    boolean whole = step(Step.SHA256, this::sha256, took)
        && step(Step.UPSTREAM_CLIENT, this::upstreamClient, took)
        && step(Step.VERIFY_EDDSA, () -> verify("warm-up/eddsa.gpg", SAMPLE), took)
        && step(Step.VERIFY_RSA, () -> verify("warm-up/rsa.gpg", LARGE_SAMPLE), took)
        && step(Step.KEYRINGS, this::keyrings, took)
        && step(Step.LISTING, this::listing, took);
    log.info("warm-up {}: {}", whole ? "done" : "stopped (the server closes)", String.join(", ", took));
  }

  private interface Action {
    void run() throws Exception;
  }

  /** False when the thread was interrupted (the server closes): the rest is moot. */
  private boolean step(Step step, Action action, List<String> took) {
    long start = System.nanoTime();
    try {
      action.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      log.debug("warm-up {}: {}", step.tag(), e.toString());
      took.add(step.tag() + " failed");
      return !Thread.currentThread().isInterrupted();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    took.add(String.format(Locale.ROOT, "%s %.0f ms", step.tag(), seconds * 1000));
    if (registry != null) {
      Gauge.builder("reprox.warmup.seconds", () -> seconds)
          .description("time each start-up warm-up step took, present once it is done")
          .tag("step", step.tag()).register(registry);
    }
    return !Thread.currentThread().isInterrupted();
  }

  /**
   * {@code sample} parsed and verified as a root is (apt's format, a lazily parsed keyring) with the
   * throwaway certificate in {@code keyring}; another key's signature is ignored, as a signature by
   * a key outside a repository's keyring is. The RSA sample is as large as a real suite's Release
   * and its certificate has a signing subkey with a back signature, as Debian's have: a tiny sample
   * left the first real root to run the clearsigned text's canonicalization, the Release parser
   * over its tables, the subkey binding checks and 4096-bit arithmetic interpreted (issue 14).
   */
  void verify(String keyring, String sample) throws Exception {
    Formats.Built built = Formats.build(new Formats.Spec("apt",
        Optional.of(List.of(new Formats.KeyFile(keyring, resource(keyring)))), clock, false,
        "load the warm-up sample's keyring"));
    RootIndex index = built.format().verifyRoot("dists/warm-up/InRelease", resource(sample), null);
    if (index.signers().size() != 1) {
      throw new IllegalStateException("the warm-up sample verified with " + index.signers() + ", not " + keyring);
    }
  }

  /**
   * The sample listing decoded and parsed by the code the indexer runs on a stored listing (apt's
   * {@link Format#openListing}: xz-java's decoder under the Deb822 parser, each entry turned into
   * the path entry the index would record), so that their hot methods are compiled before the
   * first real listing: in a fresh JVM its first ~1,500 stanzas (where a first {@code .deb} is
   * often found) are decoded by the interpreter otherwise. Nothing is written: the entries are
   * counted, and a sample other than the bundled one (its SHA-256) or a count other than its
   * stanzas' fails the step.
   */
  void listing() throws IOException, IndexParseException {
    listing(resource(LISTING_SAMPLE), LISTING_SHA256, LISTING_ENTRIES);
  }

  /** {@link #listing()} of {@code xz}, which must be {@code sha256} and name {@code entries} files. */
  void listing(byte[] xz, Digest sha256, long entries) throws IOException, IndexParseException {
    Digest actual = Digest.compute(xz);
    if (!actual.equals(sha256)) {
      throw new IllegalStateException("the warm-up listing is " + actual + ", not " + sha256);
    }
    Format apt = Formats.build(new Formats.Spec("apt", Optional.empty(), clock, false, "the warm-up listing")).format();
    long named = 0;
    try (ListingReader reader = apt.openListing(LISTING_PATH, new ByteArrayInputStream(xz))) {
      for (ListedFile f = reader.next(); f != null; f = reader.next()) {
        f.toPathEntry(actual);
        named++;
      }
    }
    if (named != entries) {
      throw new IllegalStateException("the warm-up listing named " + named + " files, not " + entries);
    }
  }

  /**
   * {@link #SHA256_BYTES} zero bytes hashed in 16 KiB heap buffers, as a fill's writer hashes an
   * upstream body: SHA-256's compression runs on the CPU's SHA instructions only once C2 has
   * compiled it (an intrinsic neither the interpreter nor C1 has), and a fresh JVM reached C2
   * only some megabytes into the first large body. Fails on a digest other than that of the bytes.
   */
  void sha256() {
    MessageDigest hasher = Digest.newHasher();
    ByteBuffer piece = ByteBuffer.allocate(16 * 1024);
    for (int hashed = 0; hashed < SHA256_BYTES; hashed += piece.capacity()) {
      hasher.update(piece.duplicate());
    }
    Digest digest = Digest.of(hasher.digest());
    if (!digest.equals(SHA256_OF_ZEROS)) {
      throw new IllegalStateException("SHA-256 of " + SHA256_BYTES + " zero bytes was " + digest);
    }
  }

  /**
   * A polite layer of the warm-up's own over the server's upstream {@code client}: the same code a
   * root fetch runs (PoliteCall, HostGate, breaker, permits, token bucket, HeadVerdict, FinalBody
   * and its subscribers), loaded and run once before the first root needs it (issue 14: those
   * classes were loaded inside the first InRelease's time), but its gates and meters (a throwaway
   * registry) are not the server's. One attempt, no retry: a failure only ends the step.
   */
  static PoliteUpstream politeLayer(HttpClient client, ScheduledExecutorService scheduler, Clock clock) {
    return PoliteUpstream.builder().client(client).scheduler(scheduler).clock(clock)
        .defaultPolicy(HostPolicy.builder().maxRetries(0).connectFailFast(true).build()).build();
  }

  /**
   * One exchange of the upstream client, through the warm-up's polite layer, with a listener of
   * its own on loopback (never the server itself: that request would show in its metrics), read
   * with the body subscriber root fetches use. The name lookup of {@code localhost} loads the
   * resolver an upstream's host needs.
   */
  void upstreamClient() throws IOException, InterruptedException, ExecutionException, TimeoutException,
      URISyntaxException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    InetAddress.getAllByName("localhost");
    try (ServerSocket listener = new ServerSocket(0, 1, loopback)) {
      URI uri = new URI("http", null, loopback.getHostAddress(), listener.getLocalPort(), "/warm-up", null, null);
      CompletableFuture<HttpResponse<byte[]>> answer = upstream.send(HttpRequest.newBuilder(uri).GET()
          .timeout(TIMEOUT).header("User-Agent", "reprox/0.1").build(), info -> new BoundedBytes(1024, "warm-up " + uri));
      // Accepted in short waits: a client that fails before it connects ends the step at once.
      listener.setSoTimeout(100);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (!answer.isDone()) {
        Socket s;
        try {
          s = listener.accept();
        } catch (SocketTimeoutException e) {
          if (System.nanoTime() > deadline) {
            throw new TimeoutException("warm-up exchange: the client did not connect");
          }
          continue;
        }
        try (s) {
          s.setSoTimeout((int) TIMEOUT.toMillis());
          readHead(s.getInputStream());
          OutputStream out = s.getOutputStream();
          out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
              .getBytes(StandardCharsets.US_ASCII));
          out.flush();
        }
        break;
      }
      HttpResponse<byte[]> response = answer.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (response.statusCode() != 200) {
        throw new IOException("warm-up exchange answered " + response.statusCode());
      }
    }
  }

  /** Reads a request head up to its empty line (8 KiB at most). */
  private static void readHead(InputStream in) throws IOException {
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    for (int n = 0; n < 8192 && matched < end.length; n++) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("warm-up exchange: the client closed before its request ended");
      }
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
  }

  /**
   * Every configured keyring parsed and validated: one that cannot be parsed is said here, at
   * start-up, and fails its repository's signed requests with the same reason. The built-in
   * keyrings are left to their repository's first request: they are shipped tested, and validating
   * their RSA keys took seconds of CPU on one of two cores while the first requests of a fresh
   * server ran (issue 14); once the verifications above have run, one is parsed in milliseconds.
   */
  void keyrings() {
    for (SignedRepository r : repositories) {
      if (r.config().keyring() instanceof Keyring.Builtin) {
        continue;
      }
      try {
        r.warm().run();
      } catch (RuntimeException e) {
        log.error("repository {}: {}; its signed requests fail", r.config().name(), e.getMessage());
      }
    }
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = StartupWarmUp.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("resource " + name + " missing from the jar");
      }
      return in.readAllBytes();
    }
  }
}
