package dev.reprox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.reprox.config.ConfigLoader.Overrides;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lints and renders helm/reprox with the Helm library bundled by helm-java, then reads the objects. */
class HelmChartTest {
  // Surefire runs in the module directory (config/); the chart lives next to the modules.
  private static final Path CHART = Path.of("..", "helm", "reprox").toAbsolutePath().normalize();
  private static final YAMLMapper YAML = new YAMLMapper();

  private static List<JsonNode> defaults;

  @TempDir Path dir;

  @BeforeAll
  static void renderDefaults() throws Exception {
    defaults = render(new Helm(CHART).template().withName("cache"));
  }

  @Test
  void lint_strict_passes() {
    LintResult result = new Helm(CHART).lint().strict().call();

    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @Test
  void template_defaults_rendersStatefulSetServiceAndConfigMapOnly() {
    assertThat(defaults).extracting(o -> o.path("kind").asText())
        .contains("StatefulSet", "Service", "ConfigMap")
        .doesNotContain("ServiceMonitor", "Deployment");
    JsonNode service = object(defaults, "Service", "cache-reprox");
    assertThat(service.at("/spec/ports/0/port").asInt()).isEqualTo(3142);
  }

  @Test
  void template_statefulSet_runsOneServeWithProbesAndVolumeClaim() {
    JsonNode sts = object(defaults, "StatefulSet", "cache-reprox");
    JsonNode container = sts.at("/spec/template/spec/containers/0");

    assertThat(sts.at("/spec/replicas").asInt()).isEqualTo(1);
    assertThat(texts(container.path("args"))).containsExactly("serve", "--config",
        "/etc/reprox/reprox.yaml", "--data", "/var/lib/reprox", "--listen", "0.0.0.0:3142");
    assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/healthz");
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    assertThat(container.at("/resources/requests/memory").asText()).isNotEmpty();
    assertThat(container.at("/resources/limits/memory").asText()).isNotEmpty();
    JsonNode claim = sts.at("/spec/volumeClaimTemplates/0");
    assertThat(claim.at("/metadata/name").asText()).isEqualTo("data");
    assertThat(claim.at("/spec/resources/requests/storage").asText()).isEqualTo("50Gi");
    assertThat(container.path("volumeMounts")).anySatisfy(mount -> {
      assertThat(mount.path("name").asText()).isEqualTo("data");
      assertThat(mount.path("mountPath").asText()).isEqualTo("/var/lib/reprox");
    });
    assertThat(sts.at("/spec/template/metadata/annotations/checksum~1config").asText())
        .matches("[0-9a-f]{64}");
  }

  @Test
  void template_securityContext_isNonRootReadOnlyWithoutCapabilities() {
    JsonNode pod = object(defaults, "StatefulSet", "cache-reprox").at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0/securityContext");

    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    // The uid the image declares (pom.xml reprox.image.uid), so both agree on who owns the volume.
    assertThat(pod.at("/securityContext/runAsUser").asText()).isEqualTo(property("reprox.image.uid"));
    assertThat(pod.at("/securityContext/fsGroup").asText()).isEqualTo(property("reprox.image.uid"));
    assertThat(container.at("/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(container.at("/allowPrivilegeEscalation").isBoolean()).isTrue();
    assertThat(container.at("/allowPrivilegeEscalation").asBoolean()).isFalse();
    assertThat(texts(container.at("/capabilities/drop"))).containsExactly("ALL");
    assertThat(pod.path("volumes")).anySatisfy(volume -> {
      assertThat(volume.path("name").asText()).isEqualTo("tmp");
      assertThat(volume.has("emptyDir")).isTrue();
    });
  }

  @Test
  void chart_appVersion_isTheProjectVersion() throws Exception {
    JsonNode chart = YAML.readTree(CHART.resolve("Chart.yaml").toFile());

    assertThat(chart.path("appVersion").asText()).isEqualTo(property("reprox.version"));
  }

  @Test
  void template_defaults_imageIsWhatTheBuildProduces() {
    JsonNode container = object(defaults, "StatefulSet", "cache-reprox").at("/spec/template/spec/containers/0");

    // proxy-server's -Pimage tags its tarball reprox.image.repository:project.version.
    assertThat(container.path("image").asText())
        .isEqualTo(property("reprox.image.repository") + ":" + property("reprox.version"));
  }

  @Test
  void template_customValues_setImageStoreAndKeepHardening() throws Exception {
    List<JsonNode> objects = render(new Helm(CHART).template().withName("cache")
        .set("image.repository", "registry.example.com/team/reprox")
        .set("image.tag", "1.2.3")
        .set("persistence.size", "200Gi")
        .set("persistence.storageClassName", "local-nvme")
        .set("tmp.sizeLimit", "2Gi"));
    JsonNode pod = object(objects, "StatefulSet", "cache-reprox").at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");
    JsonNode claim = object(objects, "StatefulSet", "cache-reprox").at("/spec/volumeClaimTemplates/0");

    assertThat(container.path("image").asText()).isEqualTo("registry.example.com/team/reprox:1.2.3");
    assertThat(claim.at("/spec/resources/requests/storage").asText()).isEqualTo("200Gi");
    assertThat(claim.at("/spec/storageClassName").asText()).isEqualTo("local-nvme");
    assertThat(pod.path("volumes")).anySatisfy(volume ->
        assertThat(volume.at("/emptyDir/sizeLimit").asText()).isEqualTo("2Gi"));
    assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    assertThat(container.path("volumeMounts")).anySatisfy(mount ->
        assertThat(mount.path("mountPath").asText()).isEqualTo("/var/lib/reprox"));
  }

  @Test
  void template_serviceMonitorEnabled_rendersIt() throws Exception {
    List<JsonNode> objects = render(new Helm(CHART).template().withName("cache")
        .set("metrics.serviceMonitor.enabled", "true"));

    JsonNode monitor = object(objects, "ServiceMonitor", "cache-reprox");
    assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/metrics");
    assertThat(monitor.at("/spec/selector/matchLabels/app.kubernetes.io~1component").asText())
        .isEqualTo("server");
  }

  @Test
  void template_configMap_isAValidReproxConfigWithDesignKeyNames() throws Exception {
    String file = object(defaults, "ConfigMap", "cache-reprox").at("/data/reprox.yaml").asText();
    JsonNode tree = YAML.readTree(file);

    assertThat(fieldNames(tree)).isSubsetOf(ConfigValidator.KEYS).contains("repositories");
    assertThat(fieldNames(tree.at("/repositories/debian")))
        .containsExactlyInAnyOrder("format", "upstream", "snapshot", "keyring", "pinning", "root-ttl");
    Path written = Files.writeString(dir.resolve("reprox.yaml"), file);
    ReproxConfig config = ConfigLoader.load(Optional.of(written), Map.of(), Overrides.none());
    assertThat(config.repositories().get("debian"))
        .isEqualTo(ConfigLoader.builtin().repositories().get("debian"));
  }

  @Test
  void template_changedConfig_changesChecksumAnnotation() throws Exception {
    List<JsonNode> changed = render(new Helm(CHART).template().withName("cache")
        .set("config.offline", "true"));

    String path = "/spec/template/metadata/annotations/checksum~1config";
    assertThat(object(changed, "StatefulSet", "cache-reprox").at(path).asText())
        .isNotEqualTo(object(defaults, "StatefulSet", "cache-reprox").at(path).asText());
  }

  @Test
  void template_sharedWithReplicas_rendersDeploymentNoStatefulSetOrClaim_secretsMounted_configValid()
      throws Exception {
    List<JsonNode> objects = render(shared(new Helm(CHART).template().withName("cache")).set("replicas", "3"));

    assertThat(objects).extracting(o -> o.path("kind").asText())
        .contains("Deployment", "Service", "ConfigMap")
        .doesNotContain("StatefulSet", "PersistentVolumeClaim");
    assertThat(objects).noneMatch(o -> o.path("spec").has("volumeClaimTemplates"));
    JsonNode deployment = object(objects, "Deployment", "cache-reprox");
    assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(3);
    JsonNode pod = deployment.at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    // The data directory and local cache: an emptyDir that refills from S3.
    assertThat(volume(pod, "data").at("/emptyDir/sizeLimit").asText()).isEqualTo("12Gi");
    assertThat(volume(pod, "postgres-secret").at("/secret/secretName").asText()).isEqualTo("pg-creds");
    assertThat(volume(pod, "postgres-secret").at("/secret/items/0/key").asText()).isEqualTo("pw");
    assertThat(volume(pod, "s3-secret").at("/secret/secretName").asText()).isEqualTo("s3-creds");
    assertThat(container.path("volumeMounts").findValuesAsText("mountPath")).contains("/var/lib/reprox", "/etc/reprox-secrets/postgres", "/etc/reprox-secrets/s3");

    // reprox's own validation accepts the rendered file, reading the secrets where the pod mounts them.
    String file = object(objects, "ConfigMap", "cache-reprox").at("/data/reprox.yaml").asText();
    Path secrets = dir.resolve("secrets");
    Files.createDirectories(secrets.resolve("postgres"));
    Files.createDirectories(secrets.resolve("s3"));
    Files.writeString(secrets.resolve("postgres/password"), "pg-secret\n");
    Files.writeString(secrets.resolve("s3/access-key"), "AKID\n");
    Files.writeString(secrets.resolve("s3/secret-key"), "s3-secret\n");
    assertThat(file).contains("/etc/reprox-secrets/postgres/password").doesNotContain("pg-secret");
    Path written = Files.writeString(dir.resolve("reprox.yaml"),
        file.replace("/etc/reprox-secrets/", secrets.toString() + "/"));
    ReproxConfig config = ConfigLoader.load(Optional.of(written), Map.of(), Overrides.none());
    StorageConfig storage = config.storage();
    assertThat(storage.type()).isEqualTo(StorageConfig.Type.SHARED);
    assertThat(storage.postgres().orElseThrow().url()).isEqualTo("jdbc:postgresql://pg.db:5432/reprox");
    assertThat(storage.postgres().orElseThrow().password().orElseThrow().value()).isEqualTo("pg-secret");
    assertThat(storage.s3().orElseThrow().bucket()).isEqualTo("reprox-archive");
    assertThat(storage.s3().orElseThrow().endpoint().orElseThrow().toString()).isEqualTo("http://rgw.storage:7480");
    assertThat(storage.s3().orElseThrow().accessKey().orElseThrow().value()).isEqualTo("AKID");
    assertThat(storage.s3().orElseThrow().secretKey().orElseThrow().value()).isEqualTo("s3-secret");
    assertThat(storage.localCache().orElseThrow().path()).isEqualTo(Path.of("/var/lib/reprox/shared-cache"));
    assertThat(storage.localCache().orElseThrow().maxSize()).isEqualTo(10L << 30);
  }

  @Test
  void template_sharedEphemeralCache_usesGenericEphemeralVolume() throws Exception {
    List<JsonNode> objects = render(shared(new Helm(CHART).template().withName("cache")).set("replicas", "2")
        .set("storage.localCache.volume", "ephemeral").set("storage.localCache.storageClassName", "local-nvme"));

    JsonNode data = volume(object(objects, "Deployment", "cache-reprox").at("/spec/template/spec"), "data");
    assertThat(data.has("emptyDir")).isFalse();
    assertThat(data.at("/ephemeral/volumeClaimTemplate/spec/storageClassName").asText()).isEqualTo("local-nvme");
    assertThat(data.at("/ephemeral/volumeClaimTemplate/spec/resources/requests/storage").asText()).isEqualTo("12Gi");
  }

  @Test
  void template_replicasAboveOneWithRocksdb_failsWithMessage() {
    assertThatThrownBy(() -> new Helm(CHART).template().withName("cache").set("replicas", "2").call())
        .hasMessageContaining("replicas: 2 needs storage.type: shared");
  }

  @Test
  void template_sharedWithoutBucket_failsWithMessage() {
    assertThatThrownBy(() -> new Helm(CHART).template().withName("cache").set("replicas", "2")
        .set("storage.type", "shared").set("storage.postgres.url", "jdbc:postgresql://pg/reprox").call())
        .hasMessageContaining("storage.s3.bucket is required");
  }

  private static com.marcnuri.helm.TemplateCommand shared(com.marcnuri.helm.TemplateCommand command) {
    return command.set("storage.type", "shared")
        .set("storage.postgres.url", "jdbc:postgresql://pg.db:5432/reprox")
        .set("storage.postgres.passwordSecret.name", "pg-creds")
        .set("storage.postgres.passwordSecret.key", "pw")
        .set("storage.s3.endpoint", "http://rgw.storage:7480")
        .set("storage.s3.bucket", "reprox-archive")
        .set("storage.s3.credentialsSecret.name", "s3-creds");
  }

  private static JsonNode volume(JsonNode pod, String name) {
    return StreamSupport.stream(pod.path("volumes").spliterator(), false)
        .filter(v -> v.path("name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name + " in " + pod.path("volumes")));
  }

  private static List<JsonNode> render(com.marcnuri.helm.TemplateCommand command) throws Exception {
    List<JsonNode> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(command.call())) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc != null && doc.isObject()) {
          objects.add(doc);
        }
      }
    }
    return objects;
  }

  /** Set from pom.xml by surefire (config/pom.xml), so the chart is checked against the build. */
  private static String property(String name) {
    String value = System.getProperty(name);
    assertThat(value).as("system property " + name + " (set by config/pom.xml)").isNotBlank();
    return value;
  }

  private static JsonNode object(List<JsonNode> objects, String kind, String name) {
    return objects.stream()
        .filter(o -> o.path("kind").asText().equals(kind))
        .filter(o -> o.at("/metadata/name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + objects));
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
