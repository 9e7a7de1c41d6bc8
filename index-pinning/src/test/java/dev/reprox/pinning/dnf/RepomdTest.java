package dev.reprox.pinning.dnf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.pinning.Fixtures;
import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.storage.Digest;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class RepomdTest {
  static final String CENTOS = "real/rpm/centos-stream-9-appstream-x86_64/";

  static String repomd(String revision, String data) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<repomd xmlns=\"http://linux.duke.edu/metadata/repo\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\">\n"
        + "  <revision>" + revision + "</revision>\n" + data + "</repomd>\n";
  }

  static String data(String type, String sha256, long size, long timestamp) {
    return "  <data type=\"" + type + "\">\n    <checksum type=\"sha256\">" + sha256 + "</checksum>\n"
        + "    <location href=\"repodata/" + sha256 + "-" + type + ".xml.gz\"/>\n"
        + "    <timestamp>" + timestamp + "</timestamp>\n    <size>" + size + "</size>\n  </data>\n";
  }

  private static Repomd parse(String xml) throws IndexParseException {
    return Repomd.parse(xml.getBytes(StandardCharsets.UTF_8), "test repomd.xml");
  }

  @Test
  void parse_centosRepomd_readsPrimaryEntryAndGreatestTimestamp() throws Exception {
    Repomd repomd = Repomd.parse(Fixtures.bytes(CENTOS + "repodata/repomd.xml"), "centos repomd.xml");

    assertThat(repomd.revision()).isEqualTo("9-stream");
    assertThat(repomd.publishedAt()).contains(Instant.ofEpochSecond(1736761580L));
    RepomdEntry primary = repomd.entry("primary").orElseThrow();
    assertThat(primary.href()).isEqualTo("repodata/c03bb2ebc33bbee3046da091b45d90717273a43d3641a9d84e6eede05637bc8a-primary.xml.gz");
    assertThat(primary.checksum().algorithm()).isEqualTo(RpmChecksum.Algorithm.SHA256);
    assertThat(primary.size()).isEqualTo(3597627);
    assertThat(primary.openSize()).isEqualTo(51840420);
    assertThat(primary.timestamp()).contains(Instant.ofEpochSecond(1736761560L));
    assertThat(repomd.entries()).extracting(RepomdEntry::type).contains("primary", "filelists", "other", "primary_db");
  }

  @Test
  void parse_centosRepomd_primaryFileMatchesChecksumSizeAndOpenChecksum() throws Exception {
    RepomdEntry primary = Repomd.parse(Fixtures.bytes(CENTOS + "repodata/repomd.xml"), "centos").entry("primary").orElseThrow();
    Path file = Fixtures.path(CENTOS + primary.href());

    assertThat(Files.size(file)).isEqualTo(primary.size());
    assertThat(Digest.compute(Files.readAllBytes(file))).isEqualTo(primary.checksum().sha256());
    MessageDigest open = MessageDigest.getInstance("SHA-256");
    long openBytes;
    try (InputStream in = new DigestInputStream(new GZIPInputStream(Files.newInputStream(file)), open)) {
      openBytes = in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    assertThat(openBytes).isEqualTo(primary.openSize());
    assertThat(HexFormat.of().formatHex(open.digest())).isEqualTo(primary.openChecksum().orElseThrow().hex());
    ListedFile listed = primary.toListedFile("centos/9-stream/AppStream/x86_64/os/");
    assertThat(listed.path()).isEqualTo("centos/9-stream/AppStream/x86_64/os/" + primary.href());
    assertThat(listed.sha256()).isEqualTo(primary.checksum().sha256());
  }

  @Test
  void publishedAt_unixRevision_winsOverTimestamps() throws Exception {
    String sha = "ab".repeat(32);

    assertThat(parse(repomd("1700000000", data("primary", sha, 10, 1700000500))).publishedAt())
        .contains(Instant.ofEpochSecond(1700000000L));
    assertThat(parse(repomd("8", data("primary", sha, 10, 1700000500) + data("other", sha, 10, 1700000900)))
        .publishedAt()).contains(Instant.ofEpochSecond(1700000900L));
    assertThat(parse(repomd("", "")).publishedAt()).isEmpty();
  }

  @Test
  void parse_sha512AndSha1Checksums_becomeAliases() throws Exception {
    String xml = repomd("1", "<data type=\"primary\"><checksum type=\"sha512\">" + "cd".repeat(64) + "</checksum>"
        + "<location href=\"repodata/p.xml.zst\"/><size>5</size></data>"
        + "<data type=\"other\"><checksum type=\"sha\">" + "ef".repeat(20) + "</checksum>"
        + "<location href=\"repodata/o.xml.bz2\"/><size>6</size></data>");

    Repomd repomd = parse(xml);

    assertThat(repomd.entry("primary").orElseThrow().toListedFile("").aliases()).singleElement()
        .satisfies(a -> assertThat(a.kind()).isEqualTo(dev.reprox.storage.Alias.Kind.SHA512));
    assertThat(repomd.entry("other").orElseThrow().checksum().algorithm()).isEqualTo(RpmChecksum.Algorithm.SHA1);
  }

  @Test
  void parse_externalEntity_isRefusedWithoutReadingTheFile() {
    String xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE repomd [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
        + "<repomd xmlns=\"http://linux.duke.edu/metadata/repo\"><revision>&xxe;</revision></repomd>";

    assertThatThrownBy(() -> parse(xxe)).isInstanceOf(IndexParseException.class)
        .hasMessageContaining("test repomd.xml").hasMessageNotContaining("root:");
  }

  @Test
  void parse_entityExpansionBomb_isRefused() {
    String bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE repomd [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]>\n"
        + "<repomd xmlns=\"http://linux.duke.edu/metadata/repo\"><revision>&b;</revision></repomd>";

    assertThatThrownBy(() -> parse(bomb)).isInstanceOf(IndexParseException.class);
  }

  @Test
  void parse_malformedInputs_throwNamingTheFile() {
    String sha = "ab".repeat(32);
    for (String bad : new String[] {
        "not xml",
        "<metadata xmlns=\"http://linux.duke.edu/metadata/common\"/>",
        repomd("1", "<data type=\"primary\"><checksum type=\"sha256\">" + sha + "</checksum><location href=\"x\"/></data>"),
        repomd("1", "<data type=\"primary\"><checksum type=\"crc32\">00</checksum><location href=\"x\"/><size>1</size></data>"),
        repomd("1", "<data type=\"primary\"><checksum type=\"sha256\">abc</checksum><location href=\"x\"/><size>1</size></data>"),
        repomd("1", "<data type=\"primary\"><checksum type=\"sha256\">" + sha + "</checksum><location href=\"../../x\"/><size>1</size></data>"),
        repomd("1", "<data type=\"primary\"><checksum type=\"sha256\">" + sha + "</checksum><location href=\"x\"/><size>-1</size></data>"),
        repomd("1", data("primary", sha, 1, 1)).replace("</repomd>", "")}) {
      assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(IndexParseException.class).hasMessageContaining("test repomd.xml");
    }
  }
}
