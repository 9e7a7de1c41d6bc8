package dev.reprox.server.cli;

import dev.reprox.config.ConfigException;
import java.io.PrintWriter;

/** Prints configuration errors one per line, each naming its field path. */
final class Errors {
  private Errors() {}

  static void print(PrintWriter err, ConfigException e) {
    for (String error : e.errors()) {
      err.println("config: " + error);
    }
    err.flush();
  }
}
