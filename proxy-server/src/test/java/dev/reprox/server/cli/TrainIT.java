package dev.reprox.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.testing.ReproxProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --train}, the launcher's training run for its class-data archive (issue 14), as a
 * child JVM of the shaded jar (an archive needs the classes in a jar): it walks its sample
 * repository and exits 0, and the archive it leaves holds the cold path's classes, which the old
 * training (a server asked for {@code /healthz} only) never loaded.
 */
class TrainIT {
  @TempDir
  Path dir;

  private record Run(int exit, String out) {}

  private Run run(Path jar, List<String> jvm, Path data) throws Exception {
    List<String> options = new ArrayList<>(List.of("-Xmx256m", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
    options.addAll(jvm);
    Process p = ReproxProcess.command(jar, options, dir.resolve("train.log"),
        "serve", "--train", "--data", data.toString(), "--listen", "127.0.0.1:0").start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("the training run ends by itself").isTrue();
    return new Run(p.exitValue(), out);
  }

  @Test
  void train_walksItsSample_andTheArchiveHoldsTheColdPathsClasses() throws Exception {
    Path jar = ReproxProcess.privateJar(dir.resolve("reprox.jar"));
    Path archive = dir.resolve("reprox.jsa");

    Run training = run(jar, List.of("-XX:ArchiveClassesAtExit=" + archive), dir.resolve("data-1"));
    assertThat(training.exit()).as(Files.readString(dir.resolve("train.log"))).isZero();
    assertThat(training.out()).contains("training: root, listing, package (miss and hit), root at ")
        .contains("all answered");
    assertThat(archive).isNotEmptyFile();

    // The same walk again, mapping the archive (-Xshare:on: a JVM that cannot map it fails).
    Path classes = dir.resolve("class-load.log");
    Run mapped = run(jar, List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:on",
        "-Xlog:class+load=info:file=" + classes), dir.resolve("data-2"));
    assertThat(mapped.exit()).isZero();
    String loaded = Files.readString(classes);
    // One class of each step of the cold path: the fill, the listing's decoder and its index.
    for (String name : List.of("dev.reprox.server.fetch.Fill", "org.tukaani.xz.XZInputStream",
        "dev.reprox.server.trust.ListingIndexer", "dev.reprox.storage.BlobWriter")) {
      assertThat(loaded).as(name).contains(" " + name + " source: shared objects file");
    }
  }

  @Test
  void train_takesNoConfigNorOffline_andNeedsAScratchDirectory() {
    for (String[] args : List.of(new String[] {"serve", "--train"},
        new String[] {"serve", "--train", "--data", dir.resolve("d").toString(), "--config", "x.yaml"},
        new String[] {"serve", "--train", "--data", dir.resolve("d").toString(), "--offline"})) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int exit = Main.run(new PrintWriter(new ByteArrayOutputStream(), true),
          new PrintWriter(err, true, StandardCharsets.UTF_8), args);
      assertThat(exit).as(String.join(" ", args)).isEqualTo(Main.EXIT_CONFIG);
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("serve --train: needs --data DIR");
      assertThat(dir.resolve("d")).doesNotExist();
    }
  }
}
