package dev.reprox.pinning.apt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

class AptListingsTest {
  static final String SHA_A = "a".repeat(64);
  static final String SHA_B = "b".repeat(64);
  static final String PACKAGES = """
      Package: foo
      Version: 1.0
      Description: a package
       with a long description
       .
       Filename: pool/main/f/foo/not-this.deb
      Filename: pool/main/f/foo/foo_1.0_amd64.deb
      Size: 1234
      MD5sum: 0123456789abcdef0123456789abcdef
      SHA256: %s

      Package: bar
      Filename: pool/main/b/bar/bar_2.0_all.deb
      Size: 99
      SHA1: 0123456789abcdef0123456789abcdef01234567
      SHA256: %s
      """.formatted(SHA_A, SHA_B);

  @Test
  void packages_plain_yieldsEveryFilenameWithHashes() throws Exception {
    List<ListedFile> files = readAll(AptListings.packages(in(PACKAGES.getBytes(StandardCharsets.UTF_8))));

    assertThat(files).containsExactly(
        new ListedFile("pool/main/f/foo/foo_1.0_amd64.deb", 1234, Digest.sha256(SHA_A),
            List.of(Alias.ofHex(Alias.Kind.MD5, "0123456789abcdef0123456789abcdef"))),
        new ListedFile("pool/main/b/bar/bar_2.0_all.deb", 99, Digest.sha256(SHA_B),
            List.of(Alias.ofHex(Alias.Kind.SHA1, "0123456789abcdef0123456789abcdef01234567"))));
  }

  @Test
  void packages_gzipAndXz_sameAsPlain() throws Exception {
    byte[] plain = PACKAGES.getBytes(StandardCharsets.UTF_8);
    List<ListedFile> expected = readAll(AptListings.packages(in(plain)));

    assertThat(readAll(AptListings.packages(in(gzip(plain))))).isEqualTo(expected);
    assertThat(readAll(AptListings.packages(in(xz(plain))))).isEqualTo(expected);
  }

  @Test
  void packages_crlfAndNoFinalNewline_parsed() throws Exception {
    String text = "Filename: pool/x.deb\r\nSize: 5\r\nSHA256: " + SHA_A;

    assertThat(readAll(AptListings.packages(in(text.getBytes(StandardCharsets.UTF_8)))))
        .extracting(ListedFile::path, ListedFile::size).containsExactly(org.assertj.core.groups.Tuple.tuple("pool/x.deb", 5L));
  }

  @Test
  void packages_flatRepositoryDotSlash_stripped() throws Exception {
    String text = "Filename: ./foo_1.0_all.deb\nSize: 5\nSHA256: " + SHA_A + "\n";

    assertThat(readAll(AptListings.packages(in(text.getBytes(StandardCharsets.UTF_8)))))
        .extracting(ListedFile::path).containsExactly("foo_1.0_all.deb");
  }

  @Test
  void packages_missingSize_throwsNamingStanza() {
    String text = "Package: a\n\nPackage: b\nFilename: pool/b.deb\nSHA256: " + SHA_A + "\n";

    assertThatThrownBy(() -> readAll(AptListings.packages(in(text.getBytes(StandardCharsets.UTF_8)))))
        .isInstanceOf(IndexParseException.class).hasMessageContaining("pool/b.deb has no Size")
        .hasMessageContaining("line 3");
  }

  @Test
  void packages_badChecksumOrTraversal_throws() {
    String bad = "Filename: pool/b.deb\nSize: 1\nSHA256: xyz\n";
    String traversal = "Filename: pool/../../etc/passwd\nSize: 1\nSHA256: " + SHA_A + "\n";

    assertThatThrownBy(() -> readAll(AptListings.packages(in(bad.getBytes(StandardCharsets.UTF_8)))))
        .isInstanceOf(IndexParseException.class).hasMessageContaining("bad checksum");
    assertThatThrownBy(() -> readAll(AptListings.packages(in(traversal.getBytes(StandardCharsets.UTF_8)))))
        .isInstanceOf(IndexParseException.class).hasMessageContaining("unsafe path");
  }

  @Test
  void packages_truncatedXz_throwsIOException() throws Exception {
    byte[] xz = xz(PACKAGES.getBytes(StandardCharsets.UTF_8));
    byte[] cut = java.util.Arrays.copyOf(xz, xz.length - 10);

    assertThatThrownBy(() -> readAll(AptListings.packages(in(cut)))).isInstanceOf(IOException.class);
  }

  @Test
  void sources_yieldsDirectoryFilesWithSha256() throws Exception {
    String text = """
        Package: foo
        Directory: pool/main/f/foo
        Files:
         0123456789abcdef0123456789abcdef 700 foo_1.0.dsc
         fedcba9876543210fedcba9876543210 5000 foo_1.0.tar.xz
        Checksums-Sha256:
         %s 700 foo_1.0.dsc
         %s 5000 foo_1.0.tar.xz
        """.formatted(SHA_A, SHA_B);

    List<ListedFile> files = readAll(AptListings.sources(in(text.getBytes(StandardCharsets.UTF_8))));

    assertThat(files).extracting(ListedFile::path)
        .containsExactlyInAnyOrder("pool/main/f/foo/foo_1.0.dsc", "pool/main/f/foo/foo_1.0.tar.xz");
    assertThat(files).filteredOn(f -> f.path().endsWith(".dsc")).singleElement()
        .satisfies(f -> {
          assertThat(f.sha256()).isEqualTo(Digest.sha256(SHA_A));
          assertThat(f.size()).isEqualTo(700);
          assertThat(f.aliases()).containsExactly(Alias.ofHex(Alias.Kind.MD5, "0123456789abcdef0123456789abcdef"));
        });
  }

  /** A Debian-sized listing streams through whole; its speed is measured in benchmarks/, not here. */
  @Test
  void packages_63000Stanzas_streamedWhole() throws Exception {
    int stanzas = 63_000;
    long count = 0;
    try (ListingReader reader = AptListings.packages(new StanzaStream(stanzas))) {
      while (reader.next() != null) {
        count++;
      }
    }
    assertThat(count).isEqualTo(stanzas);
  }

  @Test
  void packages_randomMutations_onlyTypedErrors() throws Exception {
    byte[] plain = PACKAGES.getBytes(StandardCharsets.UTF_8);
    byte[] xz = xz(plain);
    java.util.Random random = new java.util.Random(3);
    for (int i = 0; i < 300; i++) {
      byte[] source = i % 2 == 0 ? plain : xz;
      byte[] mutated = source.clone();
      mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
      try {
        readAll(AptListings.packages(in(mutated)));
      } catch (IndexParseException | IOException expected) {
        assertThat(expected.getMessage()).isNotNull();
      }
    }
  }

  static List<ListedFile> readAll(ListingReader reader) throws Exception {
    List<ListedFile> out = new ArrayList<>();
    try (reader) {
      for (ListedFile f; (f = reader.next()) != null; ) {
        out.add(f);
      }
    }
    return out;
  }

  static InputStream in(byte[] b) {
    return new ByteArrayInputStream(b);
  }

  static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream z = new GZIPOutputStream(out)) {
      z.write(b);
    }
    return out.toByteArray();
  }

  static byte[] xz(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream z = new XZOutputStream(out, new LZMA2Options(1))) {
      z.write(b);
    }
    return out.toByteArray();
  }

  /** Generates a Packages file of realistic stanza size on the fly, never whole in memory. */
  static final class StanzaStream extends InputStream {
    private final int total;
    private int next;
    private byte[] current = new byte[0];
    private int pos;

    StanzaStream(int total) {
      this.total = total;
    }

    static byte[] stanza(int i) {
      return ("Package: pkg" + i + "\nVersion: 1.0-" + i + "\nInstalled-Size: 123\nMaintainer: Someone <a@b.c>\n"
          + "Architecture: amd64\nDepends: libc6 (>= 2.34), libfoo1 (>= 1.2)\n"
          + "Description: synthetic package number " + i + "\n"
          + "Multi-Arch: foreign\nHomepage: https://example.org/\nDescription-md5: 0123456789abcdef0123456789abcdef\n"
          + "Section: misc\nPriority: optional\nFilename: pool/main/p/pkg" + i + "/pkg" + i + "_1.0_amd64.deb\n"
          + "Size: " + (1000 + i) + "\nMD5sum: 0123456789abcdef0123456789abcdef\nSHA256: " + SHA_A + "\n\n")
          .getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos == current.length) {
        if (next == total) {
          return -1;
        }
        current = stanza(next++);
        pos = 0;
      }
      int n = Math.min(len, current.length - pos);
      System.arraycopy(current, pos, b, off, n);
      pos += n;
      return n;
    }
  }
}
