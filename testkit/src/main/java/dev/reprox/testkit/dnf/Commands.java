package dev.reprox.testkit.dnf;

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

import dev.reprox.testkit.apt.CommandResult;

/**
 * Runs rpm tools and dnf with captured output and a hard timeout (the apt package's runner is
 * package-private there), and stops the gpg-agents they leave behind.
 */
final class Commands {

    private Commands() {
    }

    /** Runs {@code command}; output goes to files so a chatty tool never blocks on a full pipe. */
    static CommandResult run(List<String> command, Map<String, String> env, Path cwd, Duration timeout) {
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

    /**
     * Stops every gpg-agent whose {@code --homedir} lies under {@code dir}, by PID: gpg (run by
     * rpmsign, or by dnf for each repository keyring) starts one per home and leaves it running.
     * Returns how many were stopped.
     */
    static int stopGpgAgentsUnder(Path dir) {
        String prefix = dir.toAbsolutePath().normalize().toString();
        List<ProcessHandle> agents = ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/gpg-agent")).orElse(false))
                .filter(p -> p.info().arguments().map(args -> homedirUnder(args, prefix)).orElse(false))
                .toList();
        for (ProcessHandle agent : agents) {
            agent.destroy();
        }
        for (ProcessHandle agent : agents) {
            try {
                agent.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                agent.destroyForcibly();
            }
        }
        return agents.size();
    }

    private static boolean homedirUnder(String[] args, String prefix) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--homedir") && (args[i + 1].equals(prefix) || args[i + 1].startsWith(prefix + "/"))) {
                return true;
            }
        }
        return false;
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // A gpg socket vanishing under us, or similar: leftovers in /tmp are harmless.
        }
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
