package dev.reprox.pinning.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import dev.reprox.pinning.dnf.DnfFormat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * dnf {@code primary.xml} listings streamed from any bytes: only {@link IndexParseException} and
 * {@link IOException} may come out. Mode (first byte): the payload as is (0), or compressed by the
 * harness with gzip (1), xz (2) or bzip2 (3), so the XML reader runs behind each decoder.
 */
class PrimaryFuzzTest {
  private static final String PATH = "9-stream/AppStream/x86_64/os/repodata/primary.xml.gz";
  private static final DnfFormat FORMAT =
      DnfFormat.builder().clock(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)).build();

  @FuzzTest(maxDuration = "3s")
  void primary_anyBytes_onlyTypedErrors(byte[] data) {
    byte[] payload = FuzzSupport.payload(data);
    byte[] body = switch (FuzzSupport.mode(data, 4)) {
      case 1 -> FuzzSupport.gzip(payload);
      case 2 -> FuzzSupport.xz(payload);
      case 3 -> FuzzSupport.bzip2(payload);
      default -> payload;
    };
    try (ListingReader reader = FORMAT.openListing(PATH, new ByteArrayInputStream(body))) {
      for (ListedFile f = reader.next(); f != null; f = reader.next()) {
        // drain: every package must parse or fail typed
      }
    } catch (IndexParseException | IOException expected) {
      // the contract: malformed input is a typed, checked error
    }
  }
}
