package dev.reprox.server.live;

import dev.reprox.testkit.apt.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A private Docker engine (Debian's {@code docker.io}) for one test: its own data-root, exec-root,
 * socket and pid file under {@code dir}, no iptables and no bridge (builds use
 * {@code --network host}), in a private mount namespace so its overlay mounts die with it. The
 * client is {@code /usr/bin/docker} with {@code DOCKER_HOST} at that socket and its own
 * {@code DOCKER_CONFIG}, so nothing of the machine's docker set-up is used or touched.
 */
final class DockerDaemon implements AutoCloseable {
  static final Path DOCKERD = Path.of("/usr/sbin/dockerd");
  static final Path DOCKER = Path.of("/usr/bin/docker");

  private final Process dockerd;
  private final Path dir;
  private final Path log;

  private DockerDaemon(Process dockerd, Path dir, Path log) {
    this.dockerd = dockerd;
    this.dir = dir;
    this.log = log;
  }

  /** Starts dockerd and waits until its API answers; kills it if it never does. */
  static DockerDaemon start(Path dir, Duration timeout) throws Exception {
    Files.createDirectories(dir.resolve("config"));
    Path log = dir.resolve("dockerd.log");
    Process p = new ProcessBuilder("unshare", "--mount", "--propagation", "private", DOCKERD.toString(),
        "--iptables=false", "--ip6tables=false", "--bridge=none",
        "--data-root", dir.resolve("data").toString(), "--exec-root", dir.resolve("exec").toString(),
        "-H", "unix://" + socket(dir), "--pidfile", dir.resolve("dockerd.pid").toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    DockerDaemon daemon = new DockerDaemon(p, dir, log);
    try {
      daemon.awaitApi(timeout);
      return daemon;
    } catch (Exception | AssertionError e) {
      daemon.close();
      throw e;
    }
  }

  private static Path socket(Path dir) {
    return dir.resolve("docker.sock");
  }

  /** Polls {@code docker version} until the daemon answers: dockerd prints no machine-readable ready line. */
  private void awaitApi(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    CommandResult last = null;
    while (System.nanoTime() < deadline) {
      if (!dockerd.isAlive()) {
        throw new AssertionError("dockerd exited with " + dockerd.exitValue() + "; log:\n" + log());
      }
      last = docker(Duration.ofSeconds(10), "version");
      if (last.ok()) {
        return;
      }
      dockerd.waitFor(500, TimeUnit.MILLISECONDS);
    }
    throw new AssertionError("dockerd API not up within " + timeout + "\n" + (last == null ? "" : last.describe())
        + "\nlog:\n" + log());
  }

  CommandResult docker(Duration timeout, String... args) {
    List<String> command = new ArrayList<>(List.of(DOCKER.toString()));
    command.addAll(List.of(args));
    return Tools.run(timeout, Map.of("DOCKER_HOST", "unix://" + socket(dir), "DOCKER_CONFIG",
        dir.resolve("config").toString(), "DOCKER_BUILDKIT", "1"), command);
  }

  /** Runs {@code docker args…}; fails with its output unless it exits 0. */
  CommandResult require(String operation, Duration timeout, String... args) {
    return docker(timeout, args).requireOk(operation);
  }

  String log() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /**
   * SIGTERM and wait for dockerd, which stops its containerd and unmounts its layers; then
   * SIGKILL whatever of its process tree is left (a containerd whose parent died).
   */
  @Override
  public void close() throws Exception {
    List<ProcessHandle> tree = dockerd.descendants().toList();
    dockerd.destroy();
    boolean exited = dockerd.waitFor(60, TimeUnit.SECONDS);
    if (!exited) {
      dockerd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    for (ProcessHandle child : tree) {
      if (child.isAlive()) {
        child.destroyForcibly();
      }
    }
    if (!exited) {
      throw new AssertionError("dockerd did not exit within 60 s of SIGTERM; log:\n" + log());
    }
  }
}
