package dev.reprox.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What {@link Main#jvmDefaults} sets, seen in a JVM of its own (the settings act once per JVM). */
class JvmDefaultsTest {

  @Test
  void twoCores_asyncStagesRunOnTheCommonPool_notOnAThreadEach() throws Exception {
    assertThat(probe(true)).isEqualTo("executor java.util.concurrent.ForkJoinPool");
    // Without it the JDK's default on two cores: a new thread per async stage.
    assertThat(probe(false)).isEqualTo("executor java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor");
  }

  @Test
  void rsaPublicModulus_noMillerRabinRounds_unlessTheOperatorSetsThem() throws Exception {
    // A prime modulus passes every check Bouncy Castle makes but the compositeness rounds.
    assertThat(run(RsaModulusProbe.class, List.of(), true, "modulus ")).isEqualTo("modulus accepted");
    assertThat(run(RsaModulusProbe.class, List.of(), false, "modulus "))
        .isEqualTo("modulus refused: RSA modulus is not composite");
    // A value the operator set (e.g. -Dorg.bouncycastle.rsa.max_mr_tests=3 in JAVA_OPTS) is kept.
    assertThat(run(RsaModulusProbe.class, List.of("-D" + Main.BC_RSA_MR_TESTS + "=3"), true, "modulus "))
        .isEqualTo("modulus refused: RSA modulus is not composite");
  }

  private static String probe(boolean defaults) throws Exception {
    return run(AsyncPoolProbe.class, List.of("-XX:ActiveProcessorCount=2"), defaults, "executor ");
  }

  private static String run(Class<?> probe, List<String> jvm, boolean defaults, String prefix) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(jvm);
    command.addAll(List.of("-cp", classpath, probe.getName()));
    if (!defaults) {
      command.add("--no-defaults");
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse(out);
  }
}
