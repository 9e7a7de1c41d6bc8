package dev.reprox.testkit.apt;

import java.util.List;

/** What an external command did: its command line, exit code and captured output. */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {

  public CommandResult {
    command = List.copyOf(command);
  }

  public boolean ok() {
    return exitCode == 0;
  }

  /** stdout and stderr together, for assertions like "output contains Hash Sum mismatch". */
  public String output() {
    return stdout + stderr;
  }

  /** A multi-line description for failure messages. */
  public String describe() {
    return "command: " + String.join(" ", command) + "\nexit code: " + exitCode
        + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
  }

  /** Returns this result, or throws an {@link AssertionError} naming {@code operation}. */
  public CommandResult requireOk(String operation) {
    if (!ok()) {
      throw new AssertionError(operation + " failed\n" + describe());
    }
    return this;
  }
}
