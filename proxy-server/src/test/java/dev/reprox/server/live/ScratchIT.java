package dev.reprox.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.testkit.process.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clean-up the live tests rely on when a tool dies with its mounts in place: a bind mount of
 * an outside directory (as mmdebstrap makes of /dev) and a tmpfs below the scratch directory are
 * unmounted before the delete, so the outside directory keeps its files. Needs root (mount).
 */
class ScratchIT {
  @TempDir
  Path outside;

  @Test
  void close_leftoverMounts_unmountsThenDeletesAndSparesBindSource() throws Exception {
    Path precious = Files.writeString(outside.resolve("precious"), "host file");
    Scratch scratch = Scratch.create("reprox-scratch-it-");
    Path dev = Files.createDirectories(scratch.resolve("chroot/dev"));
    mount("--bind", outside.toString(), dev.toString());
    Path tmpfs = Files.createDirectories(scratch.resolve("chroot/dev/shm"));
    mount("-t", "tmpfs", "tmpfs", tmpfs.toString());
    assertThat(scratch.mountsBelow()).as("deepest first").containsExactly(tmpfs, dev);

    scratch.close();

    assertThat(scratch.root).doesNotExist();
    assertThat(precious).as("the bind mount's source outside the scratch dir").hasContent("host file");
  }

  private static void mount(String... args) {
    List<String> command = new ArrayList<>(List.of("mount"));
    command.addAll(List.of(args));
    Processes.run(command, Map.of(), Duration.ofSeconds(30)).requireOk("mount " + String.join(" ", args));
  }
}
