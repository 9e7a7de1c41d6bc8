package dev.reprox.server.gc;

import dev.reprox.config.RetentionConfig;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.RootIndex;
import dev.reprox.server.trust.StoredRoots;
import dev.reprox.storage.Alias;
import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Generation;
import dev.reprox.storage.Pin;
import dev.reprox.storage.Ref;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code reprox gc}: marks from the roots (every {@link RootProvider}, the current generation of
 * every root, and the generations the retention window keeps), then sweeps the rest — generations,
 * listings' path entries, refs, blobs, aliases — and has the store give the space back
 * (docs/DESIGN.md §4a). Safe beside a serving store: nothing created or read since the collection
 * started is swept, a generation is re-checked against the pins just before it goes, and a blob
 * being read when it is deleted is read to its end ({@link dev.reprox.storage.BlobStore#delete}).
 * Every step leaves a consistent store, so a collection killed midway is finished by the next one.
 *
 * <p>Long on purpose: mark and sweep share the kept sets and the order of the sweep is the
 * safety argument above; split apart, that order would have to be re-read across files.
 */
public final class Collector {
  private final Storage storage;
  private final Clock clock;
  private final RetentionConfig retention;
  private final StoredRoots roots;
  private final List<RootProvider> providers;
  private final boolean dryRun;
  private final Path diskDirectory;
  private final Consumer<String> out;
  private final Runnable beforeSweep;

  private Collector(Builder b) {
    this.storage = Objects.requireNonNull(b.storage, "storage");
    this.clock = Objects.requireNonNull(b.clock, "clock");
    this.retention = Objects.requireNonNull(b.retention, "retention");
    this.roots = Objects.requireNonNull(b.roots, "roots");
    this.providers = List.copyOf(b.providers);
    this.dryRun = b.dryRun;
    this.diskDirectory = b.diskDirectory;
    this.out = b.out;
    this.beforeSweep = b.beforeSweep;
  }

  public static Builder builder() {
    return new Builder();
  }

  private record GenKey(String repo, String root, Digest digest) {}

  /** Everything marked so far. */
  private final class Marks {
    final Set<Digest> blobs = new HashSet<>();
    final Map<String, Set<Digest>> listings = new HashMap<>();
    final Set<GenKey> generations = new HashSet<>();
    final Map<Digest, Long> sizes = new HashMap<>();
    long bytes;

    void blob(Digest d) throws IOException {
      if (d != null && blobs.add(d)) {
        bytes += size(d);
      }
    }

    long size(Digest d) throws IOException {
      Long s = sizes.get(d);
      if (s == null) {
        s = storage.blobs().stat(d).map(BlobInfo::size).orElse(0L);
        sizes.put(d, s);
      }
      return s;
    }

    Set<Digest> listingsOf(String repo) {
      return listings.computeIfAbsent(repo, k -> new HashSet<>());
    }
  }

  /** Runs one collection; a dry run marks and counts but deletes nothing. */
  public GcReport run() throws IOException {
    Instant started = clock.instant();
    long t0 = System.nanoTime();
    long diskBefore = dryRun ? -1 : diskBytes();
    List<String> unknown = new ArrayList<>();
    for (String repo : storage.observations().repos()) {
      if (!roots.knows(repo)) {
        unknown.add(repo);
      }
    }
    if (!unknown.isEmpty()) {
      // Without its format the chain of a generation cannot be read, so nothing it names could be kept.
      throw new IOException("gc: the store holds repositories the configuration does not define: "
          + String.join(", ", unknown) + "; give the configuration that recorded them (--config)");
    }

    // Roots: what providers need, the current generation of every root, the retention window.
    Set<GenKey> needed = new HashSet<>();
    Set<Digest> neededBlobs = new HashSet<>();
    for (RootProvider p : providers) {
      p.roots(storage, new RootProvider.Sink() {
        @Override
        public void generation(String repo, String root, Digest digest) {
          needed.add(new GenKey(repo, root, digest));
        }

        @Override
        public void blob(Digest digest) {
          neededBlobs.add(digest);
        }
      });
    }
    Map<GenKey, Generation> all = new HashMap<>();
    List<Generation> window = new ArrayList<>();
    for (String repo : storage.observations().repos()) {
      Instant since = started.minus(retention.keepFor(repo));
      for (String root : storage.observations().roots(repo)) {
        List<Generation> gens = storage.observations().generations(repo, root);
        for (Generation g : gens) {
          all.put(key(g), g);
        }
        if (!gens.isEmpty()) {
          needed.add(key(gens.get(gens.size() - 1))); // what the root says now: live requests need it
        }
        for (Generation g : gens) {
          if (!needed.contains(key(g)) && !g.lastFetchedAt().isBefore(since)) {
            window.add(g);
          }
        }
      }
    }

    Marks marks = new Marks();
    for (Digest d : neededBlobs) {
      marks.blob(d);
    }
    for (GenKey k : needed) {
      if (all.containsKey(k)) {
        markGeneration(marks, k);
      }
    }
    for (String repo : marks.listings.keySet()) {
      markEntries(marks, repo, marks.listingsOf(repo));
    }
    // The window: newest first, so that over max-size the oldest are the ones left out.
    window.sort(Comparator.comparing(Generation::lastFetchedAt).reversed());
    long cap = retention.maxSize().orElse(Long.MAX_VALUE);
    if (retention.maxSize().isEmpty()) {
      for (Generation g : window) {
        markGeneration(marks, key(g));
      }
      for (String repo : marks.listings.keySet()) {
        markEntries(marks, repo, marks.listingsOf(repo));
      }
    } else {
      // One generation at a time (a path index scan each): slower, but the cap is exact.
      for (Generation g : window) {
        Marks trial = copy(marks);
        markGeneration(trial, key(g));
        markEntries(trial, g.repo(), trial.listingsOf(g.repo()));
        if (trial.bytes > cap) {
          out.accept("gc: max-size " + cap + " bytes reached: generations last seen before "
              + g.lastFetchedAt() + " are not kept for their age");
          break;
        }
        adopt(marks, trial);
      }
    }
    // Refs: those seen within the window keep their blob; the rest stay only if their blob is kept.
    List<Ref> doomedRefs = new ArrayList<>();
    storage.refs().forEach(ref -> {
      if (!ref.seenAt().isBefore(started.minus(retention.keepFor(ref.repo())))) {
        marks.blob(ref.digest());
      }
    });
    storage.refs().forEach(ref -> {
      if (!marks.blobs.contains(ref.digest())) {
        doomedRefs.add(ref);
      }
    });

    beforeSweep.run();

    // Sweep. Generations first: a crash after this step leaves blobs nothing names, for next time.
    long generations = 0;
    Map<String, Set<Digest>> pinnedNow = new HashMap<>(); // per repo and root, read once, after the mark
    List<GenKey> spared = new ArrayList<>();
    for (Generation g : all.values()) {
      GenKey k = key(g);
      if (marks.generations.contains(k)) {
        continue;
      }
      String rr = g.repo() + "\n" + g.root();
      Set<Digest> pinned = pinnedNow.get(rr);
      if (pinned == null) {
        pinned = new HashSet<>();
        for (Pin p : storage.pins().list(g.repo())) {
          if (p.root().equals(g.root())) {
            pinned.add(p.generation());
          }
        }
        pinnedNow.put(rr, pinned);
      }
      if (pinned.contains(g.digest())) {
        spared.add(k); // pinned since the mark: it keeps its chain, marked below
        continue;
      }
      out.accept((dryRun ? "would delete" : "delete") + " generation " + g.repo() + " " + g.root() + " "
          + g.digest() + " published " + g.publishedAt() + " last seen " + g.lastFetchedAt());
      generations++;
      if (!dryRun) {
        storage.observations().delete(g.repo(), g.root(), g.digest());
      }
    }
    // Generations recorded since the mark, and those pinned since, keep what they name.
    for (String repo : storage.observations().repos()) {
      for (String root : storage.observations().roots(repo)) {
        for (Generation g : storage.observations().generations(repo, root)) {
          if (!all.containsKey(key(g))) {
            spared.add(key(g));
          }
        }
      }
    }
    for (GenKey k : spared) {
      if (!marks.generations.contains(k)) {
        Set<Digest> before = new HashSet<>(marks.listingsOf(k.repo()));
        markGeneration(marks, k);
        Set<Digest> added = new HashSet<>(marks.listingsOf(k.repo()));
        added.removeAll(before);
        markEntries(marks, k.repo(), added);
      }
    }
    long pathEntries = 0;
    for (Map.Entry<String, Set<Digest>> e : seenListings.entrySet()) {
      Set<Digest> kept = marks.listingsOf(e.getKey());
      Set<Digest> seen = e.getValue();
      if (dryRun) {
        long[] n = {0};
        storage.paths().forEach(e.getKey(), pe -> {
          if (seen.contains(pe.listing()) && !kept.contains(pe.listing())) {
            n[0]++;
          }
        });
        pathEntries += n[0];
      } else {
        pathEntries += storage.paths().deleteListings(e.getKey(), l -> seen.contains(l) && !kept.contains(l));
      }
    }
    long refs = 0;
    for (Ref r : doomedRefs) {
      Optional<Ref> now = storage.refs().get(r.repo(), r.path());
      if (now.isPresent() && now.get().equals(r)) {
        refs++;
        if (!dryRun) {
          storage.refs().delete(r.repo(), r.path());
        }
      }
    }
    long[] blobs = {0, 0, 0, 0};
    storage.blobs().forEach(info -> {
      if (marks.blobs.contains(info.digest())) {
        blobs[2]++;
        blobs[3] += info.size();
        return;
      }
      if (info.created().isAfter(started.minus(YOUNG)) || !info.lastAccess().isBefore(started)) {
        return; // stored lately or read since the collection started: someone wants it
      }
      out.accept((dryRun ? "would delete" : "delete") + " blob " + info.digest() + " " + info.size() + " bytes");
      if (dryRun || storage.blobs().delete(info.digest())) {
        blobs[0]++;
        blobs[1] += info.size();
      }
    });
    long aliases = 0;
    for (Alias.Kind kind : Alias.Kind.values()) {
      List<Alias> dangling = new ArrayList<>();
      storage.aliases().forEach(kind, (alias, target) -> {
        if (storage.blobs().stat(target).isEmpty()
            || (dryRun && !marks.blobs.contains(target) && wouldGo(target, started))) {
          dangling.add(alias);
        }
      });
      for (Alias a : dangling) {
        aliases++;
        if (!dryRun) {
          storage.aliases().delete(a);
        }
      }
    }
    if (!dryRun && blobs[0] > 0) {
      out.accept("gc: " + storage.reclaimSpace());
    }
    long diskAfter = dryRun ? -1 : diskBytes();
    return new GcReport(dryRun, started, Duration.ofNanos(System.nanoTime() - t0), generations, pathEntries, refs,
        aliases, blobs[0], blobs[1], blobs[2], blobs[3], diskBefore, diskAfter);
  }

  /** Every listing digest seen in the path index while marking, per repository: the only ones swept. */
  private final Map<String, Set<Digest>> seenListings = new HashMap<>();

  private boolean wouldGo(Digest target, Instant started) throws IOException {
    Optional<BlobInfo> info = storage.blobs().stat(target);
    return info.isPresent() && !info.get().created().isAfter(started.minus(YOUNG))
        && info.get().lastAccess().isBefore(started);
  }

  /**
   * Blobs committed this recently are never swept: clients that joined a fill before its commit
   * (tails) read the committed blob without a reader of their own, for as long as their download
   * takes; an hour covers a slow 200 MB .deb.
   */
  static final Duration YOUNG = Duration.ofHours(1);

  private static GenKey key(Generation g) {
    return new GenKey(g.repo(), g.root(), g.digest());
  }

  /** The generation's own blob, its detached signature, and every file its root names that is stored. */
  private void markGeneration(Marks marks, GenKey k) throws IOException {
    if (!marks.generations.add(k)) {
      return;
    }
    marks.blob(k.digest());
    marks.listingsOf(k.repo()).add(k.digest()); // an APKINDEX is its own listing
    Optional<Ref> sig = storage.refs().get(k.repo(), StoredRoots.signatureRef(k.root(), k.digest()));
    if (sig.isPresent()) {
      marks.blob(sig.get().digest());
    }
    if (storage.blobs().stat(k.digest()).isEmpty()) {
      return; // the root's bytes are gone (an earlier, interrupted collection): nothing to read
    }
    RootIndex index = roots.read(storage, k.repo(), k.root(), k.digest());
    for (ListedFile f : index.files().values()) {
      if (f.sha256() != null) {
        marks.listingsOf(k.repo()).add(f.sha256());
        if (storage.blobs().stat(f.sha256()).isPresent()) {
          marks.blob(f.sha256());
        }
      }
      for (Alias a : f.aliases()) {
        Optional<Digest> d = storage.aliases().resolve(a);
        if (d.isPresent()) {
          marks.listingsOf(k.repo()).add(d.get());
          if (storage.blobs().stat(d.get()).isPresent()) {
            marks.blob(d.get());
          }
        }
      }
    }
  }

  /** Marks every stored file the listings {@code listings} of {@code repo} name. */
  private void markEntries(Marks marks, String repo, Set<Digest> listings) throws IOException {
    Set<Digest> seen = seenListings.computeIfAbsent(repo, k -> new HashSet<>());
    // Marked as they come (the visitor may read the store: entries arrive in pages): a year of
    // Debian generations names millions of entries, which must not be held at once.
    storage.paths().forEach(repo, e -> {
      seen.add(e.listing());
      if (listings.contains(e.listing())) {
        Digest d = e.expected().sha256() != null ? e.expected().sha256()
            : storage.aliases().resolve(e.expected().alias()).orElse(null);
        if (d != null && !marks.blobs.contains(d) && storage.blobs().stat(d).isPresent()) {
          marks.blob(d);
        }
      }
    });
  }

  private Marks copy(Marks m) {
    Marks c = new Marks();
    c.blobs.addAll(m.blobs);
    m.listings.forEach((k, v) -> c.listings.put(k, new HashSet<>(v)));
    c.generations.addAll(m.generations);
    c.sizes.putAll(m.sizes);
    c.bytes = m.bytes;
    return c;
  }

  private static void adopt(Marks into, Marks from) {
    if (into == from) {
      return;
    }
    into.blobs.clear();
    into.blobs.addAll(from.blobs);
    into.listings.clear();
    into.listings.putAll(from.listings);
    into.generations.clear();
    into.generations.addAll(from.generations);
    into.sizes.putAll(from.sizes);
    into.bytes = from.bytes;
  }

  private long diskBytes() {
    if (diskDirectory == null || !Files.isDirectory(diskDirectory)) {
      return -1;
    }
    long[] sum = {0};
    try {
      Files.walkFileTree(diskDirectory, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          sum[0] += attrs.size();
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      return -1;
    }
    return sum[0];
  }

  /** Builds a {@link Collector}; storage, retention and roots are required. */
  public static final class Builder {
    private Storage storage;
    private Clock clock = Clock.systemUTC();
    private RetentionConfig retention;
    private StoredRoots roots;
    private final List<RootProvider> providers = new ArrayList<>(List.of(new PinRoots()));
    private boolean dryRun;
    private Path diskDirectory;
    private Consumer<String> out = line -> { };
    private Runnable beforeSweep = () -> { };

    private Builder() {}

    public Builder storage(Storage storage) {
      this.storage = storage;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public Builder retention(RetentionConfig retention) {
      this.retention = retention;
      return this;
    }

    public Builder roots(StoredRoots roots) {
      this.roots = roots;
      return this;
    }

    /** Another provider of roots besides the pins (build records, lockfiles). */
    public Builder provider(RootProvider provider) {
      providers.add(Objects.requireNonNull(provider, "provider"));
      return this;
    }

    public Builder dryRun(boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    /** The directory whose size is measured before and after (the data directory); none by default. */
    public Builder diskDirectory(Path dir) {
      this.diskDirectory = dir;
      return this;
    }

    /** Receives one line per thing deleted (or, in a dry run, that would be). */
    public Builder out(Consumer<String> out) {
      this.out = Objects.requireNonNull(out, "out");
      return this;
    }

    /** Test hook: runs between the mark and the sweep. */
    public Builder beforeSweep(Runnable hook) {
      this.beforeSweep = Objects.requireNonNull(hook, "hook");
      return this;
    }

    public Collector build() {
      return new Collector(this);
    }
  }
}
