package dev.reprox.server.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bad {@code REPROX_} variable stops every command that reads {@code REPROX_} variables, on every
 * path, as it stops {@code serve}: the same {@code config:} line and exit 2, before any request.
 * The client paths ({@code prewarm --server} of a reprox lockfile, {@code gc --server}, {@code
 * generations}, {@code lock --label --server}) load no configuration otherwise, so they used to
 * go on without the token a misspelt variable meant to give. Each command runs in a JVM of its
 * own: the environment is the process's.
 */
class ClientEnvironmentTest {
  private static final String UNKNOWN_LINE = "config: REPROX_ADMIN_TOKN: not a configuration path";
  private static final String MALFORMED_LINE = "config: api.admin-token: a token is visible ASCII characters only"
      + " (no spaces, controls or non-ASCII letters) (set by REPROX_ADMIN_TOKEN)";

  @TempDir
  Path dir;

  private WireMockServer server;
  private Path lock;

  @BeforeEach
  void start() throws Exception {
    server = new WireMockServer(wireMockConfig().dynamicPort());
    server.start();
    server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("{}")));
    server.stubFor(post(urlPathEqualTo("/-/api/admin/prewarm")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/x-ndjson").withBody("{\"line\":1,\"outcome\":\"present\"}\n")));
    lock = Files.writeString(dir.resolve("reprox.lock.json"), """
        {"lockfileVersion": 1, "repositories": [{"name": "fix", "format": "apt", "at": "2024-03-01T06:00:00Z",
          "roots": [{"path": "dists/stable/InRelease", "generation": "sha256:%s"}],
          "packages": [{"path": "pool/main/a/a_1_all.deb", "sha256": "%s", "size": 10}]}]}
        """.formatted("0".repeat(64), "a".repeat(64)));
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private record Child(int exit, String output) {}

  /** {@code reprox args…} in a JVM of its own, with no REPROX_ variable but {@code env}. */
  private Child reprox(Map<String, String> env, String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-cp", classpath,
        Main.class.getName()));
    command.addAll(List.of(args));
    Path log = Files.createTempFile(dir, "child", ".log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("REPROX_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    boolean ended = p.waitFor(120, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    assertThat(ended).as("reprox %s ended", args[0]).isTrue();
    return new Child(p.exitValue(), Files.readString(log));
  }

  /** Every command that reads REPROX_ variables, by each of its paths that a bad one must stop. */
  private List<String[]> commands() {
    String url = server.baseUrl();
    return List.of(
        new String[] {"serve", "--listen", "127.0.0.1:0", "--data", dir.resolve("serve-data").toString()},
        new String[] {"prewarm", "--server", url, lock.toString()},
        new String[] {"gc", "--server", url},
        new String[] {"generations", "fix", "--server", url},
        new String[] {"lock", "--label", "ci", "--server", url},
        new String[] {"export", "--server", url, "--repo", "fix", "--at", "20240301", "-o",
            dir.resolve("out.bundle").toString()},
        new String[] {"import", "--server", url, dir.resolve("in.bundle").toString()});
  }

  private void everyCommandStopped(Map<String, String> env, String line) throws Exception {
    for (String[] args : commands()) {
      Child c = reprox(env, args);

      assertThat(c.exit()).as("reprox %s: %s", args[0], c.output()).isEqualTo(Main.EXIT_CONFIG);
      assertThat(c.output().lines()).as("reprox %s", args[0]).anySatisfy(l -> assertThat(l).startsWith(line));
    }
    assertThat(server.getAllServeEvents()).as("no request reached the server").isEmpty();
  }

  @Test
  void unknownReproxVariable_everyCommandEveryPath_exits2WithServesError() throws Exception {
    everyCommandStopped(Map.of("REPROX_ADMIN_TOKN", "secret"), UNKNOWN_LINE);
  }

  @Test
  void malformedReproxVariable_everyCommandEveryPath_exits2WithServesError() throws Exception {
    everyCommandStopped(Map.of("REPROX_ADMIN_TOKEN", "two words"), MALFORMED_LINE);
  }

  @Test
  void validTokenAndVariablesThatAreNotConfiguration_prewarmServerRunsWithTheToken() throws Exception {
    Child c = reprox(Map.of("REPROX_ADMIN_TOKEN", "tok", "REPROX_JAVA_OPTS", "-Xmx1g", "REPROX_LOG_LEVEL", "debug"),
        "prewarm", "--server", server.baseUrl(), lock.toString());

    assertThat(c.exit()).as(c.output()).isZero();
    assertThat(c.output()).containsPattern("already present +1\\n");
    assertThat(server.findAll(postRequestedFor(urlPathEqualTo("/-/api/admin/prewarm"))
        .withHeader("Authorization", equalTo("Bearer tok")))).hasSize(1);
  }
}
