package dev.reprox.pinning;

import java.util.Objects;

/**
 * A listing a root names, and the path to fetch it by: its by-hash address when the root offers
 * one (the bytes under it never change while the mirror publishes), else its own path. The body
 * must match {@code listing}'s SHA-256 and size whichever path it came by; a listing its root
 * names by another hash only (a dnf repomd.xml written with {@code --repomd-checksum sha512} or
 * an old yum {@code sha}) must match that hash and size, as an alias-only package does.
 *
 * @param listing the listing as the root names it; its path decides how it is parsed
 * @param fetchPath the repository path to ask the upstream for
 */
public record ListingSource(ListedFile listing, String fetchPath) {
  public ListingSource {
    Objects.requireNonNull(listing, "listing");
    Objects.requireNonNull(fetchPath, "fetchPath");
  }
}
