package dev.reprox.pinning.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import dev.reprox.pinning.apt.AptListings;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * apt listings (Packages, Sources) streamed from any bytes: only {@link IndexParseException} and
 * {@link IOException} may come out. Mode (first byte): bit 0 Sources instead of Packages; bits
 * 1-2 the payload as is (0, 3), gzip-compressed (1) or xz-compressed (2) by the harness, so the
 * fuzzer reaches the stanza parser behind a valid compression layer too.
 */
class PackagesFuzzTest {

  @FuzzTest(maxDuration = "3s")
  void packages_anyBytes_onlyTypedErrors(byte[] data) {
    int mode = FuzzSupport.mode(data, 8);
    byte[] payload = FuzzSupport.payload(data);
    byte[] body = switch (mode >> 1) {
      case 1 -> FuzzSupport.gzip(payload);
      case 2 -> FuzzSupport.xz(payload);
      default -> payload;
    };
    boolean sources = (mode & 1) == 1;
    ByteArrayInputStream in = new ByteArrayInputStream(body);
    try (ListingReader reader = sources ? AptListings.sources(in) : AptListings.packages(in)) {
      // Each stanza of at least two lines yields at most one file per row: a bound that a hang breaks.
      long max = body.length + 1L;
      long count = 0;
      for (ListedFile f = reader.next(); f != null; f = reader.next()) {
        if (++count > max && mode >> 1 != 1 && mode >> 1 != 2) {
          throw new AssertionError("more listed files (" + count + ") than input bytes");
        }
      }
    } catch (IndexParseException | IOException expected) {
      // the contract: malformed input is a typed, checked error
    }
  }
}
