package dev.reprox.pinning.apk;

import dev.reprox.pinning.Fixtures;
import dev.reprox.pinning.Format;
import dev.reprox.pinning.FormatContract;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

/** Alpine v3.16's signed APKINDEX (it is its own listing; apk has no by-hash); Wolfi's key as the other. */
class ApkFormatContractTest extends FormatContract {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);
  private static final String ROOT = "v3.16/main/x86_64/APKINDEX.tar.gz";
  private static final String BASELAYOUT = "v3.16/main/x86_64/alpine-baselayout-3.2.0-r23.apk";

  @Override
  protected Format trusting() throws Exception {
    return ApkFormat.builder().verifier(ApkIndexVerifier.builder().keyDirectory(Fixtures.path("keys/apk")).build())
        .clock(CLOCK).build();
  }

  @Override
  protected Format trustingOthers() throws Exception {
    return ApkFormat.builder().verifier(ApkIndexVerifier.builder()
        .key("wolfi-signing.rsa.pub", Fixtures.bytes("keys/apk/wolfi-signing.rsa.pub")).build()).clock(CLOCK).build();
  }

  @Override
  protected Sample sample() {
    byte[] index = Fixtures.bytes("real/alpine/v3.16-main-x86_64/APKINDEX.tar.gz");
    return new Sample(ROOT, index, null, BASELAYOUT, 11136, ROOT, index, BASELAYOUT, Optional.empty(),
        Optional.empty());
  }
}
