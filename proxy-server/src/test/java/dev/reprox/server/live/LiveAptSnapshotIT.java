package dev.reprox.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reprox.pinning.TimeSpec;
import dev.reprox.testkit.apt.CommandResult;
import dev.reprox.testkit.process.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * apt 3's own {@code --snapshot} through reprox (DESIGN §1.3, issue 4): a trixie chroot made by
 * {@code mmdebstrap --variant=apt trixie} through a live reprox, then inside it
 * {@code apt-get --snapshot <ID> update} and {@code … install --download-only hello} with apt's
 * snapshot URLs pointed at reprox's mirror mode, at an ID inside the window reprox recorded. Then
 * reprox restarts {@code --offline} and the same commands give the same .deb, once through the
 * mirror-mode overrides and once through {@code http://snapshot.debian.org/…} URLs in forward mode.
 *
 * <p>Every request apt makes goes to reprox: the snapshot URLs directly ({@code Proxy::127.0.0.1
 * "DIRECT"}), everything else through the pinned proxy {@code http://<ID>:<label>@reprox/}, which
 * also pins the live {@code InRelease} apt fetches next to the snapshot. So the offline run proves
 * the whole command needs no upstream.
 */
class LiveAptSnapshotIT {
  private static final String ROOT = "dists/trixie/InRelease";
  private static final Duration APT = Duration.ofMinutes(3);

  @Test
  void snapshotInstall_liveThenOffline_sameDebSameGeneration() throws Exception {
    assertThat(Processes.onPath("mmdebstrap")).as("mmdebstrap must be installed").isTrue();
    assertThat(Processes.onPath("unshare")).as("unshare (util-linux) must be installed").isTrue();
    try (Scratch scratch = Scratch.create("reprox-live-apt-")) {
      Path jar = LiveReprox.privateJar(scratch.root);
      Path chroot = scratch.resolve("trixie");
      Path data = scratch.resolve("data");
      double chrootSeconds;
      String aptVersion;
      LiveReprox.Generation generation;
      String at;
      Install live;
      JsonNode resolved;
      String liveLog;
      String liveBase;
      try (LiveReprox reprox = LiveReprox.serve(jar, data, scratch.resolve("live.log"))) {
        liveBase = reprox.base();
        long start = System.nanoTime();
        mmdebstrap(scratch, chroot, reprox);
        chrootSeconds = Tools.secondsSince(start);
        aptVersion = Tools.require("apt-get --version in the chroot", APT, Map.of(),
            List.of("chroot", chroot.toString(), "apt-get", "--version")).stdout().lines().findFirst().orElse("");
        // An ID inside the recorded window: the generation was published before it and seen after it.
        generation = reprox.lastFetched("debian", ROOT);
        at = TimeSpec.format(generation.lastFetchedAt().truncatedTo(ChronoUnit.SECONDS));
        live = install(chroot, reprox, at, Urls.MIRROR, "apt-live");
        resolved = reprox.resolve("debian", ROOT, at);
        liveLog = reprox.log();
      }
      Install offline;
      Install viaSnapshotUrls;
      String offlineLog;
      try (LiveReprox reprox = LiveReprox.serve(jar, data, scratch.resolve("offline.log"), "--offline")) {
        offline = install(chroot, reprox, at, Urls.MIRROR, "apt-offline");
        viaSnapshotUrls = install(chroot, reprox, at, Urls.SNAPSHOT_SERVER, "apt-offline-snapshot-url");
        offlineLog = reprox.log();
      }

      System.out.printf("LiveAptSnapshotIT: %s; chroot %.1f s; --snapshot %s (generation %s published %s): "
              + "live %s; offline %s; offline via snapshot.debian.org URLs %s%n",
          aptVersion, chrootSeconds, at, generation.digest(), generation.publishedAt(), live, offline, viaSnapshotUrls);

      assertThat(aptVersion).as("the chroot's apt").startsWith("apt 3.");
      assertThat(generation.publishedAt()).as("T is after the generation's publication")
          .isBeforeOrEqualTo(TimeSpec.parse(at));
      assertThat(resolved.get("status").asText()).as("resolve %s at %s", ROOT, at).isEqualTo("proven");
      assertThat(resolved.get("pinned").asBoolean()).as("apt's request at %s pinned it", at).isTrue();
      assertThat(resolved.get("generation").asText()).isEqualTo(generation.digest());

      assertThat(live.update()).as("apt fetched the snapshot InRelease from reprox's mirror mode")
          .contains(liveBase + "/debian/@" + at + " trixie InRelease")
          .as("and the live InRelease through the proxy")
          .contains("http://deb.debian.org/debian trixie InRelease");
      String instant = TimeSpec.parse(at).toString();
      assertThat(liveLog).as("the live InRelease next to the snapshot is pinned at T too")
          .contains("build apt-live: debian/@" + instant + "/dists/trixie/InRelease (forward http://deb.debian.org/");

      for (Install run : List.of(live, offline, viaSnapshotUrls)) {
        assertThat(run.header("x-reprox-pin")).as("%s: pin of the .deb", run.label()).isEqualTo("proven");
        assertThat(run.header("x-reprox-generation")).as("%s: generation", run.label()).isEqualTo(generation.digest());
        assertThat(run.deb()).as("%s: same package", run.label()).isEqualTo(live.deb());
        assertThat(run.sha256()).as("%s: same bytes", run.label()).isEqualTo(live.sha256());
      }
      assertThat(live.header("x-reprox-cache")).as("the live run fetched the .deb upstream").isEqualTo("MISS");
      for (Install run : List.of(offline, viaSnapshotUrls)) {
        assertThat(run.header("x-reprox-cache")).as("%s: served from the store", run.label()).isEqualTo("HIT");
        // A MISS carries no ETag: reprox names the digest only once the bytes it streams are verified.
        assertThat(run.header("etag")).as("%s: ETag is the file's digest", run.label())
            .isEqualTo("\"sha256:" + run.sha256() + "\"");
      }
      assertThat(viaSnapshotUrls.update()).contains("http://snapshot.debian.org/archive/debian/" + at + " trixie InRelease");
      assertThat(offlineLog).as("the snapshot.debian.org URL was served in forward mode, pinned at its own T")
          .contains("build apt-offline-snapshot-url: debian/@" + instant + "/pool/main/h/hello/")
          .as("offline reprox fetched nothing").doesNotContain("Fill - fill").doesNotContain("(LIVE");
    }
  }

  /** {@code mmdebstrap --variant=apt trixie} through reprox as a live (unpinned) proxy. */
  private static void mmdebstrap(Scratch scratch, Path chroot, LiveReprox reprox) throws IOException {
    Path tmp = Files.createDirectories(scratch.resolve("tmp"));
    // A private mount namespace: whatever mmdebstrap mounts dies with it, even on a timeout's kill -9.
    Tools.require("mmdebstrap --variant=apt trixie through reprox", Duration.ofMinutes(5),
        Map.of("http_proxy", "http://" + reprox.address() + "/", "TMPDIR", tmp.toString()),
        List.of("unshare", "--mount", "--propagation", "private", "mmdebstrap", "--variant=apt", "--mode=root",
            "--format=directory", "trixie", chroot.toString(), "http://deb.debian.org/debian"));
  }

  /** Where apt's snapshot URLs point. */
  private enum Urls {
    /** {@code http://reprox/debian/@@SNAPSHOTID@/}: mirror mode. */
    MIRROR,
    /** {@code http://snapshot.debian.org/archive/debian/@SNAPSHOTID@/} through the proxy: forward mode. */
    SNAPSHOT_SERVER
  }

  /** Empties the chroot's lists and archives, then update and install --download-only hello at {@code at}. */
  private static Install install(Path chroot, LiveReprox reprox, String at, Urls urls, String label)
      throws IOException {
    clear(chroot.resolve("var/lib/apt/lists"));
    clear(chroot.resolve("var/cache/apt/archives"));
    // apt 3's defaults are https://snapshot.debian.org/…, which a plain proxy cannot serve (CONNECT is refused).
    String snapshot = urls == Urls.MIRROR ? reprox.base() + "/debian/@@SNAPSHOTID@/"
        : "http://snapshot.debian.org/archive/debian/@SNAPSHOTID@/";
    List<String> options = new ArrayList<>(List.of(
        "Acquire::Snapshots::URI::Override::Origin::Debian=" + snapshot,
        "Acquire::Snapshots::URI::Host::deb.debian.org=" + snapshot,
        "Acquire::http::Proxy=http://" + at + ":" + label + "@" + reprox.address() + "/",
        "Acquire::http::Proxy::127.0.0.1=DIRECT"));
    long start = System.nanoTime();
    CommandResult update = Tools.require("apt-get --snapshot " + at + " update (" + label + ")", APT, Map.of(),
        apt(chroot, at, options, "update"));
    options.add("Debug::Acquire::http=true");
    CommandResult install = Tools.require("apt-get --snapshot " + at + " install hello (" + label + ")", APT, Map.of(),
        apt(chroot, at, options, "install", "-y", "--download-only", "hello"));
    double seconds = Tools.secondsSince(start);
    assertThat(update.output()).as("apt-get update (%s)", label).doesNotContain("Err:").doesNotContain("W: ");
    Path deb;
    try (Stream<Path> files = Files.list(chroot.resolve("var/cache/apt/archives"))) {
      deb = files.filter(p -> p.getFileName().toString().matches("hello_.*_amd64\\.deb")).findFirst()
          .orElseThrow(() -> new AssertionError("no hello .deb downloaded (" + label + ")\n" + install.describe()));
    }
    String name = deb.getFileName().toString();
    return new Install(label, seconds, update.output(), name, Tools.sha256(deb), answerHeaders(install, name));
  }

  private static List<String> apt(Path chroot, String at, List<String> options, String... args) {
    List<String> command = new ArrayList<>(List.of("chroot", chroot.toString(), "apt-get", "--snapshot", at));
    options.forEach(o -> command.addAll(List.of("-o", o)));
    command.addAll(List.of(args));
    return command;
  }

  /**
   * The response headers apt printed ({@code Debug::Acquire::http}) for the request whose URL ends
   * with {@code /<file>}: an {@code Answer for: <url>} line, the status line, headers, a blank line.
   */
  private static Map<String, String> answerHeaders(CommandResult install, String file) {
    for (String stream : List.of(install.stderr(), install.stdout())) {
      List<String> lines = stream.lines().toList();
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).startsWith("Answer for: ") && lines.get(i).endsWith("/" + file)) {
          Map<String, String> headers = new HashMap<>();
          for (int j = i + 2; j < lines.size() && !lines.get(j).isBlank(); j++) {
            int colon = lines.get(j).indexOf(':');
            if (colon > 0) {
              headers.put(lines.get(j).substring(0, colon).toLowerCase(Locale.ROOT), lines.get(j).substring(colon + 1).strip());
            }
          }
          return headers;
        }
      }
    }
    throw new AssertionError("apt printed no answer for " + file + "\n" + install.describe());
  }

  private static void clear(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.delete(f);
      }
    }
  }

  private record Install(String label, double seconds, String update, String deb, String sha256,
      Map<String, String> headers) {
    String header(String name) {
      return headers.get(name);
    }

    @Override
    public String toString() {
      return String.format("%.1f s, %s sha256 %s, %s", seconds, deb, sha256.substring(0, 16), headers.entrySet()
          .stream().filter(e -> e.getKey().startsWith("x-reprox")).sorted(Map.Entry.comparingByKey()).toList());
    }
  }
}
