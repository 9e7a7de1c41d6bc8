package dev.reprox.server.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code reprox prewarm --server} initialises, observed in a JVM of its own ({@code
 * -verbose:class}): a client of a plain-http server with a reprox lockfile needs neither the
 * configuration (YAML, validation) nor a TLS context (issue 11).
 */
class PrewarmClientPathTest {
  private static final String ROUTE = "/-/api/admin/prewarm";

  @TempDir
  Path dir;

  private WireMockServer server;

  @BeforeEach
  void start() {
    server = new WireMockServer(wireMockConfig().dynamicPort());
    server.start();
    server.stubFor(post(urlPathEqualTo(ROUTE)).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/x-ndjson")
        .withBody("{\"line\":1,\"outcome\":\"present\"}\n{\"line\":2,\"outcome\":\"stored\"}\n")));
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private record Child(int exit, String output) {}

  private Child prewarm(String... extra) throws Exception {
    Path lock = Files.writeString(dir.resolve("reprox.lock.json"), """
        {"lockfileVersion": 1, "repositories": [{"name": "fix", "format": "apt", "at": "2024-03-01T06:00:00Z",
          "roots": [{"path": "dists/stable/InRelease", "generation": "sha256:%s"}],
          "packages": [{"path": "pool/main/a/a_1_all.deb", "sha256": "%s", "size": 10},
                       {"path": "pool/main/b/b_1_all.deb", "sha256": "%s", "size": 20}]}]}
        """.formatted("0".repeat(64), "a".repeat(64), "b".repeat(64)));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path log = dir.resolve("child.log");
    List<String> command = new java.util.ArrayList<>(List.of(java, "-Xshare:off", "-verbose:class", "-cp", classpath,
        Main.class.getName(), "prewarm", "--server", server.baseUrl()));
    command.addAll(List.of(extra));
    command.add(lock.toString());
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    // REPROX_ variables that are configuration load it (to check them); these two are not.
    pb.environment().keySet().removeIf(k -> k.startsWith("REPROX_"));
    pb.environment().putAll(Map.of("REPROX_JAVA_OPTS", "-Xmx1g", "REPROX_LOG_LEVEL", "info"));
    Process p = pb.start();
    boolean ended = p.waitFor(120, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    assertThat(ended).as("the child ended").isTrue();
    return new Child(p.exitValue(), Files.readString(log));
  }

  @Test
  void reproxLockfileOverHttp_loadsNeitherTheConfigurationNorATlsContext() throws Exception {
    Child c = prewarm();

    assertThat(c.exit()).as(c.output()).isZero();
    assertThat(c.output()).containsPattern("already present +1\\n").containsPattern("stored +1\\n")
        .contains("dev.reprox.server.cli.PrewarmBatchClient ") // the log does name what was loaded
        .doesNotContain("dev.reprox.config.ConfigLoader ").doesNotContain("dev.reprox.config.ConfigValidator ")
        .doesNotContain("sun.security.ssl.SSLContextImpl ");
  }

  @Test
  void withConfig_loadedFirst_aBadOneExits2BeforeAnyRequest() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "repositories:\n  x:\n    format: apt\n    upstream: ftp:/x\n");

    Child c = prewarm("--config", bad.toString());

    assertThat(c.exit()).as(c.output()).isEqualTo(2);
    assertThat(c.output()).contains("repositories.x.upstream");
    assertThat(server.getAllServeEvents()).isEmpty();
  }
}
