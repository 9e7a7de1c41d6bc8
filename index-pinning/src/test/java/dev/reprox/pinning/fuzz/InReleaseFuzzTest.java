package dev.reprox.pinning.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.pinning.apt.AptFormat;
import dev.reprox.pinning.apt.ReleaseFile;
import dev.reprox.pinning.pgp.KeyringException;
import dev.reprox.pinning.pgp.SignatureVerifier;

/**
 * apt root indexes (InRelease, Release + Release.gpg) from an upstream that may send anything:
 * only {@link IndexParseException} and {@link SignatureInvalidException} may come out. The
 * keyring holds one throwaway key, so the modes that sign the fuzzed text with it reach the
 * Release parser behind a good signature. Mode (first byte): 0 raw InRelease through the
 * verifier; 1 the payload clearsigned with the key; 2 the payload as a Release with its detached
 * signature; 3 payload split into Release and fuzzed Release.gpg; 4 InRelease without a keyring;
 * 5 plain {@link ReleaseFile#parse}.
 */
class InReleaseFuzzTest {
  static final AptFormat VERIFYING = verifying();
  private static final AptFormat UNVERIFIED = AptFormat.builder().build();

  private static AptFormat verifying() {
    try {
      return AptFormat.builder()
          .verifier(SignatureVerifier.builder().keyring("fuzz.gpg", FuzzSupport.key().keyring).build())
          .build();
    } catch (KeyringException e) {
      throw new IllegalStateException(e);
    }
  }

  @FuzzTest(maxDuration = "3s")
  void inRelease_anyBytes_onlyTypedErrors(byte[] data) {
    byte[] payload = FuzzSupport.payload(data);
    try {
      switch (FuzzSupport.mode(data, 6)) {
        case 0 -> VERIFYING.verifyRoot("dists/fuzz/InRelease", payload, null);
        case 1 -> VERIFYING.verifyRoot("dists/fuzz/InRelease", FuzzSupport.key().clearsign(payload), null);
        case 2 -> VERIFYING.verifyRoot("dists/fuzz/Release", payload, FuzzSupport.key().signDetached(payload));
        case 3 -> {
          byte[][] parts = FuzzSupport.split(payload);
          VERIFYING.verifyRoot("dists/fuzz/Release", parts[0], parts[1]);
        }
        case 4 -> UNVERIFIED.verifyRoot("dists/fuzz/InRelease", payload, null);
        default -> ReleaseFile.parse(payload);
      }
    } catch (IndexParseException | SignatureInvalidException expected) {
      // the contract: malformed input is a typed, checked error
    }
  }
}
