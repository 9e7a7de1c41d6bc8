package dev.reprox.testkit.dnf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Clean-up after rpm tools and dnf: stops the gpg-agents they leave behind and deletes scratch
 * trees. Running them is {@link dev.reprox.testkit.process.Processes}' job.
 */
final class Commands {

  private Commands() {
  }

  /**
   * Stops every gpg-agent whose {@code --homedir} lies under {@code dir}, by PID: gpg (run by
   * rpmsign, or by dnf for each repository keyring) starts one per home and leaves it running.
   * Returns how many were stopped.
   */
  static int stopGpgAgentsUnder(Path dir) {
    String prefix = dir.toAbsolutePath().normalize().toString();
    List<ProcessHandle> agents = ProcessHandle.allProcesses()
        .filter(p -> p.info().command().map(c -> c.endsWith("/gpg-agent")).orElse(false))
        .filter(p -> p.info().arguments().map(args -> homedirUnder(args, prefix)).orElse(false))
        .toList();
    for (ProcessHandle agent : agents) {
      agent.destroy();
    }
    for (ProcessHandle agent : agents) {
      try {
        agent.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        agent.destroyForcibly();
      }
    }
    return agents.size();
  }

  private static boolean homedirUnder(String[] args, String prefix) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--homedir") && (args[i + 1].equals(prefix) || args[i + 1].startsWith(prefix + "/"))) {
        return true;
      }
    }
    return false;
  }

  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // A gpg socket vanishing under us, or similar: leftovers in /tmp are harmless.
    }
  }
}
