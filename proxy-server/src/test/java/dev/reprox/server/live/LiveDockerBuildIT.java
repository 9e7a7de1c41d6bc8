package dev.reprox.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reprox.testkit.apt.CommandResult;
import dev.reprox.testkit.process.Processes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/**
 * The README's Dockerfile recipe with the real Debian {@code docker.io} engine (BuildKit), built
 * twice through reprox in forward mode: once online, once with reprox {@code --offline} and
 * {@code --no-cache}. The installed package set and every file of the two images are identical
 * (apt's binary caches and logs, which carry times, aside). No registry is reachable here, so the
 * base image is {@code mmdebstrap --variant=minbase bookworm} (through reprox too) imported with
 * {@code docker import}. The Dockerfile declares no {@code ARG http_proxy}: the predefined proxy
 * build-arg reaches RUN anyway and stays out of the image history, which is the README's promise
 * (a declared {@code ARG http_proxy} puts the URL, T and label into the history).
 */
class LiveDockerBuildIT {
  private static final String ROOT = "dists/bookworm/InRelease";
  private static final String DOCKERFILE = """
      FROM reprox-base:bookworm
      RUN apt-get update && apt-get install -y --no-install-recommends hello \\
       && sha256sum /usr/bin/hello && dpkg-query -W > /pkgs.txt
      """;
  private static final Duration BUILD = Duration.ofMinutes(4);
  private static final Pattern HELLO_SHA = Pattern.compile("([0-9a-f]{64})  /usr/bin/hello");
  /** apt's binary caches embed list mtimes, and logs carry times: the only files allowed to differ. */
  private static final Set<String> VOLATILE = Set.of("var/cache/apt/pkgcache.bin", "var/cache/apt/srcpkgcache.bin");
  private static final String VOLATILE_DIR = "var/log/";

  @Test
  void helloImage_onlineThenOfflineNoCache_sameFiles() throws Exception {
    assertThat(DockerDaemon.DOCKERD).as("apt-get install -y docker.io").exists();
    assertThat(DockerDaemon.DOCKER).as("apt-get install -y docker.io").exists();
    assertThat(Processes.onPath("mmdebstrap")).as("mmdebstrap must be installed").isTrue();
    try (Scratch scratch = Scratch.create("reprox-live-docker-")) {
      Path jar = LiveReprox.privateJar(scratch.root);
      Path data = scratch.resolve("data");
      Path context = Files.createDirectories(scratch.resolve("context"));
      Files.writeString(context.resolve("Dockerfile"), DOCKERFILE);
      Image online;
      Image offline;
      double baseSeconds;
      LiveReprox.Generation generation;
      long epoch;
      JsonNode resolved;
      String onlineLog;
      String offlineLog;
      try (DockerDaemon docker = DockerDaemon.start(scratch.resolve("docker"), Duration.ofSeconds(90))) {
        try (LiveReprox reprox = LiveReprox.serve(jar, data, scratch.resolve("online.log"))) {
          long start = System.nanoTime();
          Path base = baseTarball(scratch, reprox);
          docker.require("docker import " + base, Duration.ofMinutes(2), "import", base.toString(),
              "reprox-base:bookworm");
          baseSeconds = Tools.secondsSince(start);
          // SOURCE_DATE_EPOCH inside the recorded window: published before it, seen by reprox after it.
          generation = reprox.lastFetched("debian", ROOT);
          epoch = generation.lastFetchedAt().getEpochSecond();
          online = build(docker, context, reprox, epoch, "docker-online", scratch);
          resolved = reprox.resolve("debian", ROOT, Long.toString(epoch));
          onlineLog = reprox.log();
        }
        try (LiveReprox reprox = LiveReprox.serve(jar, data, scratch.resolve("offline.log"), "--offline")) {
          offline = build(docker, context, reprox, epoch, "docker-offline", scratch, "--no-cache");
          offlineLog = reprox.log();
        }
      }

      Set<String> differing = new TreeSet<>();
      online.files().forEach((path, hash) -> {
        if (!hash.equals(offline.files().get(path))) {
          differing.add(path);
        }
      });
      System.out.printf("LiveDockerBuildIT: SOURCE_DATE_EPOCH %d (%s; bookworm generation %s published %s, pin %s);"
              + " base image %.1f s; build online %.1f s, offline --no-cache %.1f s; %d files compared, differing: %s;"
              + " /usr/bin/hello %s; packages: %d%n",
          epoch, Instant.ofEpochSecond(epoch), generation.digest(), generation.publishedAt(),
          resolved.get("status").asText(), baseSeconds, online.seconds(), offline.seconds(), online.files().size(),
          differing, online.helloSha256(), online.packages().lines().count());

      assertThat(resolved.get("status").asText()).as("resolve %s at %d", ROOT, epoch).isEqualTo("proven");
      assertThat(resolved.get("generation").asText()).isEqualTo(generation.digest());
      for (Image image : List.of(online, offline)) {
        assertThat(image.output()).as("%s: sources.list unchanged, apt went through the proxy", image.label())
            .contains("http://deb.debian.org/debian bookworm InRelease")
            .as("%s: the RUN step ran (not a cache hit)", image.label()).contains("Setting up hello");
        assertThat(image.history()).as("%s: no proxy URL in the image history", image.label())
            .doesNotContain(image.proxy()).doesNotContain(epoch + ":" + image.label());
      }
      assertThat(online.packages()).as("dpkg-query -W").containsPattern("(?m)^hello\t");
      assertThat(offline.packages()).as("installed package set").isEqualTo(online.packages());
      assertThat(offline.helloSha256()).as("sha256sum /usr/bin/hello in the build").isEqualTo(online.helloSha256());
      assertThat(online.files().get("usr/bin/hello")).isEqualTo("sha256:" + online.helloSha256());
      assertThat(online.files()).as("files in the image").hasSizeGreaterThan(5000);
      assertThat(offline.files().keySet()).as("same paths").isEqualTo(online.files().keySet());
      assertThat(differing).as("files whose content differs").allMatch(p -> VOLATILE.contains(p)
          || p.startsWith(VOLATILE_DIR));
      assertThat(onlineLog).as("the online build is pinned at SOURCE_DATE_EPOCH")
          .contains("build docker-online: debian/@" + Instant.ofEpochSecond(epoch) + "/pool/main/h/hello/");
      assertThat(offlineLog).contains("build docker-offline: debian/@" + Instant.ofEpochSecond(epoch) + "/pool/main/h/hello/")
          .as("offline reprox fetched nothing").doesNotContain("Fill - fill").doesNotContain("(LIVE");
    }
  }

  /** {@code mmdebstrap --variant=minbase bookworm} through reprox as a live proxy, as a tarball. */
  private static Path baseTarball(Scratch scratch, LiveReprox reprox) throws IOException {
    Path tmp = Files.createDirectories(scratch.resolve("tmp"));
    Path tar = scratch.resolve("base.tar");
    // A private mount namespace: whatever mmdebstrap mounts dies with it, even on a timeout's kill -9.
    Tools.require("mmdebstrap --variant=minbase bookworm through reprox", Duration.ofMinutes(5),
        Map.of("http_proxy", "http://" + reprox.address() + "/", "TMPDIR", tmp.toString(),
            "SOURCE_DATE_EPOCH", "1700000000"),
        List.of("unshare", "--mount", "--propagation", "private", "mmdebstrap", "--variant=minbase", "--mode=root",
            "--format=tar", "bookworm", tar.toString(), "http://deb.debian.org/debian"));
    return tar;
  }

  /** {@code docker build --network host --build-arg http_proxy=http://<epoch>:<label>@reprox}, then its files. */
  private static Image build(DockerDaemon docker, Path context, LiveReprox reprox, long epoch, String label,
      Scratch scratch, String... extra) throws IOException {
    String tag = "reprox-hello:" + label;
    String proxy = "http://" + epoch + ":" + label + "@" + reprox.address() + "/";
    List<String> args = new ArrayList<>(List.of("build", "--network", "host", "--progress", "plain",
        "--build-arg", "http_proxy=" + proxy, "-t", tag));
    args.addAll(List.of(extra));
    args.add(context.toString());
    long start = System.nanoTime();
    CommandResult build = docker.require("docker build (" + label + ")", BUILD, args.toArray(String[]::new));
    double seconds = Tools.secondsSince(start);
    Matcher hello = HELLO_SHA.matcher(build.output());
    assertThat(hello.find()).as("sha256sum /usr/bin/hello in the build output\n%s", build.describe()).isTrue();
    String history = docker.require("docker history", Duration.ofMinutes(1), "history", "--no-trunc", tag).stdout()
        + docker.require("docker inspect", Duration.ofMinutes(1), "inspect", tag).stdout();
    String container = docker.require("docker create", Duration.ofMinutes(1), "create", tag, "/bin/true").stdout().strip();
    Path tar = scratch.resolve(label + ".tar");
    try {
      docker.require("docker export", Duration.ofMinutes(2), "export", "-o", tar.toString(), container);
    } finally {
      docker.docker(Duration.ofMinutes(1), "rm", container);
    }
    Map<String, String> files = new TreeMap<>();
    String packages = hashFiles(tar, files);
    Files.delete(tar);
    return new Image(label, proxy, seconds, build.output(), history, hello.group(1), packages, files);
  }

  /** Every entry of an exported file system: regular files by sha256, links by target. Returns /pkgs.txt. */
  private static String hashFiles(Path tar, Map<String, String> files) throws IOException {
    String packages = null;
    try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream entries = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry e; (e = entries.getNextEntry()) != null; ) {
        String name = e.getName().replaceFirst("^\\./", "").replaceFirst("^/", "");
        if (e.isSymbolicLink()) {
          files.put(name, "symlink:" + e.getLinkName());
        } else if (e.isLink()) {
          files.put(name, "hardlink:" + e.getLinkName());
        } else if (e.isFile()) {
          if (name.equals("pkgs.txt")) {
            byte[] body = entries.readAllBytes();
            packages = new String(body, StandardCharsets.UTF_8);
            files.put(name, "sha256:" + HexFormat.of().formatHex(Tools.sha256().digest(body)));
          } else {
            MessageDigest digest = Tools.sha256();
            try (OutputStream sink = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
              entries.transferTo(sink);
            }
            files.put(name, "sha256:" + HexFormat.of().formatHex(digest.digest()));
          }
        }
      }
    }
    assertThat(packages).as("/pkgs.txt in %s", tar).isNotNull();
    return packages;
  }

  private record Image(String label, String proxy, double seconds, String output, String history, String helloSha256,
      String packages, Map<String, String> files) {}
}
