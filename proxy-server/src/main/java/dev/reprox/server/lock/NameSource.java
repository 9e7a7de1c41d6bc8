package dev.reprox.server.lock;

import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;

/**
 * Where {@code reprox lock --repo} reads a generation at T: a stopped store ({@link #of(dev.reprox.storage.Storage)},
 * the pinned generation and the listings stored) or a running reprox ({@link ServerNames}: the
 * root and listings at T through its mirror routes, which verify them and fetch what is missing).
 */
interface NameSource {
  /** A root index at T: its bytes, generation and publication time (null when unknown). */
  record Root(Digest generation, Instant publishedAt, byte[] bytes) {}

  /** The root at T; fails saying so when there is none. */
  Root root(String repo, String root, Instant at) throws IOException;

  /** A listing of that generation at T, streamed; fails saying why when it cannot be had. */
  InputStream listing(String repo, Instant at, String path, Digest sha256) throws IOException;

  /** The SHA-256 of the stored body a format's own hash names, or null when it is not known here. */
  String sha256Of(Alias alias) throws IOException;

  static NameSource of(dev.reprox.storage.Storage storage) {
    return new NameSource() {
      @Override
      public Root root(String repo, String root, Instant at) throws IOException {
        dev.reprox.storage.Pin pin = Names.pin(storage, repo, root, at);
        return new Root(pin.generation(), Names.publishedAt(storage, repo, root, pin.generation()),
            Names.read(storage, pin.generation()));
      }

      @Override
      public InputStream listing(String repo, Instant at, String path, Digest sha256) throws IOException {
        if (sha256 == null || storage.blobs().stat(sha256).isEmpty()) {
          throw new IOException("the listing " + repo + "/" + path + " at " + at + " is not in the store: let a"
              + " client (or reprox prewarm) fetch the metadata at T through reprox first, or ask a running one"
              + " with --server");
        }
        return Names.stream(storage, sha256);
      }

      @Override
      public String sha256Of(Alias alias) throws IOException {
        return Names.storedSha256(storage, alias);
      }
    };
  }
}
