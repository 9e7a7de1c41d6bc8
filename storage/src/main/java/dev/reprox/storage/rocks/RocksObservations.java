package dev.reprox.storage.rocks;

import dev.reprox.storage.Digest;
import dev.reprox.storage.Generation;
import dev.reprox.storage.Observation;
import dev.reprox.storage.Observations;
import dev.reprox.storage.StorageException;
import dev.reprox.storage.internal.Generations;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Generations under 'O' (repo, root, publishedAt, digest): floor is one {@code seekForPrev}
 * bounded to the (repo, root) prefix; 'G' finds a generation's key from its digest.
 */
final class RocksObservations implements Observations {
  private final RocksResources rocks;

  RocksObservations(RocksResources rocks) {
    this.rocks = rocks;
  }

  @Override
  public synchronized Generation record(Observation o) throws IOException {
    String what = "record observation " + o.repo() + " " + o.root() + " " + o.digest();
    byte[] byDigest = Keys.generationByDigest(o.repo(), o.root(), o.digest());
    byte[] published = rocks.get(what, rocks.meta, byDigest);
    Instant publishedAt = published == null ? o.publishedAt() : Values.instant(published);
    byte[] key = Keys.observation(o.repo(), o.root(), publishedAt, o.digest());
    Generation existing = null;
    if (published != null) {
      byte[] v = rocks.get(what, rocks.meta, key);
      existing = v == null ? null : Values.generation(o.repo(), o.root(), publishedAt, o.digest(), v);
    }
    Generation g = Generations.fold(existing, o);
    try (WriteBatch batch = rocks.batch()) {
      batch.put(rocks.meta, key, Values.generation(g));
      batch.put(rocks.meta, byDigest, Values.instant(publishedAt));
      rocks.write(what, batch, true);
    } catch (RocksDBException e) {
      throw new StorageException(what + ": " + e.getMessage(), e);
    }
    return g;
  }

  @Override
  public Optional<Generation> floor(String repo, String root, Instant t) throws IOException {
    byte[] prefix = Keys.observationPrefix(repo, root);
    return rocks.scan("floor " + repo + " " + root + " " + t, rocks.meta, rocks.serving, prefix, Keys.after(prefix),
        it -> {
          it.seekForPrev(Keys.observationCeilingAt(repo, root, t));
          return current(it, repo, root, prefix.length);
        });
  }

  @Override
  public Optional<Generation> ceilingAfter(String repo, String root, Instant t) throws IOException {
    byte[] prefix = Keys.observationPrefix(repo, root);
    return rocks.scan("ceilingAfter " + repo + " " + root + " " + t, rocks.meta, rocks.serving, prefix,
        Keys.after(prefix), it -> {
          byte[] last = Keys.observationCeilingAt(repo, root, t);
          it.seek(last);
          if (it.isValid() && java.util.Arrays.equals(it.key(), last)) {
            it.next();
          }
          return current(it, repo, root, prefix.length);
        });
  }

  @Override
  public Optional<Generation> byDigest(String repo, String root, Digest digest) throws IOException {
    String what = "byDigest " + repo + " " + root + " " + digest;
    byte[] published = rocks.get(what, rocks.meta, Keys.generationByDigest(repo, root, digest));
    if (published == null) {
      return Optional.empty();
    }
    Instant publishedAt = Values.instant(published);
    byte[] v = rocks.get(what, rocks.meta, Keys.observation(repo, root, publishedAt, digest));
    return v == null ? Optional.empty() : Optional.of(Values.generation(repo, root, publishedAt, digest, v));
  }

  @Override
  public List<Generation> generations(String repo, String root) throws IOException {
    byte[] prefix = Keys.observationPrefix(repo, root);
    return rocks.scan("generations " + repo + " " + root, rocks.meta, rocks.serving, prefix, Keys.after(prefix), it -> {
      List<Generation> out = new ArrayList<>();
      for (it.seekToFirst(); it.isValid(); it.next()) {
        out.add(decode(it, repo, root, prefix.length));
      }
      it.status();
      return out;
    });
  }

  @Override
  public List<String> roots(String repo) throws IOException {
    byte[] prefix = Keys.generationByDigestPrefix(repo);
    return rocks.scan("roots " + repo, rocks.meta, rocks.serving, prefix, Keys.after(prefix), it -> {
      List<String> out = new ArrayList<>();
      it.seekToFirst();
      while (it.isValid()) {
        String root = Keys.strAt(it.key(), prefix.length);
        out.add(root);
        // Skip the other digests of this root in one seek.
        it.seek(Keys.after(Keys.generationByDigestPrefix(repo, root)));
      }
      it.status();
      out.sort(null);
      return out;
    });
  }

  @Override
  public List<String> repos() throws IOException {
    byte[] prefix = Keys.observationPrefix();
    return rocks.scan("repos", rocks.meta, rocks.serving, prefix, Keys.after(prefix), it -> {
      List<String> out = new ArrayList<>();
      it.seekToFirst();
      while (it.isValid()) {
        String repo = Keys.strAt(it.key(), prefix.length);
        out.add(repo);
        it.seek(Keys.after(Keys.observationPrefix(repo)));
      }
      it.status();
      out.sort(null);
      return out;
    });
  }

  @Override
  public synchronized boolean delete(String repo, String root, Digest digest) throws IOException {
    String what = "delete generation " + repo + " " + root + " " + digest;
    byte[] byDigest = Keys.generationByDigest(repo, root, digest);
    byte[] published = rocks.get(what, rocks.meta, byDigest);
    if (published == null) {
      return false;
    }
    try (WriteBatch batch = rocks.batch()) {
      batch.delete(rocks.meta, Keys.observation(repo, root, Values.instant(published), digest));
      batch.delete(rocks.meta, byDigest);
      rocks.write(what, batch, true);
    } catch (RocksDBException e) {
      throw new StorageException(what + ": " + e.getMessage(), e);
    }
    return true;
  }

  private static Optional<Generation> current(RocksIterator it, String repo, String root, int prefixLength)
      throws RocksDBException {
    if (!it.isValid()) {
      it.status();
      return Optional.empty();
    }
    return Optional.of(decode(it, repo, root, prefixLength));
  }

  private static Generation decode(RocksIterator it, String repo, String root, int prefixLength) {
    byte[] key = it.key();
    return Values.generation(repo, root, Keys.instantAt(key, prefixLength),
        Keys.digestAt(key, prefixLength + Keys.INSTANT_BYTES), it.value());
  }
}
