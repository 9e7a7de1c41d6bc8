package dev.reprox.testkit.apt;

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
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs the real {@code apt-get} with fully private state under one work directory. All settings go
 * into a private {@code apt.conf} named by {@code APT_CONFIG} whose {@code Dir::Etc::Parts} is an
 * empty directory, so nothing from the host's {@code /etc/apt} (sources, keys, pinning, hooks)
 * leaks in, and the run needs no lock. Each run has a timeout; failures throw an
 * {@link AssertionError} carrying the command, the config and both output streams.
 */
public final class AptClient {

  private final Path work;
  private final Path config;
  private final Duration timeout;
  private final Map<String, String> env;

  private AptClient(Path work, Path config, Duration timeout, Map<String, String> env) {
    this.work = work;
    this.config = config;
    this.timeout = timeout;
    this.env = env;
  }

  /** A client keeping all its state under {@code workDir}. */
  public static Builder builder(Path workDir) {
    return new Builder(workDir);
  }

  /** {@code apt-get update}; throws an AssertionError unless it succeeds. */
  public CommandResult update() {
    return tryUpdate().requireOk("apt-get update (config " + config + ")");
  }

  /** {@code apt-get update}, returning the result whatever it is. */
  public CommandResult tryUpdate() {
    return aptGet(List.of("update"));
  }

  /**
   * {@code apt-get install --download-only} of {@code packages}; returns the {@code .deb} files
   * this run added to the archive directory (dependencies included), sorted by name.
   */
  public List<Path> downloadOnly(String... packages) {
    Set<Path> before = debs();
    tryDownloadOnly(packages).requireOk("apt-get install --download-only " + String.join(" ", packages));
    return debs().stream().filter(p -> !before.contains(p)).sorted().toList();
  }

  /** As {@link #downloadOnly(String...)}, returning the result whatever it is. */
  public CommandResult tryDownloadOnly(String... packages) {
    List<String> args = new ArrayList<>(List.of("install", "--download-only", "--no-install-recommends"));
    args.addAll(List.of(packages));
    return aptGet(args);
  }

  /** Any other apt-get invocation, e.g. {@code List.of("download", "foo")} (runs in the work dir). */
  public CommandResult aptGet(List<String> args) {
    List<String> command = new ArrayList<>(List.of("apt-get", "-q"));
    command.addAll(args);
    CommandResult result = Processes.run(command, env, timeout);
    try {
      String conf = Files.readString(config);
      return new CommandResult(result.command(), result.exitCode(), result.stdout(),
          result.stderr() + "\n--- " + config + " ---\n" + conf);
    } catch (IOException e) {
      return result;
    }
  }

  /** Where downloaded packages land. */
  public Path archives() {
    return work.resolve("archives");
  }

  public Path configFile() {
    return config;
  }

  private Set<Path> debs() {
    try (Stream<Path> files = Files.list(archives())) {
      return files.filter(p -> p.getFileName().toString().endsWith(".deb")).collect(Collectors.toSet());
    } catch (IOException e) {
      throw new UncheckedIOException("list " + archives(), e);
    }
  }

  /** Configures an {@link AptClient}; {@link #build()} writes the private directory tree. */
  public static final class Builder {
    private final Path work;
    private final List<String> sources = new ArrayList<>();
    private final Map<String, String> options = new LinkedHashMap<>();
    private Path keyring;
    private URI proxy;
    private String architecture = "amd64";
    private Duration timeout = Duration.ofSeconds(60);

    private Builder(Path work) {
      this.work = work.toAbsolutePath();
    }

    /** The keyring used as {@code signed-by=} for {@link #source} lines. */
    public Builder keyring(Path value) {
      keyring = value.toAbsolutePath();
      return this;
    }

    /**
     * Adds {@code deb [signed-by=<keyring> arch=<arch>] <uri> <suite> <components>}; extra
     * bracket options (e.g. {@code check-valid-until=no}) go into {@code options}.
     */
    public Builder source(URI uri, String suite, String components, String... extraOptions) {
      if (keyring == null) {
        throw new IllegalStateException("apt source " + uri + ": set keyring(...) first");
      }
      StringBuilder line = new StringBuilder("deb [signed-by=").append(keyring).append(" arch=").append(architecture);
      for (String o : extraOptions) {
        line.append(' ').append(o);
      }
      sources.add(line.append("] ").append(uri).append(' ').append(suite).append(' ').append(components).toString());
      return this;
    }

    /** Adds a sources.list line verbatim. */
    public Builder sourceLine(String line) {
      sources.add(line);
      return this;
    }

    /** Sends every request through this HTTP proxy ({@code Acquire::http::Proxy}). */
    public Builder proxy(URI value) {
      proxy = value;
      return this;
    }

    public Builder architecture(String value) {
      architecture = value;
      return this;
    }

    /** Any apt option, e.g. {@code option("Acquire::Check-Valid-Until", "false")}. */
    public Builder option(String name, String value) {
      options.put(name, value);
      return this;
    }

    /** Per apt-get process; default 60 s. */
    public Builder timeout(Duration value) {
      timeout = value;
      return this;
    }

    public AptClient build() {
      try {
        for (String dir : List.of("lists/partial", "cache", "archives/partial", "log", "apt.conf.d",
            "trusted.gpg.d")) {
          Files.createDirectories(work.resolve(dir));
        }
        Path status = work.resolve("status");
        if (!Files.exists(status)) {
          Files.createFile(status);
        }
        Files.writeString(work.resolve("sources.list"), String.join("\n", sources) + "\n");
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("Dir::State::Lists", work.resolve("lists").toString());
        conf.put("Dir::State::status", status.toString());
        conf.put("Dir::Cache", work.resolve("cache").toString());
        conf.put("Dir::Cache::Archives", work.resolve("archives").toString());
        conf.put("Dir::Log", work.resolve("log").toString());
        conf.put("Dir::Etc::SourceList", work.resolve("sources.list").toString());
        conf.put("Dir::Etc::SourceParts", "/dev/null");
        conf.put("Dir::Etc::Preferences", "/dev/null");
        conf.put("Dir::Etc::PreferencesParts", "/dev/null");
        conf.put("Dir::Etc::Trusted", work.resolve("trusted.gpg").toString());
        conf.put("Dir::Etc::TrustedParts", work.resolve("trusted.gpg.d").toString());
        conf.put("Debug::NoLocking", "1");
        conf.put("APT::Architecture", architecture);
        conf.put("APT::Architectures", architecture);
        conf.put("APT::Get::Assume-Yes", "true");
        conf.put("Acquire::Languages", "none");
        conf.put("Acquire::Retries", "0");
        conf.put("Acquire::http::Timeout", "20");
        if ("root".equals(System.getProperty("user.name"))) {
          // The _apt sandbox user cannot enter JUnit's private temp dirs.
          conf.put("APT::Sandbox::User", "root");
        }
        if (proxy != null) {
          conf.put("Acquire::http::Proxy", proxy.toString());
        }
        conf.putAll(options);
        StringBuilder text = new StringBuilder();
        // Read before anything else: keeps the host's /etc/apt/apt.conf{,.d} out.
        text.append("Dir::Etc::Parts \"").append(work.resolve("apt.conf.d")).append("\";\n");
        text.append("Dir::Etc::Main \"/dev/null\";\n");
        conf.forEach((k, v) -> text.append(k).append(" \"").append(v.replace("\"", "")).append("\";\n"));
        Path config = work.resolve("apt.conf");
        Files.writeString(config, text);
        Map<String, String> env = new HashMap<>();
        env.put("APT_CONFIG", config.toString());
        env.put("LC_ALL", "C.UTF-8");
        env.put("DEBIAN_FRONTEND", "noninteractive");
        // A proxy from the environment would bypass the one configured (or the lack of one).
        for (String v : List.of("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY")) {
          env.put(v, null);
        }
        return new AptClient(work, config, timeout, env);
      } catch (IOException e) {
        throw new UncheckedIOException("prepare apt work dir " + work, e);
      }
    }
  }
}
