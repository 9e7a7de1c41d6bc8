package dev.reprox.pinning.dnf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdOutputStream;
import dev.reprox.pinning.Fixtures;
import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

class PrimaryReaderTest {
  private static final String SHA = "d906a4edec477483b2c11176dabfe62a73031b88ae1be5862ff5f8ed15c62ec2";
  private static final String PRIMARY = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      + "<metadata xmlns=\"http://linux.duke.edu/metadata/common\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"2\">\n"
      + "<package type=\"rpm\"><name>hello</name><arch>x86_64</arch><version epoch=\"0\" ver=\"1.0\" rel=\"1\"/>"
      + "<checksum type=\"sha256\" pkgid=\"YES\">" + SHA + "</checksum><summary>hi &amp; bye</summary>"
      + "<size package=\"1234\" installed=\"5000\" archive=\"5100\"/><location href=\"Packages/h/hello-1.0-1.x86_64.rpm\"/>"
      + "<format><rpm:provides><rpm:entry name=\"hello\"/></rpm:provides></format></package>\n"
      + "<package type=\"rpm\"><name>old</name><arch>noarch</arch><version epoch=\"2\" ver=\"3\" rel=\"4\"/>"
      + "<checksum type=\"sha\" pkgid=\"YES\">" + "ab".repeat(20) + "</checksum>"
      + "<size package=\"7\"/><location href=\"Packages/o/old-3-4.noarch.rpm\"/></package>\n</metadata>\n";

  private static List<PrimaryEntry> all(PrimaryReader reader) throws Exception {
    List<PrimaryEntry> out = new ArrayList<>();
    try (reader) {
      for (PrimaryEntry e = reader.nextEntry(); e != null; e = reader.nextEntry()) {
        out.add(e);
      }
    }
    return out;
  }

  @Test
  void nextEntry_centosPrimary_parses17649PackagesMatchingRepomd() throws Exception {
    RepomdEntry primary = Repomd.parse(Fixtures.bytes(RepomdTest.CENTOS + "repodata/repomd.xml"), "centos")
        .entry("primary").orElseThrow();
    Runtime rt = Runtime.getRuntime();
    rt.gc();
    long heapBefore = rt.totalMemory() - rt.freeMemory();

    long started = System.nanoTime();
    long count = 0;
    PrimaryEntry first = null;
    long peak = 0;
    try (PrimaryReader reader = PrimaryReader.open(Files.newInputStream(Fixtures.path(RepomdTest.CENTOS + primary.href())),
        "", "centos primary")) {
      for (PrimaryEntry e = reader.nextEntry(); e != null; e = reader.nextEntry()) {
        first = first == null ? e : first;
        if (++count % 1000 == 0) {
          peak = Math.max(peak, rt.totalMemory() - rt.freeMemory());
        }
      }
    }
    long millis = (System.nanoTime() - started) / 1_000_000;

    assertThat(count).isEqualTo(17649);
    assertThat(first.name()).isEqualTo("389-ds-base");
    assertThat(first.evr()).isEqualTo("2.5.1-1.el9");
    assertThat(first.href()).isEqualTo("Packages/389-ds-base-2.5.1-1.el9.x86_64.rpm");
    assertThat(first.checksum().sha256()).isEqualTo(Digest.sha256(SHA));
    assertThat(first.size()).isEqualTo(2922140);
    System.out.printf("primary.xml.gz centos-stream-9 appstream: %d packages in %d ms, heap sampled peak +%d MiB%n",
        count, millis, Math.max(0, peak - heapBefore) >> 20);
  }

  @Test
  void next_syntheticPrimary_yieldsListedFilesWithSha256OrAlias() throws Exception {
    List<ListedFile> files = new ArrayList<>();
    try (PrimaryReader r = PrimaryReader.open(new ByteArrayInputStream(PRIMARY.getBytes(StandardCharsets.UTF_8)), "os/", "t")) {
      for (ListedFile f = r.next(); f != null; f = r.next()) {
        files.add(f);
      }
    }

    assertThat(files).extracting(ListedFile::path)
        .containsExactly("os/Packages/h/hello-1.0-1.x86_64.rpm", "os/Packages/o/old-3-4.noarch.rpm");
    assertThat(files.get(0).sha256()).isEqualTo(Digest.sha256(SHA));
    assertThat(files.get(0).size()).isEqualTo(1234);
    assertThat(files.get(1).sha256()).isNull();
    assertThat(files.get(1).aliases()).containsExactly(Alias.ofHex(Alias.Kind.SHA1, "ab".repeat(20)));
  }

  @Test
  void open_everyCompression_detectedByMagic() throws Exception {
    byte[] xml = PRIMARY.getBytes(StandardCharsets.UTF_8);
    for (byte[] packed : new byte[][] {xml, compress(xml, GZIPOutputStream::new), compress(xml, ZstdOutputStream::new),
        compress(xml, o -> new XZOutputStream(o, new LZMA2Options())), compress(xml, BZip2CompressorOutputStream::new)}) {
      List<PrimaryEntry> entries = all(PrimaryReader.open(new ByteArrayInputStream(packed), "", "t"));
      assertThat(entries).extracting(PrimaryEntry::evr).containsExactly("1.0-1", "2:3-4");
    }
  }

  @Test
  void nextEntry_malformedPackages_throw() {
    for (String bad : new String[] {
        PRIMARY.replace("<size package=\"7\"/>", ""),
        PRIMARY.replace("Packages/o/old-3-4.noarch.rpm", "../../etc/passwd"),
        PRIMARY.replace("<checksum type=\"sha\" pkgid=\"YES\">", "<checksum type=\"crc\" pkgid=\"YES\">"),
        PRIMARY.replace("</metadata>", ""),
        PRIMARY.replace("http://linux.duke.edu/metadata/common", "urn:other"),
        "<!DOCTYPE metadata [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" + PRIMARY.substring(PRIMARY.indexOf("<metadata"))}) {
      assertThatThrownBy(() -> all(PrimaryReader.open(new ByteArrayInputStream(bad.getBytes(StandardCharsets.UTF_8)), "", "t")))
          .as(bad).isInstanceOf(IndexParseException.class).hasMessageContaining("parse t");
    }
  }

  interface Compressor {
    OutputStream wrap(OutputStream out) throws Exception;
  }

  private static byte[] compress(byte[] data, Compressor c) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = c.wrap(bytes)) {
      out.write(data);
    }
    return bytes.toByteArray();
  }
}
