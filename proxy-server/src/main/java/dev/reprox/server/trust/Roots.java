package dev.reprox.server.trust;

import static dev.reprox.server.LogSafe.escape;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.RootGroup;
import dev.reprox.pinning.RootIndex;
import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.server.fetch.BoundedBytes;
import dev.reprox.server.fetch.FetchException;
import dev.reprox.server.fetch.FetchRequest;
import dev.reprox.server.fetch.Misses;
import dev.reprox.server.fetch.PoliteUpstreams;
import dev.reprox.server.fetch.SignedRepository;
import dev.reprox.server.fetch.SingleFlight;
import dev.reprox.server.fetch.UpstreamFetcher;
import dev.reprox.server.upstream.PoliteUpstream;
import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BlobNotFoundException;
import dev.reprox.storage.BlobReader;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Generation;
import dev.reprox.storage.Observation;
import dev.reprox.storage.Ref;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Root indexes: live revalidation (one coalesced, fully buffered and verified upstream GET per
 * root once {@code root-ttl} has passed; only then stored, recorded and served), fetches from the
 * snapshot server at T (the {@link dev.reprox.pinning.SnapshotSource}), and parsed
 * {@link RootIndex}es cached per digest, since verification costs ~10 ms. Methods named
 * {@code ...Blocking} touch storage and the network: call them off the event loop.
 *
 * <p>A detached root (apt {@code Release}) is stored with its signature; the signature's digest is
 * kept under the ref {@code -/signature/<root>/<root hex>}, so the pair of any generation can be
 * served and re-verified later.
 *
 * <p>Over 250 lines: fetch, verify, record and reload of a root share the one parsed-root cache
 * and the detached-signature refs; splitting them would spread who may write a root's record.
 */
public final class Roots {
  private static final Logger log = LoggerFactory.getLogger(Roots.class);

  /**
   * The live state of one root: its verified index and, for a detached root, its signature blob;
   * {@code fetched}: this answer came from an upstream round just now (a miss), not the store.
   */
  public record Live(RootIndex index, Digest signature, boolean fetched) {}

  /**
   * What the upstream said about the live bytes {@code digest} when they were fetched: sent back
   * as {@code If-None-Match} / {@code If-Modified-Since} by a conditional revalidation (the watch).
   */
  private record Validators(Digest digest, String etag, String lastModified) {}

  /** One upstream answer: 200 with its body, or 304 without. */
  private record Answer(int status, byte[] body, String etag, String lastModified) {}

  private final Storage storage;
  private final PoliteUpstream client;
  private final Clock clock;
  private final Duration headerTimeout;
  private final boolean globallyOffline;
  private final Executor fetchExecutor;
  private final Misses misses;
  private final RootFreshness freshness;
  private final Cache<Digest, RootIndex> parsed = Caffeine.newBuilder().maximumSize(256).build();
  private final SingleFlight<String, Live> revalidating = new SingleFlight<>();
  /** Per {@code repo/root}, in memory: after a restart the first round is an unconditional GET. */
  private final ConcurrentMap<String, Validators> validators = new ConcurrentHashMap<>();

  public Roots(Storage storage, PoliteUpstream client, Clock clock, Duration headerTimeout, boolean globallyOffline,
      Executor fetchExecutor, Misses misses, RootFreshness freshness) {
    this.misses = misses;
    this.freshness = freshness;
    this.storage = storage;
    this.client = client;
    this.clock = clock;
    this.headerTimeout = headerTimeout;
    this.globallyOffline = globallyOffline;
    this.fetchExecutor = fetchExecutor;
  }

  public boolean offline(SignedRepository r) {
    return globallyOffline || r.config().offline();
  }

  /** Which switch makes {@code r} offline, for a 503's reason. */
  public String offlineSwitch(SignedRepository r) {
    return FetchException.offlineSwitch(globallyOffline, r.name());
  }

  /**
   * The live root: the stored copy while younger than root-ttl (or whenever the upstream cannot be
   * asked or fails), else a revalidation. {@code force} skips the stored copy (NO_GENERATION at T).
   */
  public Live liveBlocking(SignedRepository r, String root, boolean force) throws IOException {
    Optional<Ref> ref = storage.refs().get(r.name(), root);
    boolean stored = ref.isPresent() && storage.blobs().stat(ref.get().digest()).isPresent();
    if (stored) {
      boolean fresh = ref.get().seenAt().plus(r.config().rootTtl()).isAfter(clock.instant());
      if (offline(r) || (fresh && !force)) {
        return loadLiveBlocking(r, root, ref.get().digest());
      }
    } else if (offline(r)) {
      // The request that needed this root names itself in front ({@link FetchException#naming}).
      throw new FetchException(FetchException.Kind.OFFLINE, "root index " + r.name() + "/" + root
          + " (live) was never fetched, and " + offlineSwitch(r));
    }
    try {
      return revalidate(r, root, false).join();
    } catch (RuntimeException e) {
      FetchException f = FetchException.of(e, new FetchRequest(r.config(), root));
      boolean upstreamTrouble = f.kind() == FetchException.Kind.UPSTREAM_STATUS
          || f.kind() == FetchException.Kind.UPSTREAM_UNREACHABLE || f.kind() == FetchException.Kind.UPSTREAM_TIMEOUT;
      if (stored && upstreamTrouble) {
        log.warn("root {}/{}: {}; serving the stored copy", r.name(), escape(root), escape(f.getMessage()));
        return loadLiveBlocking(r, root, ref.get().digest());
      }
      throw f;
    }
  }

  /**
   * The {@link dev.reprox.pinning.LiveSource}: one upstream round now, shared with any revalidation
   * of the root already under way, recorded as a live observation. Unlike {@link #liveBlocking} a
   * failure is thrown, not answered with the stored copy: the resolver notes it in its reason.
   */
  public void revalidateNowBlocking(SignedRepository r, String root) throws IOException {
    revalidateBlocking(r, root, false);
  }

  /**
   * The watch's round for one root: as {@link #revalidateNowBlocking}, but conditional when the
   * stored live bytes are the ones the upstream's validators came with, so an unchanged root
   * costs the upstream a 304 ({@link #notModifiedBlocking}).
   */
  public Live watchBlocking(SignedRepository r, String root) throws IOException {
    return revalidateBlocking(r, root, true);
  }

  private Live revalidateBlocking(SignedRepository r, String root, boolean conditional) throws IOException {
    if (offline(r)) {
      throw new FetchException(FetchException.Kind.OFFLINE, "not fetched, because " + offlineSwitch(r));
    }
    try {
      return revalidate(r, root, conditional).join();
    } catch (RuntimeException e) {
      throw FetchException.of(e, new FetchRequest(r.config(), root));
    }
  }

  /** One upstream round per root at a time; everyone asking meanwhile shares its answer. */
  private CompletableFuture<Live> revalidate(SignedRepository r, String root, boolean conditional) {
    return revalidating.run(r.name() + '/' + root, () -> {
      CompletableFuture<Live> round = new CompletableFuture<>();
      fetchExecutor.execute(() -> {
        try {
          round.complete(fetchVerifyRecord(r, root, r.config().upstream(), clock.instant(), Observation.Source.LIVE,
              conditional));
        } catch (Throwable t) {
          round.completeExceptionally(t);
        }
      });
      return round;
    });
  }

  /** The {@link dev.reprox.pinning.SnapshotSource}: {@code <snapshot><T>/<root>}, recorded at T. */
  public boolean snapshotBlocking(SignedRepository r, String root, Instant t) throws IOException {
    Optional<URI> base = r.snapshotBase(t);
    if (base.isEmpty()) {
      return false;
    }
    if (offline(r)) {
      // Thrown, not "no answer": the resolver puts this in its reason, so a 503 says it was never asked.
      throw new FetchException(FetchException.Kind.OFFLINE, "not asked, because " + offlineSwitch(r));
    }
    fetchVerifyRecord(r, root, base.get(), t, Observation.Source.SNAPSHOT_SERVER, false);
    return true;
  }

  private Live fetchVerifyRecord(SignedRepository r, String root, URI base, Instant fetchedAt,
      Observation.Source source, boolean conditional) throws IOException {
    String signaturePath = detachedSignature(r, root);
    Validators held = conditional ? heldValidators(r, root) : null;
    Answer answer = getBlocking(r, base, root, held);
    if (answer.status() == 304) {
      return notModifiedBlocking(r, root, signaturePath, held.digest(), fetchedAt);
    }
    byte[] bytes = answer.body();
    byte[] signature = signaturePath == null ? null : getBlocking(r, base, signaturePath, null).body();
    // An index without a usable time (Wolfi's 1970 mtimes) is dated by the start of this fetch,
    // whole seconds like every T: the bytes were current then, and a request at T in the second
    // that caused the fetch must find this generation at or before T. The store keeps the first
    // observation's time, and only that stored time is shown from then on (see loadBlocking).
    RootIndex index = verify(r, root, bytes, signature).withEstimate(fetchedAt.truncatedTo(ChronoUnit.SECONDS));
    Digest digest = put(bytes, index.digest());
    Digest sigDigest = signature == null ? null : put(signature, Digest.compute(signature));
    Instant now = clock.instant();
    if (sigDigest != null) {
      storage.refs().put(new Ref(r.name(), signatureRef(root, digest), sigDigest, now));
    }
    if (source == Observation.Source.LIVE) {
      // The live pointers; a snapshot answer for T says nothing about what is live now.
      storage.refs().put(new Ref(r.name(), root, digest, now));
      if (sigDigest != null) {
        storage.refs().put(new Ref(r.name(), signaturePath, sigDigest, now));
      }
    }
    Generation g = storage.observations().record(index.observation(r.name(), fetchedAt, source));
    index = index.withEstimate(g.publishedAt());
    parsed.put(digest, index);
    if (source == Observation.Source.LIVE) {
      freshness.succeeded(r.name(), root, now);
      if (answer.etag() != null || answer.lastModified() != null) {
        validators.put(r.name() + '/' + root, new Validators(digest, answer.etag(), answer.lastModified()));
      } else {
        validators.remove(r.name() + '/' + root);
      }
    }
    log.info("root {}/{}: {} published {} ({}, {})", r.name(), escape(root), digest, index.publishedAt(), source,
        index.verified() ? "signed by " + index.signer() : "unverified");
    return new Live(index, sigDigest, true);
  }

  /**
   * The validators to send for {@code root}: only when the live ref still names the bytes they
   * came with and those bytes are stored (verified at their fetch), else null (a plain GET).
   */
  private Validators heldValidators(SignedRepository r, String root) throws IOException {
    Validators v = validators.get(r.name() + '/' + root);
    if (v == null) {
      return null;
    }
    Optional<Ref> ref = storage.refs().get(r.name(), root);
    boolean held = ref.isPresent() && ref.get().digest().equals(v.digest())
        && storage.blobs().stat(v.digest()).isPresent();
    return held ? v : null;
  }

  /**
   * A 304 to our conditional GET: the upstream still serves the bytes {@code digest}, which we hold
   * verified. That is an observation of that generation now (decisions.md, "A 304 is an
   * observation"): the stored copy is parsed and checked again (or taken from the cache of parsed
   * roots, which holds only verified ones), recorded, and the live pointers are refreshed.
   */
  private Live notModifiedBlocking(SignedRepository r, String root, String signaturePath, Digest digest,
      Instant fetchedAt) throws IOException {
    RootIndex index = loadBlocking(r, root, digest);
    Digest sigDigest = signatureOf(r, root, digest).orElse(null);
    Instant now = clock.instant();
    storage.refs().put(new Ref(r.name(), root, digest, now));
    if (sigDigest != null && signaturePath != null) {
      storage.refs().put(new Ref(r.name(), signaturePath, sigDigest, now));
    }
    storage.observations().record(index.observation(r.name(), fetchedAt, Observation.Source.LIVE));
    freshness.succeeded(r.name(), root, now);
    log.debug("root {}/{}: {} not modified (304), observed", r.name(), escape(root), digest);
    return new Live(index, sigDigest, true);
  }

  /** The stored live root {@code digest}, parsed (cached). */
  public Live loadLiveBlocking(SignedRepository r, String root, Digest digest) throws IOException {
    RootIndex index = loadBlocking(r, root, digest);
    return new Live(index, signatureOf(r, root, digest).orElse(null), false);
  }

  /**
   * {@link #loadBlocking}, but a generation whose stored blob vanished (a damaged store, a blob
   * deleted by hand: its refs and observations still name it) is fetched again rather than failed:
   * one live round (which restores it while the upstream still serves it), then the snapshot
   * server at {@code t}. Both verify the bytes before storing them; the digest must match, so no
   * other generation is ever answered in its place. Neither serving it is a 404 naming the loss.
   */
  public RootIndex loadOrRefetchBlocking(SignedRepository r, String root, Digest digest, Optional<Instant> t)
      throws IOException {
    try {
      return loadBlocking(r, root, digest);
    } catch (BlobNotFoundException gone) {
      log.warn("root {}/{}: stored generation {} vanished ({}); fetching it again", r.name(), escape(root), digest,
          escape(gone.getMessage()));
      if (offline(r)) {
        throw new FetchException(FetchException.Kind.OFFLINE, "root index " + r.name() + "/" + root + " generation "
            + digest + " vanished from the store, and " + offlineSwitch(r), gone);
      }
      List<String> tried = new ArrayList<>();
      try {
        revalidateBlocking(r, root, false);
      } catch (FetchException e) {
        tried.add(e.getMessage());
      }
      if (storage.blobs().stat(digest).isEmpty() && t.isPresent()) {
        try {
          snapshotBlocking(r, root, t.get());
        } catch (FetchException e) {
          tried.add(e.getMessage());
        }
      }
      if (storage.blobs().stat(digest).isEmpty()) {
        throw new FetchException(FetchException.Kind.NOT_FOUND, "load root " + r.name() + "/" + root + " " + digest
            + ": its blob vanished from the store and no source serves that generation any more"
            + (tried.isEmpty() ? "" : " (" + String.join("; ", tried) + ")"), "No generation known at T");
      }
      return loadBlocking(r, root, digest);
    }
  }

  /** The generation {@code digest} of {@code root}, re-verified from the store when not cached. */
  public RootIndex loadBlocking(SignedRepository r, String root, Digest digest) throws IOException {
    RootIndex cached = parsed.getIfPresent(digest);
    if (cached != null) {
      return cached;
    }
    byte[] bytes = readBlocking(digest, r.name() + "/" + root);
    byte[] signature = null;
    if (detachedSignature(r, root) != null) {
      Optional<Digest> sig = signatureOf(r, root, digest);
      if (sig.isEmpty()) {
        throw new FetchException(FetchException.Kind.STORAGE, "load root " + r.name() + "/" + root + " " + digest
            + ": its detached signature is not stored");
      }
      signature = readBlocking(sig.get(), r.name() + "/" + root + " signature");
    }
    RootIndex index = verify(r, root, bytes, signature);
    if (index.publishedEstimated()) {
      // Parsing dates it by the clock now; what was decided at its first fetch is stored.
      Optional<Generation> g = storage.observations().byDigest(r.name(), root, digest);
      if (g.isPresent()) {
        index = index.withEstimate(g.get().publishedAt());
      }
    }
    parsed.put(digest, index);
    return index;
  }

  /** The stored detached signature of the generation {@code digest} of {@code root}. */
  public Optional<Digest> signatureOf(SignedRepository r, String root, Digest digest) throws IOException {
    return storage.refs().get(r.name(), signatureRef(root, digest)).map(Ref::digest);
  }

  public static String signatureRef(String root, Digest digest) {
    return "-/signature/" + root + "/" + digest.hex();
  }

  /** The signature path when {@code root} is the detached root of its group, else null. */
  public static String detachedSignature(SignedRepository r, String root) {
    Optional<RootGroup> group = r.format().rootGroup(root);
    if (group.isPresent() && group.get().detached().filter(root::equals).isPresent()) {
      return group.get().signature().orElseThrow();
    }
    return null;
  }

  private RootIndex verify(SignedRepository r, String root, byte[] bytes, byte[] signature) {
    FetchException failed;
    try {
      return r.format().verifyRoot(root, bytes, signature);
    } catch (SignatureInvalidException e) {
      failed = new FetchException(FetchException.Kind.INTEGRITY, "verify root " + r.name() + "/" + root + ": "
          + e.kind().name().toLowerCase(java.util.Locale.ROOT) + ": " + e.getMessage() + "; not recorded", e);
    } catch (IndexParseException e) {
      failed = new FetchException(FetchException.Kind.INTEGRITY, "verify root " + r.name() + "/" + root
          + ": malformed: " + e.getMessage() + "; not recorded", e);
    }
    log.warn("integrity: {}", escape(failed.getMessage()));
    throw failed;
  }

  private Digest put(byte[] bytes, Digest expected) throws IOException {
    try (BlobWriter w = storage.blobs().newWriter()) {
      w.write(ByteBuffer.wrap(bytes));
      BlobInfo info = w.commit(expected, bytes.length);
      return info.digest();
    }
  }

  public byte[] readBlocking(Digest digest, String what) throws IOException {
    return readRoot(storage, digest, what);
  }

  /** The stored root or signature {@code digest}, whole (at most {@link BoundedBytes#ROOT_LIMIT}). */
  static byte[] readRoot(Storage storage, Digest digest, String what) throws IOException {
    try (BlobReader reader = storage.blobs().open(digest)) {
      if (reader.size() > BoundedBytes.ROOT_LIMIT) {
        throw new IOException("read " + what + ": " + reader.size() + " bytes is too large for a root");
      }
      ByteBuffer buf = ByteBuffer.allocate((int) reader.size());
      while (buf.hasRemaining()) {
        if (reader.read(buf.position(), buf) < 0) {
          throw new IOException("read " + what + ": blob " + digest + " ended early");
        }
      }
      return buf.array();
    }
  }

  private Answer getBlocking(SignedRepository r, URI base, String path, Validators conditional) throws IOException {
    FetchRequest request = new FetchRequest(r.config(), path).from(base);
    URI uri = UpstreamFetcher.upstreamUri(request);
    Optional<FetchException> remembered = misses.remembered(r.config(), uri);
    if (remembered.isPresent()) {
      throw remembered.get();
    }
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri).GET().timeout(headerTimeout)
        .header("User-Agent", "reprox/0.1");
    if (conditional != null && conditional.etag() != null) {
      builder.header("If-None-Match", conditional.etag());
    }
    if (conditional != null && conditional.lastModified() != null) {
      builder.header("If-Modified-Since", conditional.lastModified());
    }
    HttpRequest get = builder.build();
    HttpResponse<byte[]> response;
    try {
      response = client.send(get, info -> info.statusCode() == 200
          ? new BoundedBytes(BoundedBytes.ROOT_LIMIT, uri.toString())
          : HttpResponse.BodySubscribers.replacing(null)).get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw PoliteUpstreams.failure("fetch root " + r.name() + "/" + path, uri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FetchException(FetchException.Kind.UPSTREAM_UNREACHABLE, "fetch root " + r.name() + "/" + path
          + ": interrupted", e);
    }
    int status = response.statusCode();
    if (status == 404 || status == 410) {
      FetchException missing = new FetchException(FetchException.Kind.NOT_FOUND, "fetch root " + r.name() + "/" + path
          + ": " + uri + " answered " + status);
      misses.remember(r.config(), uri, missing.getMessage());
      throw missing;
    }
    if (status == 304 && conditional != null) {
      return new Answer(304, null, null, null);
    }
    if (status != 200) {
      throw new FetchException(FetchException.Kind.UPSTREAM_STATUS, "fetch root " + r.name() + "/" + path + ": "
          + uri + " answered " + status);
    }
    return new Answer(200, response.body(), response.headers().firstValue("ETag").orElse(null),
        response.headers().firstValue("Last-Modified").orElse(null));
  }
}
