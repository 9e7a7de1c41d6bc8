package dev.reprox.pinning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Format} promises the server, whatever the format: paths classified, a signed
 * root verified and listing what its generation holds, a tampered root and a root by an unknown
 * key refused with the reason's kind, a listing streamed, by-hash paths naming their digest. Each
 * implementation's test extends this with a signed sample of its own (like the storage contract
 * suites), so a new format passes the same checks before the server may use it.
 */
public abstract class FormatContract {
  /**
   * One signed generation of the format.
   *
   * @param root the root index's path and bytes; {@code signature} its detached signature or null
   * @param listed a path the root lists, with its size
   * @param listing a listing's path and bytes ({@link PathKind#LISTING}), naming {@code packagePath}
   * @param packagePath a package the listing names
   * @param byHash a by-hash path and the digest it names; empty when the format has none
   */
  public record Sample(String root, byte[] rootBytes, byte[] signature, String listed, long listedSize,
      String listing, byte[] listingBytes, String packagePath, Optional<String> byHash, Optional<Digest> byHashDigest) {}

  /** The format with a keyring that holds the sample's signing key. */
  protected abstract Format trusting() throws Exception;

  /** The same format with a keyring that holds other keys only. */
  protected abstract Format trustingOthers() throws Exception;

  protected abstract Sample sample() throws Exception;

  /**
   * The root's bytes with one byte of its signed content changed. By default one byte of the
   * second half, which every format's signature covers.
   */
  protected byte[] tampered(byte[] root) {
    byte[] t = root.clone();
    int at = t.length / 2 + t.length / 4;
    t[at] = (byte) (t[at] ^ 0x01);
    return t;
  }

  @Test
  void classify_rootListingPackageAndOther() throws Exception {
    Format f = trusting();
    Sample s = sample();

    assertThat(f.classify(s.root())).isEqualTo(PathKind.ROOT_INDEX);
    assertThat(f.classify(s.listing())).isIn(PathKind.LISTING, PathKind.ROOT_INDEX);
    assertThat(f.classify(s.packagePath())).isEqualTo(PathKind.PACKAGE);
    assertThat(f.classify("README.contract-test")).isEqualTo(PathKind.OTHER);
    RootGroup group = f.rootGroup(s.root()).orElseThrow();
    assertThat(Stream.of(group.inline(), group.detached()).flatMap(Optional::stream)).contains(s.root());
    assertThat(f.rootGroup(s.packagePath())).isEmpty();
    s.byHash().ifPresent(p -> assertThat(f.classify(p)).isEqualTo(PathKind.BY_HASH));
  }

  @Test
  void verifyRoot_good_verifiedBySignerAndListsTheGeneration() throws Exception {
    Sample s = sample();

    RootIndex root = trusting().verifyRoot(s.root(), s.rootBytes(), s.signature());

    assertThat(root.verified()).isTrue();
    assertThat(root.signers()).isNotEmpty();
    assertThat(root.digest()).isEqualTo(Digest.compute(s.rootBytes()));
    assertThat(root.lookup(s.listed())).hasValueSatisfying(f -> assertThat(f.size()).isEqualTo(s.listedSize()));
  }

  @Test
  void verifyRoot_tampered_refusedAsBadSignature() throws Exception {
    Sample s = sample();
    byte[] tampered = tampered(s.rootBytes());
    assertThat(tampered).isNotEqualTo(s.rootBytes());

    assertThatThrownBy(() -> trusting().verifyRoot(s.root(), tampered, s.signature()))
        .isInstanceOfSatisfying(SignatureInvalidException.class,
            e -> assertThat(e.kind()).isEqualTo(SignatureInvalidException.Kind.BAD_SIGNATURE));
  }

  @Test
  void verifyRoot_unknownSigner_refusedAsNoKnownSigner() throws Exception {
    Sample s = sample();

    assertThatThrownBy(() -> trustingOthers().verifyRoot(s.root(), s.rootBytes(), s.signature()))
        .isInstanceOfSatisfying(SignatureInvalidException.class,
            e -> assertThat(e.kind()).isEqualTo(SignatureInvalidException.Kind.NO_KNOWN_SIGNER));
  }

  @Test
  void openListing_streamsThePackagesItNames() throws Exception {
    Sample s = sample();
    List<String> paths = new ArrayList<>();
    try (ListingReader r = trusting().openListing(s.listing(), new ByteArrayInputStream(s.listingBytes()))) {
      for (ListedFile f = r.next(); f != null; f = r.next()) {
        paths.add(f.path());
      }
    }
    assertThat(paths).contains(s.packagePath());
  }

  @Test
  void bodyCheck_answersExactlyForItsBodyCheckKinds() throws Exception {
    Format f = trusting();
    for (Alias.Kind kind : Alias.Kind.values()) {
      Alias alias = new Alias(kind, new byte[kind.length()]);
      // A scrub finds the blobs to check again by these kinds: a kind left out is never re-checked.
      assertThat(f.bodyCheck(alias, "x").isPresent()).as(kind.name()).isEqualTo(f.bodyCheckKinds().contains(kind));
    }
  }

  @Test
  void byHash_namesItsDigest_otherPathsNone() throws Exception {
    Format f = trusting();
    Sample s = sample();

    if (s.byHash().isPresent()) {
      assertThat(f.byHash(s.byHash().get())).isEqualTo(s.byHashDigest());
    }
    for (String other : Arrays.asList(s.root(), s.packagePath())) {
      assertThat(f.byHash(other)).as(other).isEmpty();
    }
  }
}
