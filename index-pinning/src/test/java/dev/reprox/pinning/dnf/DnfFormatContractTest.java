package dev.reprox.pinning.dnf;

import dev.reprox.pinning.Fixtures;
import dev.reprox.pinning.Format;
import dev.reprox.pinning.FormatContract;
import dev.reprox.pinning.pgp.SignatureVerifier;
import dev.reprox.storage.Digest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * CentOS Stream 9's real repomd.xml and primary, signed here with a throwaway key (CentOS Stream
 * publishes no repomd.xml.asc); another throwaway key as the one the signer is unknown to.
 */
class DnfFormatContractTest extends FormatContract {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);
  private static final String OS = "9-stream/AppStream/x86_64/os/";
  private static final String PRIMARY =
      "c03bb2ebc33bbee3046da091b45d90717273a43d3641a9d84e6eede05637bc8a-primary.xml.gz";
  private static final String FILELISTS =
      "45124768eff5c16dea32a9f2edbe69bd858f4f9e4dde8f5c9615dd32101b7ef8-filelists.xml.gz";
  private static final ThrowawayPgpKey SIGNER = key();
  private static final ThrowawayPgpKey OTHER = key();

  private static ThrowawayPgpKey key() {
    try {
      return new ThrowawayPgpKey();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected Format trusting() throws Exception {
    return DnfFormat.builder().verifier(SignatureVerifier.builder().keyring("k", SIGNER.publicKeyring()).build())
        .clock(CLOCK).build();
  }

  @Override
  protected Format trustingOthers() throws Exception {
    return DnfFormat.builder().verifier(SignatureVerifier.builder().keyring("k", OTHER.publicKeyring()).build())
        .clock(CLOCK).build();
  }

  @Override
  protected Sample sample() throws Exception {
    byte[] repomd = Fixtures.bytes(RepomdTest.CENTOS + "repodata/repomd.xml");
    return new Sample(OS + "repodata/repomd.xml", repomd, SIGNER.detachSign(repomd), OS + "repodata/" + PRIMARY,
        3597627, OS + "repodata/" + PRIMARY, Fixtures.bytes(RepomdTest.CENTOS + "repodata/" + PRIMARY),
        OS + "Packages/389-ds-base-2.5.1-1.el9.x86_64.rpm", Optional.of(OS + "repodata/" + FILELISTS),
        Optional.of(Digest.sha256(FILELISTS.substring(0, 64))));
  }
}
