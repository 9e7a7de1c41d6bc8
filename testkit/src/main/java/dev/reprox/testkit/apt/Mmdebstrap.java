package dev.reprox.testkit.apt;

import dev.reprox.testkit.process.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the real {@code mmdebstrap} into a tarball at a fixed {@code SOURCE_DATE_EPOCH}, so two
 * runs over the same packages give bit-identical output. Defaults suit a fixture repository:
 * {@code --variant=extract} (only the {@code --include}d packages, no essential set needed),
 * {@code --mode=root} when running as root and {@code unshare} otherwise. A proxy is passed as
 * {@code http_proxy} in the environment, not with {@code --aptopt}: an aptopt is written into
 * the rootfs and would change the tarball (LAB-NOTES "Real clients").
 */
public final class Mmdebstrap {

  private Mmdebstrap() {
  }

  /** True when {@code mmdebstrap} is on the PATH. */
  public static boolean installed() {
    return Processes.onPath("mmdebstrap");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options for one run; {@link #run()} executes it. */
  public static final class Builder {
    private String suite = "stable";
    private String mirrorLine;
    private URI mirror;
    private String components = "main";
    private Path keyring;
    private Path output;
    private String variant = "extract";
    private String mode = "root".equals(System.getProperty("user.name")) ? "root" : "unshare";
    private String architecture = "amd64";
    private long sourceDateEpoch = 1_700_000_000L;
    private URI httpProxy;
    private Duration timeout = Duration.ofSeconds(120);
    private final List<String> include = new ArrayList<>();
    private final List<String> extra = new ArrayList<>();
    private final Map<String, String> aptOptions = new LinkedHashMap<>();

    private Builder() {
    }

    public Builder suite(String value) {
      suite = value;
      return this;
    }

    /** The mirror base URL, e.g. a {@code StaticServer}'s or {@code http://127.0.0.1:p/debian/@T}. */
    public Builder mirror(URI value) {
      mirror = value;
      return this;
    }

    /** A full sources.list line instead of {@link #mirror(URI)}. */
    public Builder mirrorLine(String value) {
      mirrorLine = value;
      return this;
    }

    public Builder components(String value) {
      components = value;
      return this;
    }

    /** Binary keyring passed as {@code --keyring} (it does not end up in the tarball). */
    public Builder keyring(Path value) {
      keyring = value.toAbsolutePath();
      return this;
    }

    public Builder include(String... packages) {
      include.addAll(List.of(packages));
      return this;
    }

    public Builder variant(String value) {
      variant = value;
      return this;
    }

    /** {@code root}, {@code unshare}, {@code fakechroot} (default: root as root, else unshare). */
    public Builder mode(String value) {
      mode = value;
      return this;
    }

    public Builder architecture(String value) {
      architecture = value;
      return this;
    }

    public Builder sourceDateEpoch(long value) {
      sourceDateEpoch = value;
      return this;
    }

    /** Sends apt's requests through this proxy via {@code http_proxy}. */
    public Builder httpProxy(URI value) {
      httpProxy = value;
      return this;
    }

    /** An {@code --aptopt}; note that it ends up inside the rootfs. */
    public Builder aptOption(String name, String value) {
      aptOptions.put(name, value);
      return this;
    }

    /** Any further argument, e.g. {@code --skip=output/dev}. */
    public Builder argument(String value) {
      extra.add(value);
      return this;
    }

    /** The tarball to write (its extension picks the format, e.g. {@code .tar}). */
    public Builder output(Path value) {
      output = value.toAbsolutePath();
      return this;
    }

    public Builder timeout(Duration value) {
      timeout = value;
      return this;
    }

    /** Runs mmdebstrap and returns the result, whatever it is. */
    public CommandResult tryRun() {
      if (output == null || (mirror == null && mirrorLine == null)) {
        throw new IllegalStateException("mmdebstrap: output(...) and mirror(...) are required");
      }
      List<String> command = new ArrayList<>(List.of("mmdebstrap", "--variant=" + variant, "--mode=" + mode,
          "--architectures=" + architecture, "--format=tar"));
      if (!include.isEmpty()) {
        command.add("--include=" + String.join(",", include));
      }
      Path readableKeyring = keyring == null ? null : readableCopy(keyring);
      if (readableKeyring != null) {
        // Not signed-by= in the line: mmdebstrap's apt resolves that path inside the rootfs.
        command.add("--keyring=" + readableKeyring);
      }
      aptOptions.forEach((k, v) -> command.add("--aptopt=" + k + " \"" + v + "\""));
      command.addAll(extra);
      command.add(suite);
      command.add(output.toString());
      command.add(mirrorLine != null ? mirrorLine : sourceLine());
      Map<String, String> env = new HashMap<>();
      env.put("SOURCE_DATE_EPOCH", Long.toString(sourceDateEpoch));
      env.put("LC_ALL", "C.UTF-8");
      for (String v : List.of("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY")) {
        env.put(v, null);
      }
      if (httpProxy != null) {
        env.put("http_proxy", httpProxy.toString());
      }
      try {
        return Processes.run(command, env, timeout);
      } finally {
        if (readableKeyring != null) {
          deleteQuietly(readableKeyring);
        }
      }
    }

    /**
     * apt's gpgv runs as the unprivileged {@code _apt} user, which cannot enter JUnit's
     * mode-700 temp dirs: hand mmdebstrap a world-readable copy of the keyring instead.
     */
    private static Path readableCopy(Path keyring) {
      try {
        Path dir = Files.createTempDirectory("reprox-testkit-keyring-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path copy = Files.copy(keyring, dir.resolve("keyring.gpg"));
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
        return copy;
      } catch (IOException e) {
        throw new UncheckedIOException("copy keyring " + keyring + " for mmdebstrap", e);
      }
    }

    private static void deleteQuietly(Path keyringCopy) {
      try {
        DpkgDeb.deleteTree(keyringCopy.getParent());
      } catch (IOException ignored) {
        // A stray public keyring in /tmp harms nothing.
      }
    }

    /** Runs mmdebstrap; returns the tarball or throws an AssertionError with its output. */
    public Path run() {
      tryRun().requireOk("mmdebstrap " + suite + " into " + output);
      return output;
    }

    private String sourceLine() {
      return "deb [arch=" + architecture + "] " + mirror + " " + suite + " " + components;
    }
  }
}
