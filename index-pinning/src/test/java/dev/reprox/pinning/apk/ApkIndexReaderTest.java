package dev.reprox.pinning.apk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.pinning.Fixtures;
import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.storage.Alias;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApkIndexReaderTest {

  private static List<ApkIndexEntry> all(ApkIndexReader reader) throws Exception {
    List<ApkIndexEntry> out = new ArrayList<>();
    try (reader) {
      for (ApkIndexEntry e = reader.nextEntry(); e != null; e = reader.nextEntry()) {
        out.add(e);
      }
    }
    return out;
  }

  private static ApkIndexReader text(String records) {
    return new ApkIndexReader(new ByteArrayInputStream(records.getBytes(StandardCharsets.UTF_8)), "v1/main/x86_64/", "test");
  }

  @Test
  void entries_alpineIndex_parses4929RecordsWithQ1AndSize() throws Exception {
    ApkIndex index = ApkIndex.parse(Fixtures.bytes("real/alpine/v3.16-main-x86_64/APKINDEX.tar.gz"), "alpine");

    long started = System.nanoTime();
    List<ApkIndexEntry> entries = all(index.entries("v3.16/main/x86_64/"));
    long micros = (System.nanoTime() - started) / 1000;

    assertThat(entries).hasSize(4929);
    ApkIndexEntry baselayout = entries.stream().filter(e -> e.name().equals("alpine-baselayout")).findFirst().orElseThrow();
    assertThat(baselayout.version()).isEqualTo("3.2.0-r23");
    assertThat(baselayout.arch()).isEqualTo("x86_64");
    assertThat(baselayout.size()).isEqualTo(11136);
    assertThat(baselayout.q1()).isEqualTo(new Alias(Alias.Kind.APK_Q1, Base64.getDecoder().decode("9UI7UxyiUywG6aew9c3lCBPshsE=")));
    assertThat(baselayout.q2()).isNull();
    assertThat(entries).allSatisfy(e -> assertThat(e.size()).isPositive());
    System.out.printf("APKINDEX alpine v3.16 main: %d records parsed in %d µs%n", entries.size(), micros);
  }

  @Test
  void next_alpineIndex_yieldsListedFilesUnderPrefix() throws Exception {
    ApkIndex index = ApkIndex.parse(Fixtures.bytes("real/alpine/v3.16-main-x86_64/APKINDEX.tar.gz"), "alpine");
    Map<String, ListedFile> files = new HashMap<>();
    try (ApkIndexReader reader = index.entries("v3.16/main/x86_64/")) {
      for (ListedFile f = reader.next(); f != null; f = reader.next()) {
        files.put(f.path(), f);
      }
    }

    ListedFile f = files.get("v3.16/main/x86_64/alpine-baselayout-3.2.0-r23.apk");
    assertThat(f.size()).isEqualTo(11136);
    assertThat(f.sha256()).isNull();
    assertThat(f.aliases()).extracting(Alias::kind).containsExactly(Alias.Kind.APK_Q1);
    assertThat(files).hasSize(4929);
  }

  @Test
  void entries_wolfiIndex_parses47Records() throws Exception {
    ApkIndex index = ApkIndex.parse(Fixtures.bytes("real/wolfi/APKINDEX.tar.gz"), "wolfi");

    List<ApkIndexEntry> entries = all(index.entries(""));

    assertThat(entries).hasSize(47);
    assertThat(entries.get(0).fileName()).isEqualTo("libffi-3.4.2-r0.apk");
    assertThat(entries.get(0).size()).isEqualTo(69454);
  }

  @Test
  void nextEntry_q2AndCrlfAndUnknownFields_parse() throws Exception {
    String q1 = Base64.getEncoder().encodeToString(new byte[20]);
    String q2 = Base64.getEncoder().encodeToString(new byte[32]);
    String records = "\n\nC:Q1" + q1 + "\r\nC:Q2" + q2 + "\r\nP:a\r\nV:1-r0\r\nS:5\r\nT:some text: with colons\r\n\r\n"
        + "P:b\nV:2-r1\nS:7\nC:Q1" + q1;

    List<ApkIndexEntry> entries = all(text(records));

    assertThat(entries).extracting(ApkIndexEntry::fileName).containsExactly("a-1-r0.apk", "b-2-r1.apk");
    assertThat(entries.get(0).q2()).hasSize(32);
    assertThat(entries.get(1).size()).isEqualTo(7);
    assertThat(entries.get(1).arch()).isNull();
  }

  @Test
  void nextEntry_recordWithoutChecksum_throwsNamingRecord() {
    assertThatThrownBy(() -> all(text("P:a\nV:1\nS:5\n\n")))
        .isInstanceOf(IndexParseException.class).hasMessageContaining("parse test").hasMessageContaining("(a)");
  }

  @Test
  void nextEntry_badChecksumOrSizeOrLine_throws() {
    String q1 = Base64.getEncoder().encodeToString(new byte[20]);
    for (String bad : new String[] {"P:a\nV:1\nS:5\nC:Q1notbase64!\n", "P:a\nV:1\nS:5\nC:abc\n",
        "P:a\nV:1\nS:-5\nC:Q1" + q1 + "\n", "P:a\nV:1\nS:x\nC:Q1" + q1 + "\n", "garbage line\n"}) {
      assertThatThrownBy(() -> all(text(bad))).as(bad).isInstanceOf(IndexParseException.class);
    }
  }

  @Test
  void nextEntry_endlessLine_throwsInsteadOfGrowing() {
    byte[] huge = new byte[3 * 1024 * 1024];
    java.util.Arrays.fill(huge, (byte) 'x');
    ApkIndexReader reader = new ApkIndexReader(new ByteArrayInputStream(huge), "", "huge");

    assertThatThrownBy(reader::nextEntry).isInstanceOf(IndexParseException.class).hasMessageContaining("longer than");
  }
}
