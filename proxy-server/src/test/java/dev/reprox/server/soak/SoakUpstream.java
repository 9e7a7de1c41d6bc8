package dev.reprox.server.soak;

import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.apt.DebPackage;
import dev.reprox.testkit.http.StaticServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A signed apt repository (testkit) served statically, that grows: each {@link #publish} adds new
 * packages and signs a new generation dated now, so the load always has files nobody fetched yet.
 * Packages are only ever added, so a pool path keeps its bytes and every generation's packages
 * stay in the newest one. A generation becomes {@linkplain #visible() visible} to the load a few
 * seconds after it is published (the soak also "updates" through reprox before letting the load
 * on, see {@code SoakLoad#update}).
 */
final class SoakUpstream implements AutoCloseable {
  /** Past the root TTL of 1 s, so pinned T's of a visible generation are in the past. */
  static final long VISIBLE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(3);
  static final String ROOT = "dists/stable/InRelease";
  static final String LISTING = "dists/stable/main/binary-amd64/Packages.xz";

  /** A generation, the T that pins it (one second after its date) and the packages it added. */
  record Published(AptGeneration generation, Instant pinAt, long visibleAtNanos, List<AptGeneration.BuiltDeb> added) {}

  private final AptRepoBuilder repo;
  private final StaticServer server;
  private final Path keyring;
  private final List<Published> published = new CopyOnWriteArrayList<>();
  private final Set<String> roots = ConcurrentHashMap.newKeySet();
  private final Set<String> listings = ConcurrentHashMap.newKeySet();
  private int packages;

  SoakUpstream(Path dir, int initialPackages) {
    repo = AptRepoBuilder.in(dir.resolve("repo"));
    keyring = repo.writeKeyring(dir.resolve("soak.gpg"));
    publish(initialPackages);
    server = StaticServer.serve(repo.root());
  }

  URI base() {
    return server.baseUri();
  }

  Path keyring() {
    return keyring;
  }

  /**
   * Adds {@code n} packages (2-128 KiB of incompressible payload each, sizes varying) and
   * publishes a generation dated now (at least a second after the last one).
   */
  synchronized Published publish(int n) {
    Instant date = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    if (!published.isEmpty() && !date.isAfter(last().generation().date())) {
      date = last().generation().date().plusSeconds(1);
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int k = packages++;
      String name = "soak" + k;
      repo.add(DebPackage.of(name, "1.0").withPayloadSize(2048 + (k * 37 % 126) * 1024));
      names.add(name);
    }
    AptGeneration g = repo.date(date).publish();
    roots.add(g.inReleaseSha256());
    listings.add(g.file(LISTING).sha256());
    Published p = new Published(g, date.plusSeconds(1), System.nanoTime() + VISIBLE_AFTER_NANOS,
        names.stream().map(g::deb).toList());
    published.add(p);
    return p;
  }

  Published last() {
    return published.get(published.size() - 1);
  }

  /** Generations old enough for the load, oldest first. */
  List<Published> visible() {
    long now = System.nanoTime();
    return published.stream().filter(p -> now - p.visibleAtNanos() >= 0).toList();
  }

  List<Published> all() {
    return List.copyOf(published);
  }

  /**
   * Whether {@code sha256} is the InRelease of a published generation. A miss is checked again
   * under the publisher's lock: the files of a generation are on disk a moment before it is listed.
   */
  boolean isRoot(String sha256) {
    if (roots.contains(sha256)) {
      return true;
    }
    synchronized (this) {
      return roots.contains(sha256);
    }
  }

  /** As {@link #isRoot}, for Packages.xz. */
  boolean isListing(String sha256) {
    if (listings.contains(sha256)) {
      return true;
    }
    synchronized (this) {
      return listings.contains(sha256);
    }
  }

  int requests() {
    return server.requests().size();
  }

  @Override
  public void close() {
    server.close();
  }
}
