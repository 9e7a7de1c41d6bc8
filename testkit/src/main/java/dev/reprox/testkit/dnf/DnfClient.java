package dev.reprox.testkit.dnf;

import dev.reprox.testkit.process.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.reprox.testkit.apt.CommandResult;

/**
 * Runs the real {@code dnf} (4.x, Debian's package) into a private {@code --installroot} with
 * private cache, log and repos directories and a private {@code dnf.conf}, so nothing of the
 * host's {@code /etc/dnf} or {@code /etc/yum.repos.d} applies. Repositories are checked with
 * {@code gpgcheck=1} and {@code repo_gpgcheck=1} unless told otherwise; {@code --nogpgcheck} is
 * never passed. {@code metadata_expire=0} makes every run fetch repomd.xml again, as a client
 * would after its cache expired. dnf imports each repository key into a gpg home under the cache
 * and leaves a gpg-agent there: {@link #close()} stops those by PID.
 *
 * <p>Use one transaction per install root: with Debian's dnf 4.14 / rpm 4.18 (sqlite rpmdb under
 * {@code <root>/root/.rpmdb}, Debian's {@code _dbpath}), an {@code upgrade} directly followed by
 * another {@code install} in the same root once in five runs left the first transaction's
 * result lost. A fresh client per step is cheap (~2 s).
 */
public final class DnfClient implements AutoCloseable {

  private static final String INSTALLED_FORMAT = "%{NAME}-%{VERSION}-%{RELEASE} %{SHA256HEADER}\\n";

  private final Path work;
  private final List<String> baseArgs;
  private final Map<String, String> env;
  private final Duration timeout;

  private DnfClient(Path work, List<String> baseArgs, Map<String, String> env, Duration timeout) {
    this.work = work;
    this.baseArgs = List.copyOf(baseArgs);
    this.env = env;
    this.timeout = timeout;
  }

  /** A client keeping all its state under {@code workDir}. */
  public static Builder builder(Path workDir) {
    return new Builder(workDir);
  }

  /** {@code dnf -y install pkgs…}; throws an AssertionError unless it succeeds. */
  public CommandResult install(String... packages) {
    return tryInstall(packages).requireOk("dnf install " + String.join(" ", packages));
  }

  /** As {@link #install}, returning the result whatever it is. */
  public CommandResult tryInstall(String... packages) {
    return dnf(withPackages("install", packages));
  }

  /** {@code dnf -y upgrade pkgs…} (all when none given); throws unless it succeeds. */
  public CommandResult upgrade(String... packages) {
    return dnf(withPackages("upgrade", packages)).requireOk("dnf upgrade " + String.join(" ", packages));
  }

  /** Any other dnf command, e.g. {@code List.of("makecache")}, with the private options. */
  public CommandResult dnf(List<String> args) {
    List<String> command = new ArrayList<>(baseArgs);
    command.addAll(args);
    CommandResult result = Processes.run(command, env, work, timeout);
    try {
      String repo = Files.readString(work.resolve("repos.d/testkit.repo"));
      return new CommandResult(result.command(), result.exitCode(), result.stdout(),
          result.stderr() + "\n--- testkit.repo ---\n" + repo);
    } catch (IOException e) {
      return result;
    }
  }

  /**
   * {@code rpm --root <installroot> -qa --qf '%{NAME}-%{VERSION}-%{RELEASE} %{SHA256HEADER}\n'},
   * sorted: identical lists mean identical installed headers. Includes the {@code gpg-pubkey-…}
   * entries of imported keys.
   */
  public List<String> installed() {
    CommandResult r = Processes.run(List.of("rpm", "--root", installRoot().toString(), "-qa", "--qf", INSTALLED_FORMAT),
        env, work, timeout).requireOk("rpm -qa in " + installRoot());
    return r.stdout().lines().filter(l -> !l.isBlank()).sorted().toList();
  }

  public Path installRoot() {
    return work.resolve("root");
  }

  public Path cacheDir() {
    return work.resolve("cache");
  }

  /** Stops the gpg-agents dnf started for repository keyrings under this client's work dir. */
  @Override
  public void close() {
    Commands.stopGpgAgentsUnder(work);
  }

  private static List<String> withPackages(String verb, String... packages) {
    List<String> args = new ArrayList<>(List.of("-y", verb));
    args.addAll(List.of(packages));
    return args;
  }

  /** Configures a {@link DnfClient}; {@link #build()} writes the private directory tree. */
  public static final class Builder {
    private final Path work;
    private final Map<String, URI> repos = new LinkedHashMap<>();
    private final Map<String, String> repoOptions = new LinkedHashMap<>();
    private final List<String> setopts = new ArrayList<>();
    private Path gpgKey;
    private URI proxy;
    private String releasever = "9";
    private boolean gpgcheck = true;
    private boolean repoGpgcheck = true;
    private Duration timeout = Duration.ofSeconds(60);

    private Builder(Path work) {
      this.work = work.toAbsolutePath();
    }

    /** Adds repository {@code id} with {@code baseurl=uri}. */
    public Builder repo(String id, URI baseurl) {
      repos.put(id, baseurl);
      return this;
    }

    /** The armored public key for every repository's {@code gpgkey=file://…}. */
    public Builder gpgKey(Path value) {
      gpgKey = value.toAbsolutePath();
      return this;
    }

    /** {@code --setopt=proxy=…}: dnf (libcurl) then sends absolute-form requests, credentials as Basic. */
    public Builder proxy(URI value) {
      proxy = value;
      return this;
    }

    public Builder releasever(String value) {
      releasever = value;
      return this;
    }

    /** {@code gpgcheck=} of each repository; default true. */
    public Builder gpgcheck(boolean value) {
      gpgcheck = value;
      return this;
    }

    /** {@code repo_gpgcheck=} of each repository; default true. */
    public Builder repoGpgcheck(boolean value) {
      repoGpgcheck = value;
      return this;
    }

    /** Any other line for each repository section, e.g. {@code repoOption("sslverify", "0")}. */
    public Builder repoOption(String name, String value) {
      repoOptions.put(name, value);
      return this;
    }

    /** Any other {@code --setopt=name=value}. */
    public Builder setopt(String name, String value) {
      setopts.add("--setopt=" + name + "=" + value);
      return this;
    }

    /** Per dnf process; default 60 s. */
    public Builder timeout(Duration value) {
      timeout = value;
      return this;
    }

    public DnfClient build() {
      if (repos.isEmpty()) {
        throw new IllegalStateException("dnf client " + work + ": no repo(...) given");
      }
      if ((gpgcheck || repoGpgcheck) && gpgKey == null) {
        throw new IllegalStateException("dnf client " + work + ": gpgcheck on but no gpgKey(...)");
      }
      try {
        for (String dir : List.of("root", "cache", "log", "repos.d")) {
          Files.createDirectories(work.resolve(dir));
        }
        StringBuilder repoFile = new StringBuilder();
        repos.forEach((id, uri) -> {
          repoFile.append('[').append(id).append("]\n")
              .append("name=").append(id).append('\n')
              .append("baseurl=").append(uri).append('\n')
              .append("enabled=1\n")
              .append("gpgcheck=").append(gpgcheck ? 1 : 0).append('\n')
              .append("repo_gpgcheck=").append(repoGpgcheck ? 1 : 0).append('\n')
              .append("metadata_expire=0\n")
              .append("skip_if_unavailable=False\n");
          if (gpgKey != null) {
            repoFile.append("gpgkey=").append(gpgKey.toUri()).append('\n');
          }
          repoOptions.forEach((k, v) -> repoFile.append(k).append('=').append(v).append('\n'));
          repoFile.append('\n');
        });
        Files.writeString(work.resolve("repos.d/testkit.repo"), repoFile);
        Path conf = work.resolve("dnf.conf");
        // retries=0 and a short timeout: a failing fixture should fail fast, not after ten tries.
        Files.writeString(conf, "[main]\ninstall_weak_deps=False\nretries=0\ntimeout=20\n");
        List<String> args = new ArrayList<>(List.of("dnf",
            "--config=" + conf,
            "--installroot=" + work.resolve("root"),
            "--releasever=" + releasever,
            "--noplugins",
            "--setopt=cachedir=" + work.resolve("cache"),
            "--setopt=logdir=" + work.resolve("log"),
            "--setopt=reposdir=" + work.resolve("repos.d"),
            "--setopt=varsdir=" + work.resolve("vars")));
        args.add("--setopt=proxy=" + (proxy == null ? "" : proxy));
        args.addAll(setopts);
        Map<String, String> env = new HashMap<>();
        env.put("LC_ALL", "C.UTF-8");
        // A proxy from the environment would bypass the one configured (or the lack of one);
        // an inherited GNUPGHOME would pull a foreign keyring into dnf's checks.
        for (String v : List.of("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy",
            "NO_PROXY", "all_proxy", "ALL_PROXY", "GNUPGHOME")) {
          env.put(v, null);
        }
        return new DnfClient(work, args, env, timeout);
      } catch (IOException e) {
        throw new UncheckedIOException("prepare dnf work dir " + work, e);
      }
    }
  }
}
