package dev.reprox.pinning.apt;

import dev.reprox.pinning.ListingReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.regex.Pattern;

/**
 * Streaming readers for apt listings. The stream may be xz, gzip or plain (detected from its
 * magic bytes); the reader owns it and closes it.
 */
public final class AptListings {
  // Compiled once: path classification asks for every request a server answers.
  private static final Pattern LISTING = Pattern.compile("(Packages|Sources)(\\.(xz|gz))?");

  private AptListings() {}

  /** A Packages file: one {@code Filename} per stanza, paths relative to the archive root. */
  public static ListingReader packages(InputStream in) throws IOException {
    return new Deb822ListingReader(Decompression.open(in), false, "Packages");
  }

  /** A Sources file: every file of each source package, as {@code Directory/name}. */
  public static ListingReader sources(InputStream in) throws IOException {
    return new Deb822ListingReader(Decompression.open(in), true, "Sources");
  }

  /** True for the listing file names that name packages: Packages and Sources, any compression. */
  public static boolean isListing(String fileName) {
    return LISTING.matcher(fileName).matches();
  }

  /** The reader for a listing path; call only when {@link #isListing} holds for its file name. */
  public static ListingReader open(String path, InputStream in) throws IOException {
    String fileName = path.substring(path.lastIndexOf('/') + 1);
    return fileName.startsWith("Sources") ? sources(in) : packages(in);
  }
}
