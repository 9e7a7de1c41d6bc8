package dev.reprox.server.cli;

import java.util.concurrent.CompletableFuture;

/** Run in a JVM of its own: prints the class of CompletableFuture's default executor after {@link Main#jvmDefaults}. */
final class AsyncPoolProbe {
  private AsyncPoolProbe() {}

  public static void main(String[] args) {
    if (args.length == 0 || !args[0].equals("--no-defaults")) {
      Main.jvmDefaults();
    }
    System.out.println("executor " + new CompletableFuture<Void>().defaultExecutor().getClass().getName());
  }
}
