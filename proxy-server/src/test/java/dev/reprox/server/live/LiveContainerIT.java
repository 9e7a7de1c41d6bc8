package dev.reprox.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.testkit.apt.AptClient;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.apt.CommandResult;
import dev.reprox.testkit.http.StaticServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The image that {@code -Pimage} builds, run the way the README says: Debian's {@code docker.io}
 * (a private engine) loads the tarball and runs it with {@code --read-only}, the store on a named
 * volume and no tmpfs, as the image's non-root user. The real {@code apt-get update} on the host
 * then goes through it to a local signed fixture upstream (testkit), and the package it downloads
 * has the fixture's sha256. Needs {@code -Plive -Pimage} (the tarball) and root; no network.
 */
class LiveContainerIT {
  private static final Instant T1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final String NAME = "reprox-live";
  /** The README's --health-cmd: the JRE base images have no curl, bash's /dev/tcp asks /healthz. */
  static final String HEALTH_CMD = "bash -c 'exec 3<>/dev/tcp/127.0.0.1/%d && printf \"GET /healthz HTTP/1.0\\r\\n\\r\\n\""
      + " >&3 && head -1 <&3 | grep -q \" 200 \"'";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void image_readOnlyWithStoreVolume_servesAptGetUpdateAsNonRoot() throws Exception {
    assertThat(DockerDaemon.DOCKERD).as("apt-get install -y docker.io").exists();
    Path tarball = Path.of(System.getProperty("reprox.image.tar"));
    assertThat(tarball).as("the image tarball: run with -Pimage (README, Container image)").isRegularFile();
    String image = System.getProperty("reprox.image.name");
    try (Scratch scratch = Scratch.create("reprox-live-container-")) {
      AptRepoBuilder repo = AptRepoBuilder.in(scratch.resolve("repo")).date(T1).add("foo", "1.0");
      AptGeneration g1 = repo.publish();
      // The container's user reads its config and the fixture keyring through a bind mount.
      Path conf = Files.createDirectories(scratch.resolve("conf"));
      Path keyring = repo.writeKeyring(conf.resolve("fix.gpg"));
      try (StaticServer upstream = StaticServer.serve(repo.root());
          DockerDaemon docker = DockerDaemon.start(scratch.resolve("docker"), Duration.ofSeconds(90))) {
        Files.writeString(conf.resolve("reprox.yaml"), "repositories:\n  fix:\n    format: apt\n    upstream: "
            + upstream.baseUri().toString().replaceAll("/$", "") + "\n    keyring: /etc/reprox/fix.gpg\n");
        readableByAll(conf, keyring, conf.resolve("reprox.yaml"));

        long start = System.nanoTime();
        docker.require("docker load", Duration.ofMinutes(3), "load", "-i", tarball.toString());
        double loadSeconds = Tools.secondsSince(start);
        // Host networking (the private engine has no bridge): the image's 3142 may be taken on
        // this machine, so the command line names a free port; everything else is the image's.
        int port = freePort();
        start = System.nanoTime();
        docker.require("docker run", Duration.ofMinutes(1), "run", "-d", "--name", NAME, "--network", "host",
            "--health-cmd", HEALTH_CMD.formatted(port), "--health-interval", "1s",
            "--read-only", "-v", "reprox-store:/var/lib/reprox", "-v", conf + ":/etc/reprox:ro", image,
            "serve", "--config", "/etc/reprox/reprox.yaml", "--data", "/var/lib/reprox",
            "--listen", "0.0.0.0:" + port);
        URI base = URI.create("http://127.0.0.1:" + port + "/");
        awaitHealthy(docker, base.resolve("healthz"), Duration.ofSeconds(90));
        double startSeconds = Tools.secondsSince(start);
        assertThat(get(base.resolve("readyz")).statusCode()).isEqualTo(200);
        awaitDockerHealthy(docker, Duration.ofSeconds(60));

        AptClient apt = AptClient.builder(scratch.resolve("apt")).keyring(keyring)
            .source(base.resolve("fix/"), "stable", "main", "check-valid-until=no")
            .timeout(Duration.ofSeconds(60)).build();
        CommandResult update = apt.update();
        assertThat(update.output()).contains("Get:1 " + base.resolve("fix") + " stable InRelease");
        List<Path> debs = apt.downloadOnly("foo");
        assertThat(debs).singleElement().satisfies(d -> assertThat(Tools.sha256(d)).isEqualTo(g1.deb("foo").sha256()));
        assertThat(upstream.requestsEndingWith("InRelease")).isNotEmpty();

        // Who wrote the store, and that the root filesystem really is read-only.
        String owner = docker.require("stat", Duration.ofSeconds(30), "exec", NAME,
            "stat", "-c", "%u", "/var/lib/reprox/store").stdout().strip();
        assertThat(owner).isEqualTo(System.getProperty("reprox.image.uid"));
        CommandResult write = docker.docker(Duration.ofSeconds(30), "exec", NAME, "sh", "-c", "echo x > /x");
        assertThat(write.ok()).as(write.describe()).isFalse();
        assertThat(write.output()).contains("Read-only file system");

        docker.require("docker stop", Duration.ofSeconds(90), "stop", NAME);
        String logs = docker.require("docker logs", Duration.ofSeconds(30), "logs", NAME).output();
        assertThat(logs).contains("listening on");
        System.out.printf("LiveContainerIT: docker load %.1f s, run to /healthz %.1f s%n", loadSeconds, startSeconds);
      }
    }
  }

  /** Polls /healthz; fails with the container's log if it exits or never answers 200. */
  private static void awaitHealthy(DockerDaemon docker, URI healthz, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (get(healthz).statusCode() == 200) {
          return;
        }
      } catch (ConnectException notYet) {
        // the JVM is starting or the store opening
      }
      String state = docker.require("docker inspect", Duration.ofSeconds(30), "inspect", "-f", "{{.State.Running}}",
          NAME).stdout().strip();
      if (!state.equals("true")) {
        throw new AssertionError("container exited:\n" + docker.docker(Duration.ofSeconds(30), "logs", NAME).output());
      }
      Thread.sleep(500); // polling interval while waiting for the port, not a synchronisation
    }
    throw new AssertionError("no 200 from " + healthz + " within " + timeout + ":\n"
        + docker.docker(Duration.ofSeconds(30), "logs", NAME).output());
  }

  /** Docker's own view through the README's --health-cmd (run every second). */
  private static void awaitDockerHealthy(DockerDaemon docker, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String status = "";
    while (System.nanoTime() < deadline) {
      status = docker.require("docker inspect", Duration.ofSeconds(30), "inspect", "-f", "{{.State.Health.Status}}",
          NAME).stdout().strip();
      if (status.equals("healthy")) {
        return;
      }
      Thread.sleep(500); // polling docker's health state, which it updates on its own schedule
    }
    throw new AssertionError("docker health " + status + " after " + timeout + ":\n"
        + docker.docker(Duration.ofSeconds(30), "inspect", "-f", "{{json .State.Health}}", NAME).output());
  }

  private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void readableByAll(Path dir, Path... files) throws IOException {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (Path file : files) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
