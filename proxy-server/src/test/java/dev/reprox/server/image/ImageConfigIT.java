package dev.reprox.server.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads the image tarball that {@code -Pimage} builds at package (Jib, docker-archive: manifest.json
 * → config JSON → layers) and checks what a runtime sees: who it runs as, what it runs, where the
 * store lives, and which version and source it says it is. Runs with {@code -Pimage} only (it
 * needs the tarball), which {@code .ci/run} passes.
 */
class ImageConfigIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LAUNCHER = "usr/local/bin/reprox";
  private static final String STORE = "var/lib/reprox/";

  private static JsonNode manifest;
  private static JsonNode config;
  private static Map<String, Entry> files;

  record Entry(int mode, String text) {}

  @BeforeAll
  static void readTarball() throws IOException {
    Path tar = Path.of(System.getProperty("reprox.image.tar"));
    assertThat(tar).as("the image tarball; build it with -Pimage").isRegularFile();
    Map<String, byte[]> json = new HashMap<>();
    files = new HashMap<>();
    // One pass, streaming: the JSON documents are small, the layers (the JRE among them) are not.
    try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
      for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
        if (!e.isFile()) {
          continue;
        }
        if (e.getName().endsWith(".json")) {
          json.put(e.getName(), in.readAllBytes());
        } else {
          readLayer(in);
        }
      }
    }
    manifest = JSON.readTree(json.get("manifest.json")).get(0);
    config = JSON.readTree(json.get(manifest.path("Config").asText()));
  }

  /** Keeps the launcher and Jib's classpath file from a layer (gzip from Jib, plain tar from a docker-archive base). */
  private static void readLayer(InputStream layer) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(layer);
    buffered.mark(2);
    boolean gzip = buffered.read() == 0x1f && buffered.read() == 0x8b;
    buffered.reset();
    InputStream plain = gzip ? new GZIPInputStream(buffered) : buffered;
    TarArchiveInputStream in = new TarArchiveInputStream(plain);
    for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
      String name = e.getName().replaceFirst("^\\./", "").replaceFirst("^/", "");
      if (name.equals(LAUNCHER) || name.startsWith("app/jib-") || name.equals(STORE)) {
        files.put(name, new Entry(e.getMode() & 07777, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
      }
    }
  }

  @Test
  void manifest_tag_isRepositoryAndProjectVersion() {
    assertThat(texts(manifest.path("RepoTags"))).containsExactly(System.getProperty("reprox.image.name"));
  }

  @Test
  void config_user_isNumericNonRoot() {
    String user = config.at("/config/User").asText();

    assertThat(user).matches("[0-9]+:[0-9]+");
    String uid = user.substring(0, user.indexOf(':'));
    assertThat(Integer.parseInt(uid)).isPositive();
    assertThat(uid).isEqualTo(System.getProperty("reprox.image.uid"));
  }

  @Test
  void config_entrypoint_isTheLauncherServingOnAllAddresses() {
    assertThat(texts(config.at("/config/Entrypoint"))).containsExactly("/usr/local/bin/reprox");
    assertThat(texts(config.at("/config/Cmd")))
        .containsExactly("serve", "--data", "/var/lib/reprox", "--listen", "0.0.0.0:3142");
  }

  @Test
  void config_portAndVolume_areTheListenPortAndTheStore() {
    assertThat(fieldNames(config.at("/config/ExposedPorts"))).containsExactly("3142/tcp");
    assertThat(fieldNames(config.at("/config/Volumes"))).containsExactly("/var/lib/reprox");
  }

  @Test
  void config_labels_carryVersionAndSource() {
    JsonNode labels = config.at("/config/Labels");

    assertThat(labels.path("org.opencontainers.image.version").asText())
        .isEqualTo(System.getProperty("reprox.version"));
    assertThat(labels.path("org.opencontainers.image.source").asText())
        .isEqualTo(System.getProperty("reprox.image.source"));
  }

  @Test
  void layers_launcher_isExecutableAndStartsTheCli() {
    assertThat(files).containsKeys(LAUNCHER, "app/jib-classpath-file");
    Entry launcher = files.get(LAUNCHER);

    assertThat(launcher.mode() & 0111).as("mode %o", launcher.mode()).isEqualTo(0111);
    assertThat(launcher.text()).startsWith("#!/bin/sh").contains("dev.reprox.server.cli.Main")
        .contains("-cp @/app/jib-classpath-file");
  }

  @Test
  void layers_storeDirectory_isWritableByTheImageUser() {
    // A new named volume is a copy of this directory; the image's uid (not root) must write in it.
    assertThat(files).containsKey(STORE);

    assertThat(files.get(STORE).mode() & 0777).as("mode %o", files.get(STORE).mode()).isEqualTo(0777);
  }

  private static List<String> texts(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
