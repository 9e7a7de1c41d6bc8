package dev.reprox.server.trust;

import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * The first entries of a listing read before any is handed on (issue 14): the parser runs while
 * the listing downloads, so the deferred packages named early in it learn their expectation as soon
 * as the listing is verified ({@link ListedWaiters}), yet nothing parsed from unverified bytes
 * reaches the path index: the caller hands the entries on only once the listing's digest checked.
 * At most {@code max} entries are held (a bounded heap; past that the parser waits for the
 * verification, and goes on at the path index's pace).
 */
final class ReadAhead implements ListingReader {
  private final ListingReader in;
  private final ArrayDeque<ListedFile> held;
  private final boolean ended;
  private boolean closed;

  private ReadAhead(ListingReader in, ArrayDeque<ListedFile> held, boolean ended) {
    this.in = in;
    this.held = held;
    this.ended = ended;
  }

  /** Reads the first {@code max} entries of {@code in} (fewer at its end). Blocking. */
  static ReadAhead first(ListingReader in, int max) throws IOException, IndexParseException {
    ArrayDeque<ListedFile> held = new ArrayDeque<>();
    while (held.size() < max) {
      ListedFile f = in.next();
      if (f == null) {
        return new ReadAhead(in, held, true);
      }
      held.add(f);
    }
    return new ReadAhead(in, held, false);
  }

  /** Entries held now (read ahead, not handed on yet). */
  int held() {
    return held.size();
  }

  @Override
  public ListedFile next() throws IOException, IndexParseException {
    ListedFile f = held.poll();
    if (f != null || ended) {
      return f;
    }
    return in.next();
  }

  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      in.close();
    }
  }
}
