package dev.reprox.pinning;

import dev.reprox.storage.Digest;
import dev.reprox.storage.PathEntry;
import dev.reprox.storage.PathIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/** Feeds a {@link ListingReader} into a {@link PathIndex} without collecting it first. */
public final class Listings {
  private Listings() {}

  /**
   * Records every file of {@code reader} as named by {@code listing} (the listing file's own
   * SHA-256) and closes the reader. Returns how many entries were written.
   */
  public static long index(PathIndex paths, String repo, Digest listing, ListingReader reader)
      throws IOException, IndexParseException {
    long[] count = {0};
    try (reader) {
      paths.putListing(repo, listing, () -> new Iterator<PathEntry>() {
        private ListedFile next = advance();

        @Override
        public boolean hasNext() {
          return next != null;
        }

        @Override
        public PathEntry next() {
          if (next == null) {
            throw new NoSuchElementException();
          }
          PathEntry entry = next.toPathEntry(listing);
          next = advance();
          count[0]++;
          return entry;
        }

        private ListedFile advance() {
          try {
            return reader.next();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          } catch (IndexParseException e) {
            throw new WrappedParseException(e);
          }
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (WrappedParseException e) {
      throw (IndexParseException) e.getCause();
    }
    return count[0];
  }

  /** Carries a checked parse error through {@link Iterator}, unwrapped again in {@link #index}. */
  private static final class WrappedParseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WrappedParseException(IndexParseException cause) {
      super(cause);
    }
  }
}
