package dev.reprox.pinning.dnf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.pinning.Fixtures;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import dev.reprox.pinning.ListingSource;
import dev.reprox.pinning.PathKind;
import dev.reprox.pinning.RootIndex;
import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.pinning.pgp.SignatureVerifier;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DnfFormatTest {
  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String OS = "9-stream/AppStream/x86_64/os/";
  private static final String PRIMARY = "c03bb2ebc33bbee3046da091b45d90717273a43d3641a9d84e6eede05637bc8a-primary.xml.gz";

  @Test
  void classify_dnfPaths() {
    DnfFormat dnf = DnfFormat.builder().clock(CLOCK).build();
    String filelists = "45124768eff5c16dea32a9f2edbe69bd858f4f9e4dde8f5c9615dd32101b7ef8-filelists.xml.gz";

    assertThat(dnf.classify(OS + "repodata/repomd.xml")).isEqualTo(PathKind.ROOT_INDEX);
    assertThat(dnf.classify("repodata/repomd.xml")).isEqualTo(PathKind.ROOT_INDEX);
    assertThat(dnf.classify(OS + "repodata/repomd.xml.asc")).isEqualTo(PathKind.DETACHED_SIGNATURE);
    assertThat(dnf.classify(OS + "repodata/" + PRIMARY)).isEqualTo(PathKind.LISTING);
    assertThat(dnf.classify(OS + "repodata/primary.xml.zst")).isEqualTo(PathKind.LISTING);
    assertThat(dnf.classify(OS + "repodata/" + filelists)).isEqualTo(PathKind.BY_HASH);
    assertThat(dnf.byHash(OS + "repodata/" + filelists)).contains(Digest.sha256(filelists.substring(0, 64)));
    assertThat(dnf.classify(OS + "repodata/comps.xml")).isEqualTo(PathKind.SUB_INDEX);
    assertThat(dnf.classify(OS + "Packages/h/hello-1.0-1.x86_64.rpm")).isEqualTo(PathKind.PACKAGE);
    assertThat(dnf.classify(OS + "repomd.xml")).isEqualTo(PathKind.OTHER);
    assertThat(dnf.rootGroup(OS + "repodata/repomd.xml.asc").orElseThrow().detached()).contains(OS + "repodata/repomd.xml");
  }

  @Test
  void verifyRoot_centosUnsignedWithoutKeyring_listsMetadataUnderTheRepositoryRoot() throws Exception {
    byte[] xml = Fixtures.bytes(RepomdTest.CENTOS + "repodata/repomd.xml");

    RootIndex root = DnfFormat.builder().clock(CLOCK).build().verifyRoot(OS + "repodata/repomd.xml", xml, null);

    assertThat(root.verified()).isFalse();
    assertThat(root.publishedAt()).isEqualTo(Instant.ofEpochSecond(1736761580L));
    assertThat(root.publishedEstimated()).isFalse();
    ListedFile primary = root.lookup(OS + "repodata/" + PRIMARY).orElseThrow();
    assertThat(primary.size()).isEqualTo(3597627);
    assertThat(primary.sha256()).isEqualTo(Digest.compute(Files.readAllBytes(Fixtures.path(RepomdTest.CENTOS + "repodata/" + PRIMARY))));
  }

  @Test
  void clientMetadata_centos_everyRepomdFileButPrimaryAndTheSqliteDatabases() throws Exception {
    byte[] xml = Fixtures.bytes(RepomdTest.CENTOS + "repodata/repomd.xml");
    RootIndex root = DnfFormat.builder().clock(CLOCK).build().verifyRoot(OS + "repodata/repomd.xml", xml, null);

    assertThat(DnfFormat.builder().clock(CLOCK).build().clientMetadata(root))
        .extracting(f -> f.path().replaceAll(".*/[0-9a-f]{64}-", ""))
        .containsExactlyInAnyOrder("filelists.xml.gz", "other.xml.gz", "comps-AppStream.x86_64.xml",
            "comps-AppStream.x86_64.xml.xz", "modules.yaml.xz");
  }

  /**
   * createrepo_c {@code --repomd-checksum sha512} and old yum's {@code sha}/{@code sha1}: repomd.xml
   * gives no SHA-256, and its files are still listings and client metadata, carried by their alias.
   */
  @ParameterizedTest
  @CsvSource({"sha512, SHA512, 128", "sha1, SHA1, 40", "sha, SHA1, 40"})
  void listings_repomdByAnotherHashOnly_primaryListedByItsAlias(String type, Alias.Kind kind, int hexDigits)
      throws Exception {
    String primaryHex = "a".repeat(hexDigits);
    String primary = "repodata/" + primaryHex + "-primary.xml.gz";
    String filelists = "repodata/" + "b".repeat(hexDigits) + "-filelists.xml.gz";
    String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<repomd xmlns=\"http://linux.duke.edu/metadata/repo\">\n  <revision>1700000000</revision>\n"
        + data("primary", type, primaryHex, primary, 321) + data("filelists", type, "b".repeat(hexDigits), filelists, 654)
        + "</repomd>\n";
    DnfFormat dnf = DnfFormat.builder().clock(CLOCK).build();
    RootIndex root = dnf.verifyRoot(OS + "repodata/repomd.xml", xml.getBytes(StandardCharsets.UTF_8), null);
    ListedFile listed = root.lookup(OS + primary).orElseThrow();
    assertThat(listed.sha256()).isNull();
    assertThat(listed.aliases()).containsExactly(Alias.ofHex(kind, primaryHex));

    assertThat(dnf.listings(root)).extracting(ListingSource::listing).containsExactly(listed);
    assertThat(dnf.listingsNaming(root, OS + "Packages/f/foo-1.0-1.noarch.rpm")).extracting(ListingSource::fetchPath)
        .containsExactly(OS + primary);
    assertThat(dnf.clientMetadata(root)).extracting(ListedFile::path).containsExactly(OS + filelists);
  }

  private static String data(String type, String checksumType, String hex, String href, long size) {
    return "  <data type=\"" + type + "\">\n    <checksum type=\"" + checksumType + "\">" + hex + "</checksum>\n"
        + "    <location href=\"" + href + "\"/>\n    <timestamp>1700000000</timestamp>\n    <size>" + size
        + "</size>\n  </data>\n";
  }

  @Test
  void verifyRoot_keyringButNoSignature_isRefused() throws Exception {
    ThrowawayPgpKey key = new ThrowawayPgpKey();
    DnfFormat dnf = DnfFormat.builder().verifier(SignatureVerifier.builder().keyring("k", key.publicKeyring()).build())
        .clock(CLOCK).build();
    byte[] xml = Fixtures.bytes(RepomdTest.CENTOS + "repodata/repomd.xml");

    assertThatThrownBy(() -> dnf.verifyRoot(OS + "repodata/repomd.xml", xml, null))
        .isInstanceOf(SignatureInvalidException.class);
    RootIndex signed = dnf.verifyRoot(OS + "repodata/repomd.xml", xml, key.detachSign(xml));
    assertThat(signed.verified()).isTrue();
    assertThat(signed.signer()).isEqualTo(key.fingerprint());
  }

  @Test
  void verifyRoot_repoGpgcheckOff_acceptsUnsignedButStillChecksAPresentSignature() throws Exception {
    ThrowawayPgpKey key = new ThrowawayPgpKey();
    DnfFormat dnf = DnfFormat.builder().verifier(SignatureVerifier.builder().keyring("k", key.publicKeyring()).build())
        .repoGpgcheck(false).clock(CLOCK).build();
    byte[] xml = Fixtures.bytes(RepomdTest.CENTOS + "repodata/repomd.xml");
    byte[] tampered = new String(xml, StandardCharsets.UTF_8).replace("9-stream", "9-streaM").getBytes(StandardCharsets.UTF_8);

    assertThat(dnf.verifyRoot(OS + "repodata/repomd.xml", xml, null).verified()).isFalse();
    assertThat(dnf.verifyRoot(OS + "repodata/repomd.xml", xml, key.detachSign(xml)).verified()).isTrue();
    assertThatThrownBy(() -> dnf.verifyRoot(OS + "repodata/repomd.xml", tampered, key.detachSign(xml)))
        .isInstanceOfSatisfying(SignatureInvalidException.class,
            e -> assertThat(e.kind()).isEqualTo(SignatureInvalidException.Kind.BAD_SIGNATURE));
  }

  @Test
  void verifyRoot_noTimeAtAll_usesClockAndMarksEstimated() throws Exception {
    byte[] xml = RepomdTest.repomd("stream", "").getBytes(StandardCharsets.UTF_8);

    RootIndex root = DnfFormat.builder().clock(CLOCK).build().verifyRoot("repodata/repomd.xml", xml, null);

    assertThat(root.publishedAt()).isEqualTo(NOW);
    assertThat(root.publishedEstimated()).isTrue();
  }

  @Test
  void openListing_centosPrimary_namesPackagesUnderTheRepositoryRoot() throws Exception {
    DnfFormat dnf = DnfFormat.builder().clock(CLOCK).build();
    try (ListingReader r = dnf.openListing(OS + "repodata/" + PRIMARY,
        Files.newInputStream(Fixtures.path(RepomdTest.CENTOS + "repodata/" + PRIMARY)))) {
      ListedFile first = r.next();
      assertThat(first.path()).isEqualTo(OS + "Packages/389-ds-base-2.5.1-1.el9.x86_64.rpm");
      assertThat(first.size()).isEqualTo(2922140);
    }
  }
}
