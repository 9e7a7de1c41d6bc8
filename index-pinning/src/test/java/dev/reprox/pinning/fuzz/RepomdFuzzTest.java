package dev.reprox.pinning.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.pinning.dnf.DnfFormat;
import dev.reprox.pinning.dnf.Repomd;
import dev.reprox.pinning.pgp.KeyringException;
import dev.reprox.pinning.pgp.SignatureVerifier;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * dnf root indexes ({@code repodata/repomd.xml} and its {@code .asc}) from any bytes: only
 * {@link IndexParseException} and {@link SignatureInvalidException} may come out. Mode (first
 * byte): 0 {@link Repomd#parse} and its publication time; 1 unsigned through a format without
 * repo_gpgcheck; 2 signed by the throwaway key (armored), so the parser runs behind a good
 * signature; 3 payload split into repomd.xml and a fuzzed .asc.
 */
class RepomdFuzzTest {
  static final String PATH = "9-stream/AppStream/x86_64/os/repodata/repomd.xml";
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private static final DnfFormat UNVERIFIED = DnfFormat.builder().clock(CLOCK).build();
  static final DnfFormat VERIFYING = verifying();

  private static DnfFormat verifying() {
    try {
      return DnfFormat.builder().clock(CLOCK).repoGpgcheck(true)
          .verifier(SignatureVerifier.builder().keyring("fuzz.asc", FuzzSupport.key().keyring).build())
          .build();
    } catch (KeyringException e) {
      throw new IllegalStateException(e);
    }
  }

  @FuzzTest(maxDuration = "3s")
  void repomd_anyBytes_onlyTypedErrors(byte[] data) {
    byte[] payload = FuzzSupport.payload(data);
    try {
      switch (FuzzSupport.mode(data, 4)) {
        case 0 -> Repomd.parse(payload, "fuzz repomd.xml").publishedAt();
        case 1 -> UNVERIFIED.verifyRoot(PATH, payload, null);
        case 2 -> VERIFYING.verifyRoot(PATH, payload, FuzzSupport.armor(FuzzSupport.key().signDetached(payload)));
        default -> {
          byte[][] parts = FuzzSupport.split(payload);
          VERIFYING.verifyRoot(PATH, parts[0], parts[1]);
        }
      }
    } catch (IndexParseException | SignatureInvalidException expected) {
      // the contract: malformed input is a typed, checked error
    }
  }
}
