package dev.reprox.pinning.fuzz;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import dev.reprox.pinning.apt.AptListings;
import dev.reprox.pinning.dnf.DnfFormat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Regression: an .xz listing whose block header asks for a 1 GiB LZMA2 dictionary (a ~600-byte
 * file) made the decoder allocate it at once: an OutOfMemoryError in a 256 MB heap. It must be a
 * typed IOException instead. The inputs are the fuzz seeds {@code *-xz-1gib-dictionary}.
 */
class XzDictionarySizeTest {

  private static byte[] seed(String resource) throws IOException {
    try (InputStream in = XzDictionarySizeTest.class.getResourceAsStream(resource)) {
      byte[] withMode = in.readAllBytes();
      return Arrays.copyOfRange(withMode, 1, withMode.length);
    }
  }

  private static void drain(ListingReader reader) throws Exception {
    try (reader) {
      for (ListedFile f = reader.next(); f != null; f = reader.next()) {
        // reading is what allocates the dictionary
      }
    }
  }

  @Test
  void packages_xzWith1GibDictionary_throwsIOException() throws Exception {
    byte[] xz = seed("PackagesFuzzTestInputs/packages_anyBytes_onlyTypedErrors/packages-xz-1gib-dictionary");

    assertThatThrownBy(() -> drain(AptListings.packages(new ByteArrayInputStream(xz))))
        .isInstanceOf(IOException.class).hasMessageContaining("memory");
  }

  @Test
  void primary_xzWith1GibDictionary_throwsIOException() throws Exception {
    byte[] xz = seed("PrimaryFuzzTestInputs/primary_anyBytes_onlyTypedErrors/primary-xz-1gib-dictionary");
    DnfFormat dnf = DnfFormat.builder().clock(Clock.systemUTC()).build();

    assertThatThrownBy(() -> drain(dnf.openListing("repodata/primary.xml.xz", new ByteArrayInputStream(xz))))
        .isInstanceOf(IOException.class).hasMessageContaining("memory");
  }
}
