package dev.reprox.testkit.shared;

import dev.reprox.testkit.apt.CommandResult;
import dev.reprox.testkit.process.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A one-node Ceph cluster with a RADOS Gateway on 127.0.0.1, from Debian's {@code ceph-mon},
 * {@code ceph-osd}, {@code radosgw} and {@code ceph-common}: one monitor, one OSD on {@code memstore}
 * (objects in RAM), pools of size 1, cephx off, no manager (nothing here needs one). The daemons run
 * in the foreground as child processes with a config file and data directories in a temporary
 * directory (no systemd), and {@link #close()} kills them all. Takes some 15 s to answer S3.
 */
public final class CephRgwServer implements S3Server {
  public static final String ACCESS_KEY = "reprox-test-access";
  public static final String SECRET_KEY = "reprox-test-secret";
  /** The tools the cluster needs; {@link #start()} names the first one missing. */
  static final List<String> TOOLS = List.of("monmaptool", "ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "ceph");
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private final Path root;
  private final Path conf;
  private final int rgwPort;
  private final List<Process> daemons = new ArrayList<>();
  private Process rgw;

  private CephRgwServer(Path root, int rgwPort) {
    this.root = root;
    this.conf = root.resolve("ceph.conf");
    this.rgwPort = rgwPort;
  }

  /** The first Ceph tool not on the PATH, or null when all are there. */
  public static String missingTool() {
    return missingTool(System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
  }

  /** The first of {@link #TOOLS} that no directory of {@code path} (colon-separated) has executable. */
  static String missingTool(String path) {
    for (String tool : TOOLS) {
      boolean found = false;
      for (String dir : path.split(":")) {
        found |= !dir.isEmpty() && Files.isExecutable(Path.of(dir, tool));
      }
      if (!found) {
        return tool;
      }
    }
    return null;
  }

  /** Creates the cluster, starts its daemons and a user, and waits until RGW answers HTTP. */
  public static CephRgwServer start() {
    requireInstalled(missingTool());
    CephRgwServer s = null;
    try {
      Path root = Files.createTempDirectory("reprox-ceph");
      s = new CephRgwServer(root, PostgresServer.freePort());
      s.create(PostgresServer.freePort());
      return s;
    } catch (IOException e) {
      if (s != null) {
        s.close();
      }
      throw new UncheckedIOException("start Ceph RGW", e);
    } catch (RuntimeException | Error e) {
      if (s != null) {
        s.close();
      }
      throw e;
    }
  }

  /** Throws naming {@code missing} (a tool from {@link #missingTool()}) unless it is null. */
  static void requireInstalled(String missing) {
    if (missing != null) {
      throw new IllegalStateException("Ceph RGW: " + missing + " not found on the PATH"
          + " (Debian packages ceph-mon ceph-osd radosgw ceph-common)");
    }
  }

  private void create(int monPort) throws IOException {
    for (String dir : List.of("mon", "osd", "rgw", "run", "log")) {
      Files.createDirectories(root.resolve(dir));
    }
    String fsid = UUID.randomUUID().toString();
    String mon = "[v2:127.0.0.1:" + monPort + "]";
    Files.writeString(conf, String.join("\n",
        "[global]",
        "fsid = " + fsid,
        "mon_host = " + mon,
        "public_addr = 127.0.0.1",
        "ms_bind_ipv6 = false",
        "auth_cluster_required = none",
        "auth_service_required = none",
        "auth_client_required = none",
        // Daemons default to secure mode towards the monitor, which needs cephx: with auth none
        // radosgw then fails every connection with EACCES (-13).
        "ms_mon_client_mode = crc",
        "ms_mon_cluster_mode = crc",
        "ms_mon_service_mode = crc",
        "ms_client_mode = crc",
        "ms_cluster_mode = crc",
        "ms_service_mode = crc",
        "osd_objectstore = memstore",
        "memstore_device_bytes = " + (4L << 30),
        "osd_pool_default_size = 1",
        "osd_pool_default_min_size = 1",
        // RGW creates some seven pools; at the default 32 PGs each they pass mon_max_pg_per_osd.
        "osd_pool_default_pg_num = 8",
        "osd_pool_default_pgp_num = 8",
        "osd_pool_default_pg_autoscale_mode = off",
        "osd_crush_chooseleaf_type = 0",
        "mon_allow_pool_size_one = true",
        "mon_warn_on_pool_no_redundancy = false",
        "mon_data_avail_warn = 1",
        "run_dir = " + root.resolve("run"),
        "admin_socket = " + root.resolve("run") + "/$cluster-$name.asok",
        "log_file = " + root.resolve("log") + "/$cluster-$name.log",
        "keyring = " + root.resolve("keyring"),
        "mon_data = " + root.resolve("mon"),
        "osd_data = " + root.resolve("osd"),
        "rgw_data = " + root.resolve("rgw"),
        ""), StandardCharsets.UTF_8);
    Files.writeString(root.resolve("keyring"), "");
    Path monmap = root.resolve("monmap");
    run("monmaptool", "--create", "--fsid", fsid, "--addv", "a", mon, monmap.toString());
    run("ceph-mon", "-c", conf.toString(), "--mkfs", "-i", "a", "--monmap", monmap.toString());
    daemons.add(daemon("ceph-mon", "-c", conf.toString(), "-i", "a", "-f"));
    String osdUuid = UUID.randomUUID().toString();
    // Blocks until the monitor answers; it also allocates OSD id 0, the only one.
    run("ceph", "-c", conf.toString(), "--connect-timeout", "60", "osd", "new", osdUuid);
    run("ceph-osd", "-c", conf.toString(), "-i", "0", "--mkfs", "--osd-uuid", osdUuid);
    daemons.add(daemon("ceph-osd", "-c", conf.toString(), "-i", "0", "-f"));
    launchRgw();
    run("radosgw-admin", "-c", conf.toString(), "user", "create", "--uid", "reprox", "--display-name", "reprox",
        "--access-key", ACCESS_KEY, "--secret", SECRET_KEY);
  }

  /** Starts radosgw, which creates its pools once the OSD is up, and waits until it answers HTTP. */
  private void launchRgw() throws IOException {
    rgw = daemon("radosgw", "-c", conf.toString(), "-n", "client.rgw.a", "-f",
        "--rgw_frontends", "beast endpoint=127.0.0.1:" + rgwPort);
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!answers()) {
      for (Process p : allProcesses()) {
        if (!p.isAlive()) {
          throw new IllegalStateException("Ceph RGW: " + p.info().command().orElse("a daemon")
              + " exited with " + p.exitValue() + ":\n" + log());
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Ceph RGW did not answer within " + START_TIMEOUT + ":\n" + log());
      }
      try {
        Thread.sleep(100); // polling a condition with a deadline, not standing in for one
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Ceph RGW start interrupted", e);
      }
    }
  }

  private List<Process> allProcesses() {
    List<Process> all = new ArrayList<>(daemons);
    if (rgw != null) {
      all.add(rgw);
    }
    return all;
  }

  private Process daemon(String... command) throws IOException {
    String name = command[0];
    return new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("log").resolve(name + ".out").toFile()))
        .start();
  }

  private void run(String... command) {
    CommandResult r = Processes.run(List.of(command), Map.of(), COMMAND_TIMEOUT);
    if (!r.ok()) {
      throw new IllegalStateException("Ceph RGW: command failed\n" + r.describe() + "\n" + log());
    }
  }


  @Override
  public String endpoint() {
    return "http://127.0.0.1:" + rgwPort;
  }

  @Override
  public String accessKey() {
    return ACCESS_KEY;
  }

  @Override
  public String secretKey() {
    return SECRET_KEY;
  }

  /** Kills radosgw (SIGKILL); the monitor and the OSD keep the objects. */
  @Override
  public void kill() {
    if (rgw != null) {
      killNow(rgw);
      rgw = null;
    }
  }

  @Override
  public void restart() {
    try {
      launchRgw();
    } catch (IOException e) {
      throw new UncheckedIOException("restart Ceph RGW", e);
    }
  }

  /** The last lines of every daemon's log. */
  @Override
  public String log() {
    StringBuilder out = new StringBuilder();
    try (Stream<Path> logs = Files.list(root.resolve("log"))) {
      for (Path p : logs.sorted().toList()) {
        List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
        out.append("--- ").append(p.getFileName()).append(" ---\n");
        lines.subList(Math.max(0, lines.size() - 20), lines.size()).forEach(l -> out.append(l).append('\n'));
      }
    } catch (IOException | UncheckedIOException e) {
      out.append("(no log: ").append(e.getMessage()).append(")");
    }
    return out.toString();
  }

  /**
   * Kills every daemon with SIGKILL: on SIGTERM a memstore OSD first writes all its objects to disk,
   * which is slow and pointless for a cluster about to be deleted.
   */
  @Override
  public void close() {
    try {
      kill();
      for (int i = daemons.size() - 1; i >= 0; i--) {
        killNow(daemons.get(i));
      }
      daemons.clear();
    } finally {
      PostgresServer.deleteTree(root);
    }
  }

  private static void killNow(Process p) {
    p.destroyForcibly();
    try {
      p.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
