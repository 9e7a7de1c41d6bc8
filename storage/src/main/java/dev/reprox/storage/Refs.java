package dev.reprox.storage;

import java.io.IOException;
import java.util.Optional;

/**
 * Path → the blob last fetched there, for content no signed index vouches for (the live
 * pass-through, repositories without a keyring). Signed content resolves through
 * {@link Observations} and {@link PathIndex} instead.
 */
public interface Refs {
  void put(Ref ref) throws IOException;

  Optional<Ref> get(String repo, String path) throws IOException;
}
