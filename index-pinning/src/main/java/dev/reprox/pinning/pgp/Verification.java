package dev.reprox.pinning.pgp;

import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The outcome of a successful verification.
 *
 * @param content the signed payload as the publisher wrote it: for a clearsigned file the
 *     dash-unescaped cleartext with its original line endings, including the final one (so an
 *     InRelease's content equals the matching Release file byte for byte); for a detached
 *     signature the data as given
 * @param signers every signature that verified, never empty
 * @param ignored signatures that did not count (unknown keys, unusable keys), for reporting
 */
public record Verification(byte[] content, List<Signer> signers, List<IgnoredSignature> ignored) {
  public Verification {
    content = content.clone();
    signers = List.copyOf(signers);
    ignored = List.copyOf(ignored);
    if (signers.isEmpty()) {
      throw new IllegalArgumentException("a verification needs at least one signer");
    }
  }

  @Override
  public byte[] content() {
    return content.clone();
  }

  /** The primary fingerprint of the first signer: the one recorded with an observation. */
  public String primarySigner() {
    return signers.get(0).primaryFingerprint();
  }

  /** The earliest creation time among the verified signatures. */
  public Instant signedAt() {
    return signers.stream().map(Signer::createdAt).min(Comparator.naturalOrder()).orElseThrow();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Verification v && Arrays.equals(content, v.content) && signers.equals(v.signers)
        && ignored.equals(v.ignored);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(content) * 31 + signers.hashCode();
  }

  @Override
  public String toString() {
    return "Verification[" + content.length + " bytes, signers=" + signers + ", ignored=" + ignored + "]";
  }
}
