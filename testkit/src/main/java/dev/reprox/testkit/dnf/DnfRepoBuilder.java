package dev.reprox.testkit.dnf;

import dev.reprox.testkit.process.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import dev.reprox.testkit.RepoBuilder;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.reprox.testkit.dnf.DnfGeneration.BuiltRpm;
import dev.reprox.testkit.dnf.DnfGeneration.RepoFile;

/**
 * Writes a signed fixture dnf repository, one generation at a time:
 *
 * <pre>
 * root/
 *   Packages/foo-1.0-1.noarch.rpm            (rpmbuild, then rpmsign)
 *   repodata/repomd.xml                      (createrepo_c --revision N --set-timestamp-to-revision)
 *   repodata/repomd.xml.asc                  (detached, armored, same key as the rpms)
 *   repodata/&lt;sha256&gt;-{primary,filelists,other}.xml.gz
 * </pre>
 *
 * Everything is deterministic for a given key: rpms are built with {@code SOURCE_DATE_EPOCH},
 * clamped mtimes and build host {@code reprox}, signatures are dated with gpg's faked clock, and
 * createrepo_c writes revision and timestamps from {@link #date(Instant)}. Rpms no longer listed
 * are deleted on publish. Needs {@code rpmbuild}, {@code rpmsign}, {@code createrepo_c} and
 * {@code gpg} (Debian: {@code rpm}, {@code createrepo-c}, {@code gnupg}). Close it to stop the
 * gpg-agent its key home started. Not thread-safe.
 */
public final class DnfRepoBuilder extends RepoBuilder<RpmPackage, DnfGeneration, DnfRepoBuilder>
    implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final Pattern REVISION = Pattern.compile("<revision>(\\d+)</revision>");

  private final Map<String, RpmPackage> builtFrom = new TreeMap<>();
  private final Map<String, BuiltRpm> built = new TreeMap<>();
  private long sourceDateEpoch = 1_700_000_000L;
  private boolean signRepomd = true;
  private String packageChecksum = "sha256";
  private String repomdChecksum = "sha256";
  private String userId = "Reprox Testkit RPM <rpm@reprox.invalid>";
  private GpgHome gpg;

  private DnfRepoBuilder(Path root) {
    super(root.toAbsolutePath());
  }

  @Override
  protected DnfRepoBuilder self() {
    return this;
  }

  @Override
  protected String nameOf(RpmPackage pkg) {
    return pkg.name();
  }

  @Override
  protected RpmPackage packageOf(String name, String version) {
    return RpmPackage.of(name, version);
  }

  /** A builder writing into {@code root} (created if missing). */
  public static DnfRepoBuilder in(Path root) {
    return new DnfRepoBuilder(root);
  }

  /** Build time inside every rpm, and its signature time; default 1700000000. */
  public DnfRepoBuilder sourceDateEpoch(long value) {
    sourceDateEpoch = value;
    return this;
  }

  /** Whether to write {@code repomd.xml.asc}; default true (Fedora's mirrors publish none). */
  public DnfRepoBuilder signRepomd(boolean value) {
    signRepomd = value;
    return this;
  }

  /**
   * The checksum type primary.xml names each package by ({@code createrepo_c --checksum}: sha256,
   * sha512, sha1…); default sha256. repomd.xml keeps naming its files by SHA-256 unless
   * {@link #repomdChecksum} says otherwise.
   */
  public DnfRepoBuilder packageChecksum(String type) {
    packageChecksum = Objects.requireNonNull(type, "type");
    return this;
  }

  /**
   * The checksum type repomd.xml names its metadata files by ({@code createrepo_c --repomd-checksum}:
   * sha256, sha512, sha1…; the hash-prefixed file names follow it); default sha256.
   */
  public DnfRepoBuilder repomdChecksum(String type) {
    repomdChecksum = Objects.requireNonNull(type, "type");
    return this;
  }

  /** User id of the key generated on first use. */
  public DnfRepoBuilder userId(String value) {
    userId = value;
    return this;
  }

  /** The signing key's fingerprint (40 upper-case hex digits); generates the key if needed. */
  public String fingerprint() {
    return gpg().fingerprint();
  }

  /** The armored public key (for dnf's {@code gpgkey=} and reprox's keyring); generates the key if needed. */
  public byte[] armoredPublicKey() {
    return gpg().armoredPublicKey();
  }

  /** Writes {@link #armoredPublicKey()} to {@code file} and returns it. */
  public Path writePublicKey(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.write(file, armoredPublicKey());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("write rpm public key " + file, e);
    }
  }

  /** Builds and signs changed rpms, prunes old ones, writes and signs repodata. */
  public DnfGeneration publish() {
    Objects.requireNonNull(date, "publish dnf fixture: date(Instant) not set");
    try {
      List<BuiltRpm> rpms = new ArrayList<>();
      for (RpmPackage pkg : packages.values()) {
        rpms.add(buildRpm(pkg));
      }
      prunePackages(rpms);
      List<String> createrepo = new ArrayList<>(List.of("createrepo_c", "--quiet", "--no-database",
          "--revision", Long.toString(date.getEpochSecond()), "--set-timestamp-to-revision",
          "--general-compress-type=gz", "--checksum=" + packageChecksum, "--repomd-checksum=" + repomdChecksum,
          root.toString()));
      Processes.run(createrepo, Map.of("LC_ALL", "C.UTF-8"), root, TIMEOUT).requireOk("createrepo_c " + root);
      Path repomd = root.resolve(DnfGeneration.REPOMD);
      Path asc = repomd.resolveSibling("repomd.xml.asc");
      if (signRepomd) {
        Path tmp = asc.resolveSibling(".repomd.xml.asc.tmp");
        gpg().detachSign(repomd, tmp, date);
        Files.move(tmp, asc, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } else {
        Files.deleteIfExists(asc);
      }
      Map<String, RepoFile> files = new TreeMap<>();
      try (Stream<Path> list = Files.list(root.resolve("repodata"))) {
        for (Path p : (Iterable<Path>) list.filter(Files::isRegularFile)::iterator) {
          byte[] bytes = Files.readAllBytes(p);
          String rel = relative(p);
          files.put(rel, new RepoFile(rel, sha256(bytes), bytes.length));
        }
      }
      current = new DnfGeneration(root, Instant.ofEpochSecond(date.getEpochSecond()),
          files.get(DnfGeneration.REPOMD).sha256(), files, rpms);
      return current;
    } catch (IOException e) {
      throw new UncheckedIOException("publish dnf fixture " + root + " at " + date, e);
    }
  }

  /**
   * Rewrites the current repomd.xml's {@code <revision>} to another number of the same length:
   * still well-formed XML listing the same files, but its signature no longer verifies.
   */
  public DnfRepoBuilder tamperRepomd() {
    requirePublished("tamper repomd.xml");
    Path repomd = root.resolve(DnfGeneration.REPOMD);
    try {
      String xml = Files.readString(repomd, StandardCharsets.UTF_8);
      Matcher m = REVISION.matcher(xml);
      if (!m.find()) {
        throw new IllegalStateException("tamper " + repomd + ": no <revision>");
      }
      String revision = m.group(1);
      char last = revision.charAt(revision.length() - 1);
      String changed = revision.substring(0, revision.length() - 1) + (char) (last == '9' ? '0' : last + 1);
      write(repomd, (xml.substring(0, m.start(1)) + changed + xml.substring(m.end(1))).getBytes(StandardCharsets.UTF_8));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("tamper " + repomd, e);
    }
  }

  /** Overwrites the current rpm of package {@code name} with wrong bytes of the same size. */
  public DnfRepoBuilder tamperRpm(String name) {
    requirePublished("tamper rpm " + name);
    return tamper(current.rpm(name).path());
  }

  /** Stops the gpg-agent of the signing key's home and deletes the home. */
  @Override
  public void close() {
    if (gpg != null) {
      gpg.close();
      gpg = null;
    }
  }

  private GpgHome gpg() {
    if (gpg == null) {
      gpg = GpgHome.generate(userId);
    }
    return gpg;
  }

  private BuiltRpm buildRpm(RpmPackage pkg) throws IOException {
    String path = "Packages/" + pkg.fileName();
    Path file = root.resolve(path);
    BuiltRpm previous = built.get(path);
    // Rebuilding is deterministic anyway; reusing an untouched rpm just saves rpmbuild's second.
    if (previous != null && pkg.equals(builtFrom.get(path)) && Files.exists(file)
        && sha256(Files.readAllBytes(file)).equals(previous.sha256())) {
      return previous;
    }
    Path scratch = Files.createTempDirectory("reprox-testkit-rpm-");
    try {
      Path rpm = Rpmbuild.buildSigned(pkg, scratch, sourceDateEpoch, gpg());
      Files.createDirectories(file.getParent());
      Files.move(rpm, file, StandardCopyOption.REPLACE_EXISTING);
      // createrepo_c writes the file mtime into primary.xml (<time file=…>).
      Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(sourceDateEpoch)));
      String header = Rpmbuild.headerSha256(file);
      byte[] bytes = Files.readAllBytes(file);
      BuiltRpm result = new BuiltRpm(pkg.name(), pkg.version(), pkg.release(), path, sha256(bytes),
          bytes.length, header);
      built.put(path, result);
      builtFrom.put(path, pkg);
      return result;
    } finally {
      Commands.deleteTree(scratch);
    }
  }

  private void prunePackages(List<BuiltRpm> keep) throws IOException {
    prune(root.resolve("Packages"), p -> true, keep.stream().map(BuiltRpm::path).toList());
  }

  static String sha256(byte[] bytes) {
    return hex("SHA-256", bytes);
  }
}
