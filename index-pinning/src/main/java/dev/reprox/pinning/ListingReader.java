package dev.reprox.pinning;

import java.io.Closeable;
import java.io.IOException;

/**
 * A streaming reader of one listing (apt Packages/Sources, apk APKINDEX, rpm primary): yields the
 * package files it names one at a time, so a 60 MB listing never sits in the heap. Closing it
 * closes the underlying stream. Not thread-safe.
 */
public interface ListingReader extends Closeable {
  /** The next listed file, or null at the end of the listing. */
  ListedFile next() throws IOException, IndexParseException;
}
