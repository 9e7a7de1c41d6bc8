package dev.reprox.testkit.apt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

import dev.reprox.testkit.RepoBuilder;
import dev.reprox.testkit.apt.AptGeneration.BuiltDeb;
import dev.reprox.testkit.apt.AptGeneration.RepoFile;
import dev.reprox.testkit.pgp.SigningKey;

/**
 * Writes a signed fixture apt repository laid out like a Debian mirror, one generation at a time:
 *
 * <pre>
 * root/
 *   pool/main/f/foo/foo_1.0_amd64.deb
 *   dists/stable/{Release, Release.gpg, InRelease}
 *   dists/stable/main/binary-amd64/{Packages, Packages.gz, Packages.xz}
 *   dists/stable/main/binary-amd64/by-hash/SHA256/&lt;sha256 of each Packages variant&gt;
 * </pre>
 *
 * Set packages and a date, {@link #publish()}, change them, publish again: the second generation
 * replaces the first in place, pool files no longer listed are deleted, and older by-hash copies
 * stay (as on Debian mirrors). Every file is replaced by an atomic rename so a server reading the
 * tree never sees half a file. Not thread-safe.
 */
public final class AptRepoBuilder extends RepoBuilder<DebPackage, AptGeneration, AptRepoBuilder> {

  private static final DateTimeFormatter RFC_2822 =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private String suite = "stable";
  private String codename;
  private String component = "main";
  private String architecture = "amd64";
  private String origin = "Reprox Testkit";
  private boolean acquireByHash = true;
  private long sourceDateEpoch = 1_700_000_000L;
  private SigningKey key;
  private Instant validUntil;
  private final Map<String, BuiltDeb> built = new TreeMap<>();
  private final Map<String, DebPackage> builtFrom = new TreeMap<>();

  private AptRepoBuilder(Path root) {
    super(root);
  }

  @Override
  protected AptRepoBuilder self() {
    return this;
  }

  @Override
  protected String nameOf(DebPackage pkg) {
    return pkg.name();
  }

  @Override
  protected DebPackage packageOf(String name, String version) {
    return DebPackage.of(name, version);
  }

  /** A builder writing into {@code root} (created if missing). */
  public static AptRepoBuilder in(Path root) {
    return new AptRepoBuilder(root);
  }

  /** The {@code dists/} directory name and {@code Suite:}; default {@code stable}. */
  public AptRepoBuilder suite(String value) {
    suite = value;
    return this;
  }

  /** {@code Codename:}; defaults to the suite. */
  public AptRepoBuilder codename(String value) {
    codename = value;
    return this;
  }

  public AptRepoBuilder component(String value) {
    component = value;
    return this;
  }

  public AptRepoBuilder architecture(String value) {
    architecture = value;
    return this;
  }

  /** {@code Origin:} and {@code Label:}. */
  public AptRepoBuilder origin(String value) {
    origin = value;
    return this;
  }

  public AptRepoBuilder acquireByHash(boolean value) {
    acquireByHash = value;
    return this;
  }

  /** The key that signs Release; default a fresh Ed25519 key made on first publish. */
  public AptRepoBuilder signingKey(SigningKey value) {
    key = value;
    return this;
  }

  /** Timestamp inside every built {@code .deb}; default 1700000000. */
  public AptRepoBuilder sourceDateEpoch(long value) {
    sourceDateEpoch = value;
    return this;
  }

  /** {@code Valid-Until:}, or null (the default) for none. */
  public AptRepoBuilder validUntil(Instant value) {
    validUntil = value;
    return this;
  }

  public String suite() {
    return suite;
  }

  public String component() {
    return component;
  }

  /** The signing key, generated now if none was set. */
  public SigningKey signingKey() {
    if (key == null) {
      key = SigningKey.ed25519("Reprox Testkit Archive <archive@reprox.invalid>");
    }
    return key;
  }

  /** Writes the public keyring (binary, for {@code signed-by=}) to {@code file}. */
  public Path writeKeyring(Path file) {
    try {
      return signingKey().writeKeyring(file);
    } catch (IOException e) {
      throw new UncheckedIOException("write keyring " + file, e);
    }
  }

  /** Writes the next generation: pool, indexes, Release, signatures; removes stale pool files. */
  public AptGeneration publish() {
    Objects.requireNonNull(date, "publish apt fixture: date(Instant) not set");
    try {
      List<BuiltDeb> debs = new ArrayList<>();
      StringBuilder packagesText = new StringBuilder();
      for (DebPackage pkg : packages.values()) {
        BuiltDeb deb = buildDeb(pkg.withArchitecture(architecture));
        debs.add(deb);
        packagesText.append(DpkgDeb.control(pkg.withArchitecture(architecture)))
            .append("Filename: ").append(deb.poolPath()).append('\n')
            .append("Size: ").append(deb.size()).append('\n')
            .append("MD5sum: ").append(hex("MD5", Files.readAllBytes(root.resolve(deb.poolPath())))).append('\n')
            .append("SHA256: ").append(deb.sha256()).append("\n\n");
      }
      prunePool(debs);
      Path dist = root.resolve("dists").resolve(suite);
      String binary = component + "/binary-" + architecture;
      byte[] plain = packagesText.toString().getBytes(StandardCharsets.UTF_8);
      Map<String, byte[]> indexes = new LinkedHashMap<>();
      indexes.put(binary + "/Packages", plain);
      indexes.put(binary + "/Packages.gz", gzip(plain));
      indexes.put(binary + "/Packages.xz", xz(plain));
      Map<String, RepoFile> files = new LinkedHashMap<>();
      for (Map.Entry<String, byte[]> index : indexes.entrySet()) {
        Path file = dist.resolve(index.getKey());
        write(file, index.getValue());
        String sha = hex("SHA-256", index.getValue());
        if (acquireByHash) {
          write(file.resolveSibling("by-hash/SHA256/" + sha), index.getValue());
        }
        files.put(relative(file), new RepoFile(relative(file), sha, index.getValue().length));
      }
      byte[] release = release(indexes).getBytes(StandardCharsets.UTF_8);
      byte[] inRelease = signingKey().clearsign(release, date);
      write(dist.resolve("Release"), release);
      write(dist.resolve("Release.gpg"), signingKey().detachSign(release, date));
      write(dist.resolve("InRelease"), inRelease);
      for (String name : List.of("Release", "Release.gpg", "InRelease")) {
        byte[] bytes = Files.readAllBytes(dist.resolve(name));
        String path = relative(dist.resolve(name));
        files.put(path, new RepoFile(path, hex("SHA-256", bytes), bytes.length));
      }
      current = new AptGeneration(root, date, relative(dist.resolve("InRelease")),
          hex("SHA-256", inRelease), files, debs);
      return current;
    } catch (IOException e) {
      throw new UncheckedIOException("publish apt fixture " + root + " " + suite + " at " + date, e);
    }
  }

  /**
   * Overwrites the current generation's Packages, Packages.gz, Packages.xz and their by-hash
   * copies with wrong bytes of the same size: what a broken mirror or an attacker would serve.
   */
  public AptRepoBuilder tamperPackages() {
    requirePublished("tamper Packages");
    current.files().keySet().stream().filter(p -> p.contains("/Packages")).forEach(p -> {
      tamper(p);
      if (acquireByHash) {
        tamper(p.substring(0, p.lastIndexOf('/')) + "/by-hash/SHA256/" + current.file(p).sha256());
      }
    });
    return this;
  }

  /** Overwrites the current pool file of package {@code name} with wrong bytes of the same size. */
  public AptRepoBuilder tamperDeb(String name) {
    requirePublished("tamper " + name);
    return tamper(current.deb(name).poolPath());
  }

  private BuiltDeb buildDeb(DebPackage pkg) throws IOException {
    String poolPath = pkg.poolPath(component);
    Path file = root.resolve(poolPath);
    BuiltDeb previous = built.get(poolPath);
    // dpkg-deb is deterministic here, so an untouched pool file of the same package is reused.
    if (previous != null && previous.equals(fingerprint(pkg, poolPath)) && Files.exists(file)
        && hex("SHA-256", Files.readAllBytes(file)).equals(previous.sha256())) {
      return previous;
    }
    Path scratch = Files.createTempDirectory("reprox-testkit-deb-");
    try {
      Path tmp = scratch.resolve(pkg.fileName());
      DpkgDeb.build(pkg, tmp, scratch, sourceDateEpoch);
      Files.createDirectories(file.getParent());
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      DpkgDeb.deleteTree(scratch);
    }
    byte[] bytes = Files.readAllBytes(file);
    BuiltDeb deb = new BuiltDeb(pkg.name(), pkg.version(), pkg.architecture(), poolPath,
        hex("SHA-256", bytes), bytes.length);
    built.put(poolPath, deb);
    builtFrom.put(poolPath, pkg);
    return deb;
  }

  private BuiltDeb fingerprint(DebPackage pkg, String poolPath) {
    // Same pool path but different contents (e.g. a re-uploaded payload) must rebuild.
    return pkg.equals(builtFrom.get(poolPath)) ? built.get(poolPath) : null;
  }

  private void prunePool(List<BuiltDeb> keep) throws IOException {
    prune(root.resolve("pool"), p -> true, keep.stream().map(BuiltDeb::poolPath).toList());
  }

  private String release(Map<String, byte[]> indexes) {
    StringBuilder r = new StringBuilder()
        .append("Origin: ").append(origin).append('\n')
        .append("Label: ").append(origin).append('\n')
        .append("Suite: ").append(suite).append('\n')
        .append("Codename: ").append(codename == null ? suite : codename).append('\n')
        .append("Date: ").append(RFC_2822.format(date)).append('\n');
    if (validUntil != null) {
      r.append("Valid-Until: ").append(RFC_2822.format(validUntil)).append('\n');
    }
    if (acquireByHash) {
      r.append("Acquire-By-Hash: yes\n");
    }
    r.append("Architectures: ").append(architecture).append('\n')
        .append("Components: ").append(component).append('\n')
        .append("Description: reprox testkit fixture repository\n");
    for (String[] table : new String[][] {{"MD5Sum", "MD5"}, {"SHA256", "SHA-256"}}) {
      r.append(table[0]).append(":\n");
      indexes.forEach((path, bytes) -> r.append(String.format(Locale.ROOT, " %s %16d %s\n",
          hex(table[1], bytes), bytes.length, path)));
    }
    return r.toString();
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  private static byte[] xz(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (XZOutputStream xz = new XZOutputStream(out, new LZMA2Options())) {
      xz.write(bytes);
    }
    return out.toByteArray();
  }
}
