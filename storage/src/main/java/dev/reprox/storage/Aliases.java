package dev.reprox.storage;

import java.io.IOException;
import java.util.Optional;

/** Maps the other hashes of a blob (SHA-1, SHA-512, MD5, apk Q1) to its SHA-256. */
public interface Aliases {
  /** Records that {@code alias} names the blob {@code target}. Idempotent. */
  void put(Alias alias, Digest target) throws IOException;

  Optional<Digest> resolve(Alias alias) throws IOException;
}
