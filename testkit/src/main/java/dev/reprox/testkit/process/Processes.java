package dev.reprox.testkit.process;

import dev.reprox.testkit.apt.CommandResult;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs external tools (apt-get, mmdebstrap, dpkg-deb, rpm tools, dnf) with captured output and a
 * hard timeout; the one runner every testkit package uses.
 */
public final class Processes {

  private Processes() {
  }

  /**
   * Runs {@code command}; output goes to temporary files rather than pipes so a chatty tool can
   * never block on a full pipe while we wait for it.
   */
  public static CommandResult run(List<String> command, Map<String, String> env, Duration timeout) {
    return run(command, env, null, timeout);
  }

  /** As {@link #run(List, Map, Duration)}, in working directory {@code cwd} (null: ours). */
  public static CommandResult run(List<String> command, Map<String, String> env, Path cwd, Duration timeout) {
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("testkit-out", ".txt");
      err = Files.createTempFile("testkit-err", ".txt");
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      if (cwd != null) {
        builder.directory(cwd.toFile());
      }
      // A null value removes the variable, e.g. an http_proxy or GNUPGHOME that must not apply.
      env.forEach((k, v) -> {
        if (v == null) {
          builder.environment().remove(k);
        } else {
          builder.environment().put(k, v);
        }
      });
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError("run " + command.get(0) + ": no exit after " + timeout + "\n"
            + new CommandResult(command, -1, read(out), read(err)).describe());
      }
      return new CommandResult(command, process.exitValue(), read(out), read(err));
    } catch (IOException e) {
      throw new UncheckedIOException("run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("run " + command.get(0) + ": interrupted", e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  /** True when {@code tool} is an executable on the PATH. */
  public static boolean onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // A leftover temp file is harmless; the command's result matters more.
      }
    }
  }
}
