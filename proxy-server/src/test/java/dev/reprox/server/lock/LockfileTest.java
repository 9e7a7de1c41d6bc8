package dev.reprox.server.lock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Lockfile#fromRecord}: grouping, order, what is left out, and the schema in docs/. */
class LockfileTest {
  static final Path SCHEMA = Path.of("../docs/lockfile.schema.json");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String A = "a".repeat(64);
  private static final String B = "b".repeat(64);
  private static final String G = "sha256:" + "c".repeat(64);

  static JsonNode schema() throws Exception {
    return JSON.readTree(Files.readString(SCHEMA));
  }

  private static String served(String repo, String at, String path, String sha, boolean pkg, String extra) {
    return "{\"repository\":\"" + repo + "\",\"at\":\"" + at + "\",\"path\":\"" + path + "\",\"root\":\"r/InRelease\","
        + "\"generation\":\"" + G + "\",\"publishedAt\":\"2024-03-01T00:00:00Z\",\"sha256\":\"" + sha
        + "\",\"size\":7,\"package\":" + pkg + extra + "}";
  }

  private static JsonNode record(String... served) throws Exception {
    return JSON.readTree("{\"label\":\"x\",\"repositories\":{\"deb\":{\"format\":\"apt\",\"upstream\":\"http://u/deb\"},"
        + "\"alp\":{\"format\":\"apk\",\"upstream\":\"http://u/alp\"}},\"served\":[" + String.join(",", served) + "]}");
  }

  @Test
  void fromRecord_groupsSortsAndLeavesOutLiveAndIndexes() throws Exception {
    List<String> warnings = new ArrayList<>();
    JsonNode rec = record(
        served("deb", "2024-03-01T06:00:00Z", "pool/z.deb", B, true, ""),
        served("deb", "2024-03-01T06:00:00Z", "r/InRelease", A, false, ""),
        served("alp", "2024-03-01T06:00:00Z", "x86_64/a.apk", A, true, ",\"apkQ1\":\"Q1" + "A".repeat(27) + "=\""),
        served("deb", "2024-03-01T06:00:00Z", "pool/a.deb", A, true, ""),
        served("deb", "live", "pool/live.deb", A, true, ""));

    String text = Lockfile.write(Lockfile.fromRecord(rec, warnings::add));
    JsonNode lock = JSON.readTree(text);

    assertThat(lock.path("lockfileVersion").asInt()).isEqualTo(1);
    assertThat(lock.path("repositories").findValuesAsText("name")).containsExactly("alp", "deb");
    JsonNode deb = lock.path("repositories").get(1);
    assertThat(deb.path("upstream").asText()).isEqualTo("http://u/deb");
    assertThat(deb.path("packages").findValuesAsText("path")).containsExactly("pool/a.deb", "pool/z.deb");
    assertThat(deb.path("roots")).hasSize(1);
    assertThat(lock.path("repositories").get(0).path("packages").get(0).path("apkQ1").asText()).startsWith("Q1");
    assertThat(text).doesNotContain("live.deb").doesNotContain("servedAt").doesNotContain("\"x\"");
    assertThat(warnings).singleElement().asString().startsWith("1 live answers");
    assertThat(MiniSchema.check(schema(), lock)).isEmpty();
    // Another order of the same answers: the same bytes.
    JsonNode shuffled = record(
        served("deb", "2024-03-01T06:00:00Z", "pool/a.deb", A, true, ""),
        served("alp", "2024-03-01T06:00:00Z", "x86_64/a.apk", A, true, ",\"apkQ1\":\"Q1" + "A".repeat(27) + "=\""),
        served("deb", "2024-03-01T06:00:00Z", "pool/z.deb", B, true, ""),
        served("deb", "2024-03-01T06:00:00Z", "r/InRelease", A, false, ""));
    assertThat(Lockfile.write(Lockfile.fromRecord(shuffled, w -> { }))).isEqualTo(text);
  }

  @Test
  void apkEntryWithQ1Only_conformsAndReadsBack() throws Exception {
    String q1 = "Q1" + "B".repeat(27) + "=";
    JsonNode rec = JSON.readTree("{\"repositories\":{\"alp\":{\"format\":\"apk\",\"upstream\":\"http://u/alp\"}},"
        + "\"served\":[{\"repository\":\"alp\",\"at\":\"2024-03-01T06:00:00Z\",\"path\":\"x86_64/a.apk\","
        + "\"root\":\"x86_64/APKINDEX.tar.gz\",\"generation\":\"" + G + "\",\"size\":7,\"package\":true,"
        + "\"apkQ1\":\"" + q1 + "\"}]}");

    String text = Lockfile.write(Lockfile.fromRecord(rec, w -> { }));

    JsonNode pkg = JSON.readTree(text).path("repositories").get(0).path("packages").get(0);
    assertThat(pkg.has("sha256")).as("no empty sha256 invented").isFalse();
    assertThat(MiniSchema.check(schema(), JSON.readTree(text))).isEmpty();
    List<LockEntry> entries = LockfileReaders.reprox("l.json", text);
    assertThat(entries).singleElement().satisfies(e -> {
      assertThat(e.sha256()).isNull();
      assertThat(e.q1()).isEqualTo(q1);
      assertThat(e.size()).isEqualTo(7);
    });
  }

  @Test
  void schema_rejectsWhatTheFormatForbids() throws Exception {
    JsonNode bad = JSON.readTree("{\"lockfileVersion\":2,\"repositories\":[{\"name\":\"Deb\",\"at\":\"yesterday\","
        + "\"roots\":[],\"packages\":[{\"path\":\"p\",\"sha256\":\"xyz\",\"size\":-1,\"extra\":1}]}],\"written\":1}");

    assertThat(MiniSchema.check(schema(), bad)).containsExactlyInAnyOrder(
        "/lockfileVersion: 2 not in [1]",
        "/repositories/0/name: \"Deb\" does not match ^[a-z0-9]+(-[a-z0-9]+)*$",
        "/repositories/0/at: \"yesterday\" does not match "
            + "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$",
        "/repositories/0/packages/0/sha256: \"xyz\" does not match ^[0-9a-f]{64}$",
        "/repositories/0/packages/0/size: below 0",
        "/repositories/0/packages/0: property extra not allowed",
        ": property written not allowed");
  }
}
