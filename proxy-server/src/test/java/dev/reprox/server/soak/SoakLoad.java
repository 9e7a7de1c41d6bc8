package dev.reprox.server.soak;

import dev.reprox.server.soak.SoakUpstream.Published;
import dev.reprox.testkit.apt.AptGeneration.BuiltDeb;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The request mix of one soak client, and the check of every answer: each body's sha256 must be
 * the one the fixture published for that path and T. Live roots and listings must be one of the
 * published generations; a pinned root must be the generation its T names, and the same bytes
 * every time it is asked for.
 */
final class SoakLoad {
  private static final DateTimeFormatter T = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** What a request is for; the mix weights add up to 100. */
  enum Kind {
    HIT(30), MISS(10), PINNED_PACKAGE(20), PINNED_ROOT(10), LIVE_ROOT(20), LIVE_LISTING(10);

    final int weight;

    Kind(int weight) {
      this.weight = weight;
    }
  }

  private final HttpClient client;
  private final String base;
  private final SoakUpstream upstream;
  final Map<Kind, AtomicLong> counts = new ConcurrentSkipListMap<>();
  final AtomicLong requests = new AtomicLong();
  final AtomicLong errors = new AtomicLong();
  final List<String> firstErrors = new CopyOnWriteArrayList<>();
  /** T → sha256 of the first pinned InRelease answered for it. */
  private final Map<Instant, String> pins = new ConcurrentHashMap<>();
  /** Packages fetched at least once: a MISS picks one of the newest that is not in here. */
  private final Map<String, Boolean> fetched = new ConcurrentHashMap<>();

  SoakLoad(HttpClient client, String base, SoakUpstream upstream) {
    this.client = client;
    this.base = base;
    this.upstream = upstream;
    for (Kind k : Kind.values()) {
      counts.put(k, new AtomicLong());
    }
  }

  /**
   * Like {@code apt-get update}, before the load may see generation {@code g}: the live InRelease
   * until reprox's root (TTL 1 s) has moved to {@code g}, then its Packages.xz. Reprox answers a
   * live pool path through the newest generation's listing only once that listing was fetched
   * (a pool path no fetched listing names is 404), which apt's order always satisfies.
   */
  void update(Published g) throws Exception {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (!sha256(get("soak/" + SoakUpstream.ROOT)).equals(g.generation().inReleaseSha256())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("reprox's live root did not move to the generation of " + g.generation().date());
      }
      java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(200));
    }
    String listing = sha256(get("soak/" + SoakUpstream.LISTING));
    if (!listing.equals(g.generation().file(SoakUpstream.LISTING).sha256())) {
      throw new AssertionError("live Packages.xz after the root moved to " + g.generation().date() + ": " + listing);
    }
  }

  private HttpResponse<byte[]> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(base + "/" + path)).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String sha256(HttpResponse<byte[]> r) throws Exception {
    if (r.statusCode() != 200) {
      throw new AssertionError(r.uri() + ": status " + r.statusCode() + ": " + new String(r.body(),
          java.nio.charset.StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(r.body()));
  }

  /** One request of a kind drawn by the weights. */
  void once(Random random) {
    int draw = random.nextInt(100);
    Kind kind = Kind.HIT;
    for (Kind k : Kind.values()) {
      if (draw < k.weight) {
        kind = k;
        break;
      }
      draw -= k.weight;
    }
    List<Published> visible = upstream.visible();
    Published g = visible.get(random.nextInt(visible.size()));
    switch (kind) {
      case HIT, MISS -> {
        BuiltDeb fresh = kind == Kind.MISS ? unfetched(visible) : null;
        // A HIT, or a MISS when every new package was fetched already: any package.
        BuiltDeb deb = fresh != null ? fresh : g.added().get(random.nextInt(g.added().size()));
        fetched.put(deb.poolPath(), true);
        check(kind, "soak/" + deb.poolPath(), sha -> sha.equals(deb.sha256()));
      }
      case PINNED_PACKAGE -> {
        BuiltDeb deb = g.generation().debs().get(random.nextInt(g.generation().debs().size()));
        check(kind, "soak/@" + T.format(g.pinAt()) + "/" + deb.poolPath(), sha -> sha.equals(deb.sha256()));
      }
      case PINNED_ROOT -> check(kind, "soak/@" + T.format(g.pinAt()) + "/" + SoakUpstream.ROOT,
          sha -> sha.equals(g.generation().inReleaseSha256()) && pins.computeIfAbsent(g.pinAt(), t -> sha).equals(sha));
      case LIVE_ROOT -> check(kind, "soak/" + SoakUpstream.ROOT, upstream::isRoot);
      case LIVE_LISTING -> check(kind, "soak/" + SoakUpstream.LISTING, upstream::isListing);
    }
  }

  private BuiltDeb unfetched(List<Published> visible) {
    for (int i = visible.size() - 1; i >= Math.max(0, visible.size() - 3); i--) {
      for (BuiltDeb deb : visible.get(i).added()) {
        if (!fetched.containsKey(deb.poolPath())) {
          return deb;
        }
      }
    }
    return null;
  }

  private interface Expect {
    boolean ok(String sha256);
  }

  private void check(Kind kind, String path, Expect expect) {
    counts.get(kind).incrementAndGet();
    requests.incrementAndGet();
    String problem;
    try {
      HttpResponse<byte[]> r = get(path);
      String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(r.body()));
      if (r.statusCode() != 200) {
        problem = "status " + r.statusCode() + ": " + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8).strip();
      } else if (!expect.ok(sha)) {
        problem = "unexpected sha256 " + sha;
      } else {
        return;
      }
    } catch (Exception e) {
      problem = e.toString();
    }
    errors.incrementAndGet();
    if (firstErrors.size() < 20) {
      firstErrors.add(kind + " " + path + ": " + problem);
    }
  }
}
