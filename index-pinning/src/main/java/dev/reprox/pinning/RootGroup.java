package dev.reprox.pinning;

import java.util.Optional;

/**
 * The paths that publish one generation of a root index in different shapes, which must be served
 * consistently: apt's {@code InRelease} (inline signature) and {@code Release} + {@code Release.gpg}
 * (detached), dnf's {@code repomd.xml} + {@code repomd.xml.asc}. Two {@link RootIndex}es of one
 * group are the same generation when their {@link RootIndex#contentDigest()} are equal (for apt:
 * the Release bytes equal the InRelease cleartext, so the Release blob's own digest is the
 * InRelease's content digest).
 *
 * @param inline the root with the signature inside, if the format has one
 * @param detached the root whose signature is a separate file, if the format has one
 * @param signature that separate signature file, present exactly when {@code detached} is
 */
public record RootGroup(Optional<String> inline, Optional<String> detached, Optional<String> signature) {
  public RootGroup {
    if (detached.isPresent() != signature.isPresent()) {
      throw new IllegalArgumentException("a detached root needs its signature path and vice versa");
    }
  }
}
