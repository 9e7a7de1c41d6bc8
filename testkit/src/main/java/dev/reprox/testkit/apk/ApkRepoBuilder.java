package dev.reprox.testkit.apk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import dev.reprox.testkit.RepoBuilder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.reprox.testkit.apk.ApkGeneration.BuiltApk;

/**
 * Writes a signed fixture apk repository laid out like an Alpine mirror, one generation at a time:
 *
 * <pre>
 * root/&lt;branch&gt;/&lt;repo&gt;/&lt;arch&gt;/APKINDEX.tar.gz
 * root/&lt;branch&gt;/&lt;repo&gt;/&lt;arch&gt;/&lt;name&gt;-&lt;version&gt;.apk
 * </pre>
 *
 * An {@code .apk} is three concatenated gzip members, as abuild writes them: (1) a cut tar with
 * {@code .SIGN.RSA.<key>}, an RSA PKCS#1 v1.5 SHA-1 signature over the raw bytes of member 2;
 * (2) a cut tar with {@code .PKGINFO}, whose {@code datahash} is the sha256 of member 3; (3) the
 * data tar (with its end-of-archive blocks). The index is two members: a cut tar with the
 * signature (SHA-1, or SHA-256 with {@link #rsa256(boolean)}) over the raw bytes of member 2, and
 * a tar of {@code DESCRIPTION} and {@code APKINDEX} whose entry mtimes are {@link #date(Instant)}.
 * Output is deterministic for a given key. Packages no longer listed are deleted on publish. Not
 * thread-safe.
 */
public final class ApkRepoBuilder extends RepoBuilder<ApkPackage, ApkGeneration, ApkRepoBuilder> {

  private String branch = "v3.20";
  private String repo = "main";
  private String arch = "x86_64";
  private long buildDate = 1_700_000_000L;
  private boolean rsa256;
  private ApkKey key;

  private ApkRepoBuilder(Path root) {
    super(root.toAbsolutePath());
  }

  @Override
  protected ApkRepoBuilder self() {
    return this;
  }

  @Override
  protected String nameOf(ApkPackage pkg) {
    return pkg.name();
  }

  @Override
  protected ApkPackage packageOf(String name, String version) {
    return ApkPackage.of(name, version);
  }

  /** A builder writing into {@code root} (created if missing). */
  public static ApkRepoBuilder in(Path root) {
    return new ApkRepoBuilder(root);
  }

  /** Default {@code v3.20}. */
  public ApkRepoBuilder branch(String value) {
    branch = value;
    return this;
  }

  /** Default {@code main}. */
  public ApkRepoBuilder repo(String value) {
    repo = value;
    return this;
  }

  /** Default {@code x86_64}. */
  public ApkRepoBuilder arch(String value) {
    arch = value;
    return this;
  }

  /** The packages' {@code builddate} / {@code t:} and their tar mtimes; default 1700000000. */
  public ApkRepoBuilder buildDate(long epochSecond) {
    buildDate = epochSecond;
    return this;
  }

  /** Sign the index with {@code .SIGN.RSA256.} (SHA-256) instead of {@code .SIGN.RSA.} (SHA-1). */
  public ApkRepoBuilder rsa256(boolean value) {
    rsa256 = value;
    return this;
  }

  /** The signing key; default a fresh one named {@code reprox-testkit-apk.rsa.pub}. */
  public ApkRepoBuilder key(ApkKey value) {
    key = value;
    return this;
  }

  /** {@code <branch>/<repo>}: what follows the mirror URL in an {@code /etc/apk/repositories} line. */
  public String repositoryPath() {
    return branch + "/" + repo;
  }

  public String arch() {
    return arch;
  }

  /** The signing key, generated now if none was set. */
  public ApkKey key() {
    if (key == null) {
      key = ApkKey.generate("reprox-testkit-apk.rsa.pub");
    }
    return key;
  }

  /** Writes the public key as {@code <keysDir>/<key name>} (a keys directory for apk or reprox). */
  public Path writePublicKey(Path keysDir) {
    return key().writePublicKey(keysDir);
  }

  /** Writes every package, then the signed index; removes packages no longer listed. */
  public ApkGeneration publish() {
    Objects.requireNonNull(date, "publish apk fixture: date(Instant) not set");
    String dir = branch + "/" + repo + "/" + arch + "/";
    try {
      List<BuiltApk> apks = new ArrayList<>();
      StringBuilder index = new StringBuilder();
      for (ApkPackage pkg : packages.values()) {
        ApkFile file = ApkFile.build(pkg, arch, buildDate, key());
        String path = dir + pkg.fileName();
        write(root.resolve(path), file.bytes());
        apks.add(new BuiltApk(pkg.name(), pkg.version(), arch, path, ApkArchives.hex("SHA-256", file.bytes()),
            file.bytes().length, file.q1(), file.controlStart(), file.controlEnd()));
        index.append(file.indexRecord()).append('\n');
      }
      prune(dir, apks);
      Map<String, byte[]> entries = new LinkedHashMap<>();
      entries.put("DESCRIPTION", (branch + "-reprox-testkit-" + date.getEpochSecond()).getBytes(StandardCharsets.UTF_8));
      entries.put("APKINDEX", index.toString().getBytes(StandardCharsets.UTF_8));
      byte[] contents = ApkArchives.gzip(ApkArchives.tar(entries, date, false));
      byte[] signature = ApkArchives.signatureMember(key(), contents, rsa256, date);
      byte[] bytes = ApkArchives.concat(signature, contents);
      String indexPath = dir + "APKINDEX.tar.gz";
      write(root.resolve(indexPath), bytes);
      current = new ApkGeneration(root, date, indexPath, ApkArchives.hex("SHA-256", bytes), bytes.length, apks);
      return current;
    } catch (IOException e) {
      throw new UncheckedIOException("publish apk fixture " + root + " " + dir + " at " + date, e);
    }
  }

  /** Flips one byte inside the signed (second) member of the current index, keeping its size. */
  public ApkRepoBuilder tamperIndex() {
    requirePublished("tamper APKINDEX");
    return flip(current.index(), current.indexSize() - 12);
  }

  /** Flips one byte inside the control member of the current package {@code name}, keeping its size. */
  public ApkRepoBuilder tamperApk(String name) {
    requirePublished("tamper apk " + name);
    BuiltApk apk = current.apk(name);
    return flip(apk.path(), (apk.controlStart() + apk.controlEnd()) / 2);
  }

  private void prune(String dir, List<BuiltApk> keep) throws IOException {
    prune(root.resolve(dir), f -> f.toString().endsWith(".apk"), keep.stream().map(BuiltApk::path).toList());
  }

  /** Base64 of a digest with apk's {@code Q1} prefix. */
  static String q1(byte[] sha1) {
    return "Q1" + Base64.getEncoder().encodeToString(sha1);
  }
}
