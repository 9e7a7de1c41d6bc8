package dev.reprox.server.fetch;

import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.PathKind;
import dev.reprox.server.lock.AptNames;
import dev.reprox.server.trust.Generations;
import dev.reprox.server.trust.Trust;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import dev.reprox.storage.DigestMismatchException;
import dev.reprox.storage.PathEntry;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * One lockfile entry made present in the store (issue 11, {@code reprox prewarm}), through the
 * chain a client request takes: the root at T (resolved and pinned as for a client), the
 * generation's listings until one names the path, then the package, checked by the fill against
 * the signed listing. Before the package is fetched, what the signed listing promises is compared
 * with the lockfile's hash: a disagreement fetches and stores nothing. A package already stored
 * (its SHA-256 is a committed blob) is not fetched again, so a second run asks the upstream
 * nothing for it; a run killed half-way left no partial blob (a fill commits whole or not at
 * all), so a rerun fetches exactly what is missing. Over 250 lines: one chain (root, client
 * metadata, listings, package) whose steps share the entry's parameters.
 */
public final class Prewarm {
  /** What became of one entry; the CLI counts them in its summary. */
  public enum Outcome { STORED, PRESENT, NOT_FOUND, MISMATCH, UPSTREAM_FAILURE }

  /** {@code message} says why for anything but STORED and PRESENT. */
  public record Result(Outcome outcome, String message, String generation) {}

  private final Map<String, SignedRepository> repositories;
  private final Trust trust;
  private final Fetcher fetcher;
  private final Storage storage;
  private final Executor work;

  Prewarm(Map<String, SignedRepository> repositories, Trust trust, Fetcher fetcher, Storage storage,
      Executor work) {
    this.repositories = repositories;
    this.trust = trust;
    this.fetcher = fetcher;
    this.storage = storage;
    this.work = work;
  }

  /**
   * @param root the root index whose generation at {@code at} lists the package
   * @param generation the lockfile's digest of that generation, or null when it names none
   * @param sha256 the lockfile's hash of the package, or null when it gives only {@code q1}
   * @param q1 the lockfile's apk Q1 ({@code Q1<base64>}), or null
   * @param size the lockfile's size, or -1
   */
  CompletableFuture<Result> run(String repo, String root, Instant at, String path, Digest generation, Digest sha256,
      String q1, long size) {
    SignedRepository r = repositories.get(repo);
    if (r == null) {
      return CompletableFuture.completedFuture(new Result(Outcome.NOT_FOUND, "no signed repository " + repo
          + " is configured", null));
    }
    return CompletableFuture.supplyAsync(() -> {
      try {
        return prepare(r, root, at, path, generation, sha256, q1, size);
      } catch (IOException e) {
        throw new CompletionException(new FetchException(FetchException.Kind.STORAGE, e.getMessage(), e));
      }
    }, work).thenCompose(p -> p).exceptionally(e -> failure(FetchException.unwrap(e)));
  }

  /**
   * A {@code .buildinfo} entry: {@code name} at {@code version} of architecture {@code arch} (or
   * all) resolved in the Packages of the apt generation of {@code root} at {@code at} (those of
   * that architecture fetched first when missing, verified against the root like a client's), then
   * pre-warmed as {@link #run} with what the signed Packages says (path, SHA-256, size).
   */
  CompletableFuture<Result> runNamed(String repo, String root, Instant at, String name, String version, String arch) {
    SignedRepository r = repositories.get(repo);
    if (r == null || r.config().format() != dev.reprox.config.RepositoryConfig.Format.APT) {
      return CompletableFuture.completedFuture(new Result(Outcome.NOT_FOUND, r == null ? "no signed repository "
          + repo + " is configured" : repo + " is not an apt repository: only apt packages are resolved by name", null));
    }
    String what = name + ":" + arch + " (= " + version + ")";
    return CompletableFuture.supplyAsync(() -> {
      try {
        return trust.generation(r, root, Optional.of(at));
      } catch (IOException e) {
        throw new CompletionException(new FetchException(FetchException.Kind.STORAGE, e.getMessage(), e));
      }
    }, work).thenCompose(gen -> trust.generationListings().ensure(r, gen.index(), Optional.of(at),
        s -> s.listing().path().matches(".*/binary-(" + java.util.regex.Pattern.quote(arch) + "|all)/Packages[^/]*"))
        .thenApplyAsync(failed -> {
          try {
            return new Lookup(gen, failed, AptNames.find(storage, gen.index().digest(), name, version, arch));
          } catch (IOException e) {
            throw new CompletionException(new FetchException(FetchException.Kind.STORAGE, e.getMessage(), e));
          }
        }, work))
        .thenCompose(l -> {
          Generations.Gen gen = l.gen();
          int failed = l.failed();
          Optional<AptNames.Found> found = l.found();
          String genHex = gen.index().digest().toString();
          if (found.isEmpty()) {
            return failed > 0
                ? done(Outcome.UPSTREAM_FAILURE, what + ": not in the Packages of generation " + genHex + " of " + root
                    + " at " + at + " that could be had (" + failed + " of its " + arch + " Packages could not be"
                    + " fetched)", genHex)
                : done(Outcome.NOT_FOUND, what + ": not in the Packages of generation " + genHex + " of " + root
                    + " at " + at, genHex);
          }
          var f = found.get();
          return run(repo, root, at, f.path(), gen.index().digest(), Digest.sha256(f.sha256()), null, f.size());
        }).exceptionally(e -> failure(FetchException.unwrap(e)));
  }

  /** A name looked up in a generation's stored Packages; {@code failed} of them could not be had. */
  private record Lookup(Generations.Gen gen, int failed, Optional<AptNames.Found> found) {}

  private static Result failure(Throwable e) {
    if (e instanceof FetchException f) {
      return switch (f.kind()) {
        case NOT_FOUND -> new Result(Outcome.NOT_FOUND, f.getMessage(), null);
        default -> new Result(Outcome.UPSTREAM_FAILURE, f.kind().tag() + ": " + f.getMessage(), null);
      };
    }
    return new Result(Outcome.UPSTREAM_FAILURE, String.valueOf(e.getMessage()), null);
  }

  private CompletableFuture<Result> prepare(SignedRepository r, String root, Instant at, String path,
      Digest generation, Digest sha256, String q1, long size) throws IOException {
    Generations.Gen gen = trust.generation(r, root, Optional.of(at));
    String genHex = gen.index().digest().toString();
    if (generation != null && !generation.equals(gen.index().digest())) {
      return done(Outcome.MISMATCH, "the root " + root + " at " + at + " is generation " + gen.index().digest()
          + ", the lockfile says " + generation + "; nothing fetched", genHex);
    }
    Optional<Expectation> listed = expectation(r, gen, path);
    // The listings still to fetch only when no indexed one names the path: the common case of a
    // large lockfile (every listing indexed after its first entries) then costs no scan per entry.
    List<ListedFile> listings = listed.isPresent() ? List.of() : listings(r, gen, path);
    return clientMetadata(r, gen, at, r.format().clientMetadata(gen.index()), 0).thenCompose(missing -> {
      if (missing != null) {
        return done(Outcome.UPSTREAM_FAILURE, missing + " (named by " + root + " at " + at + ", which an offline"
            + " client needs) was not stored; the package was not fetched", genHex);
      }
      return findListed(r, gen, at, path, listed, listings, 0)
          .thenCompose(found -> fetchPackage(r, root, at, path, sha256, q1, size, gen, found));
    });
  }

  /** The package, once the listing that names it is known ({@code found}), unless present or disagreeing. */
  private CompletableFuture<Result> fetchPackage(SignedRepository r, String root, Instant at, String path,
      Digest sha256, String q1, long size, Generations.Gen gen, Optional<Expectation> found) {
    String genHex = gen.index().digest().toString();
    if (found.isEmpty()) {
      return done(Outcome.NOT_FOUND, "no listing of generation " + gen.index().digest() + " of " + root
          + " at " + at + " names " + path, genHex);
    }
    Expectation x = found.get();
    try {
      String mismatch = x.compare(sha256, q1, size, storage);
      if (mismatch != null) {
        return done(Outcome.MISMATCH, path + ": " + mismatch + "; nothing fetched", genHex);
      }
      Optional<Digest> known = x.sha256 != null ? Optional.of(x.sha256)
          : x.alias != null ? storage.aliases().resolve(x.alias) : Optional.empty();
      if (known.isPresent() && storage.blobs().stat(known.get()).isPresent()) {
        return done(Outcome.PRESENT, null, genHex);
      }
    } catch (IOException e) {
      throw new CompletionException(new FetchException(FetchException.Kind.STORAGE, e.getMessage(), e));
    }
    // The listing names it by another hash only (apk Q1, dnf sha1/sha512 pkgid): the lockfile's
    // SHA-256 goes into the fill's expectation beside it, so bytes it disagrees with are not stored.
    FetchRequest.Expected lockfile = x.sha256 == null && sha256 != null ? new FetchRequest.Expected(sha256, size)
        : null;
    return fetcher.fetch(new FetchRequest(r.config(), path, Optional.of(at), lockfile, null))
        .thenCompose(f -> f.settled().thenApply(v -> f))
        .thenApply(f -> {
          Optional<Digest> stored = f.digest();
          if (stored.isEmpty()) {
            Optional<IOException> refused = f.refused();
            if (lockfile != null && refused.isPresent() && refused.get() instanceof DigestMismatchException d
                && sha256.equals(d.expected())) {
              return new Result(Outcome.MISMATCH, path + ": the body the signed listing names by its "
                  + x.alias.kind() + " " + x.aliasText() + " is " + d.actual() + ", the lockfile says " + sha256
                  + "; nothing stored", genHex);
            }
            return new Result(Outcome.UPSTREAM_FAILURE, path + ": the fill did not complete"
                + refused.map(e -> " (" + e.getMessage() + ")").orElse(""), genHex);
          }
          if (sha256 != null && !sha256.equals(stored.get())) {
            // Only where the listing names the package by another hash (apk Q1 without one in the lockfile).
            return new Result(Outcome.MISMATCH, path + ": the signed listing's package is " + stored.get()
                + ", the lockfile says " + sha256, genHex);
          }
          return new Result(Outcome.STORED, null, genHex);
        });
  }

  /**
   * Stores, one after the other, the files of {@code files} (the root's {@link
   * dev.reprox.pinning.Format#clientMetadata}) not stored yet, through the byte chain at T as a
   * client's request (checked against the root); completes with null, or the first one that could
   * not be had. Stored files are not asked again, so a second run makes no upstream request.
   */
  private CompletableFuture<String> clientMetadata(SignedRepository r, Generations.Gen gen, Instant at,
      List<ListedFile> files, int i) throws IOException {
    while (i < files.size() && stored(files.get(i))) {
      i++;
    }
    if (i >= files.size()) {
      return CompletableFuture.completedFuture(null);
    }
    ListedFile f = files.get(i);
    int next = i + 1;
    return fetcher.fetch(new FetchRequest(r.config(), f.path(), Optional.of(at), null, null))
        .thenCompose(x -> {
          x.noReader();
          return x.settled();
        })
        .thenComposeAsync(v -> {
          try {
            return stored(f) ? clientMetadata(r, gen, at, files, next)
                : CompletableFuture.completedFuture(f.path());
          } catch (IOException e) {
            throw new CompletionException(new FetchException(FetchException.Kind.STORAGE, e.getMessage(), e));
          }
        }, work);
  }

  /** Whether {@code f}'s bytes are stored: by its SHA-256, else as the blob its alias was checked against. */
  private boolean stored(ListedFile f) throws IOException {
    Optional<Digest> digest = f.knownSha256(storage.aliases());
    return digest.isPresent() && storage.blobs().stat(digest.get()).isPresent();
  }

  private static CompletableFuture<Result> done(Outcome o, String message, String generation) {
    return CompletableFuture.completedFuture(new Result(o, message, generation));
  }

  /**
   * What the generation says {@code path} must be, from the root itself (apk) or an indexed
   * listing; otherwise fetches the next of {@code listings} (as a client at T would, so it is
   * verified against the root and indexed) and looks again.
   */
  private CompletableFuture<Optional<Expectation>> findListed(SignedRepository r, Generations.Gen gen, Instant at,
      String path, Optional<Expectation> known, List<ListedFile> listings, int i) {
    if (known.isPresent() || i >= listings.size()) {
      return CompletableFuture.completedFuture(known);
    }
    ListedFile l = listings.get(i);
    return fetcher.fetch(new FetchRequest(r.config(), l.path(), Optional.of(at), null, null))
        .thenCompose(f -> f.settled())
        .thenCompose(v -> trust.listings().settle(r, gen.index()))
        .thenComposeAsync(v -> {
          try {
            return findListed(r, gen, at, path, expectation(r, gen, path), listings, i + 1);
          } catch (IOException e) {
            throw new CompletionException(new FetchException(FetchException.Kind.STORAGE, e.getMessage(), e));
          }
        }, work);
  }

  private Optional<Expectation> expectation(SignedRepository r, Generations.Gen gen, String path)
      throws IOException {
    Optional<ListedFile> named = gen.index().lookup(path);
    if (named.isPresent()) {
      ListedFile f = named.get();
      return Optional.of(new Expectation(f.sha256(), f.aliases().isEmpty() ? null : f.aliases().get(0), f.size()));
    }
    Optional<PathEntry> e = gen.index().choose(storage.paths().lookup(r.name(), path), storage.aliases());
    return e.map(p -> new Expectation(p.expected().sha256(), p.expected().alias(), p.size()));
  }

  /**
   * The generation's listings not yet indexed, the likeliest first: of the package's architecture
   * (apt's {@code _<arch>.deb}), then compressed ones (one compression of a Packages is enough:
   * the others name the same files).
   */
  private List<ListedFile> listings(SignedRepository r, Generations.Gen gen, String path) throws IOException {
    String arch = path.endsWith(".deb") && path.lastIndexOf('_') > 0
        ? path.substring(path.lastIndexOf('_') + 1, path.length() - 4) : null;
    List<ListedFile> out = new ArrayList<>();
    for (ListedFile f : gen.index().files().values()) {
      if (r.format().classify(f.path()) != PathKind.LISTING) {
        continue;
      }
      Optional<Digest> digest = f.knownSha256(storage.aliases()); // dnf repomd.xml may name it by sha512 only
      if (digest.isEmpty() || !storage.paths().isIndexed(r.name(), digest.get())) {
        out.add(f);
      }
    }
    out.sort(Comparator.comparingInt((ListedFile f) -> arch != null && (f.path().contains("binary-" + arch + "/")
        || f.path().contains("binary-all/")) ? 0 : 1)
        .thenComparingInt(f -> f.path().endsWith(".xz") ? 0 : f.path().endsWith(".gz") ? 1 : 2)
        .thenComparing(ListedFile::path));
    // Several compressions of one listing: keep the first of each base name.
    List<ListedFile> unique = new ArrayList<>();
    java.util.Set<String> bases = new java.util.HashSet<>();
    for (ListedFile f : out) {
      if (bases.add(f.path().replaceAll("\\.(xz|gz|bz2|zst|lzma)$", ""))) {
        unique.add(f);
      }
    }
    return unique;
  }

  /** What a signed listing promises for a path. */
  private record Expectation(Digest sha256, Alias alias, long size) {
    /** The alias as its format writes it: apk's {@code Q1<base64>}, else hex. */
    String aliasText() {
      return alias.kind() == Alias.Kind.APK_Q1 ? "Q1" + java.util.Base64.getEncoder().encodeToString(alias.value())
          : alias.hex();
    }

    /** Null when the lockfile agrees (as far as both name the same hash), else both hashes. */
    String compare(Digest lockSha, String lockQ1, long lockSize, Storage storage) throws IOException {
      if (sha256 != null && lockSha != null && !sha256.equals(lockSha)) {
        return "the signed listing says " + sha256 + ", the lockfile says " + lockSha;
      }
      if (sha256 == null && alias != null) {
        if (alias.kind() == Alias.Kind.APK_Q1 && lockQ1 != null) {
          String listed = aliasText();
          if (!listed.equals(lockQ1)) {
            return "the signed listing says " + listed + ", the lockfile says " + lockQ1;
          }
        } else if (lockSha != null) {
          Optional<Digest> known = storage.aliases().resolve(alias);
          if (known.isPresent() && !known.get().equals(lockSha)) {
            return "the signed listing names " + known.get() + " (by its " + alias.kind() + "), the lockfile says "
                + lockSha;
          }
        }
      }
      if (lockSize >= 0 && size >= 0 && lockSize != size) {
        return "the signed listing says " + size + " bytes, the lockfile says " + lockSize;
      }
      return null;
    }
  }
}
