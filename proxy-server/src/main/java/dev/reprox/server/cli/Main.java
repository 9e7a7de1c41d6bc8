package dev.reprox.server.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code reprox <command>}: the entry point of the shaded jar and the launcher script. */
@Command(name = "reprox", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Package snapshot proxy and cache for apt, apk and dnf.")
public final class Main implements Runnable {
  /** Usage errors and bad configuration. */
  static final int EXIT_CONFIG = 2;

  /**
   * The subcommands by name, in the order the usage lists them. Not in {@code @Command}: picocli
   * reflects over every annotated subcommand when the command line is built, a tenth of the CPU
   * time {@code serve} took to reach {@code /healthz} (issue 14); see {@link #commandLine}.
   */
  private static final Map<String, Supplier<Object>> COMMANDS = commands();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    jvmDefaults();
    int code = run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    endHttpClientSelectors(httpClientSelectors());
    System.exit(code);
  }

  /**
   * The selector threads of the JDK HTTP clients still in this process ({@code prewarm --server}'s,
   * and the fetch chain's upstream client of {@code prewarm --data}). JDK 17's client has no
   * close, and its selector waits in {@code epoll_wait}, in native code: {@code System.exit} then
   * waits up to 300 ms for that thread to leave native before the VM exits (every client command
   * paid a third of a second after its last line, issue 11). Found by the name the JDK gives them.
   */
  static List<Thread> httpClientSelectors() {
    ThreadGroup root = Thread.currentThread().getThreadGroup();
    while (root.getParent() != null) {
      root = root.getParent();
    }
    Thread[] threads = new Thread[root.activeCount() * 2 + 16];
    int n = root.enumerate(threads, true);
    List<Thread> selectors = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String name = threads[i].getName();
      if (name.startsWith("HttpClient-") && name.endsWith("-SelectorManager")) {
        selectors.add(threads[i]);
      }
    }
    return selectors;
  }

  /**
   * Interrupts each selector (its loop ends on an interrupt and closes its connections) and waits
   * briefly for it to end. Only when the command is over: a client used afterwards fails.
   */
  static void endHttpClientSelectors(List<Thread> selectors) {
    selectors.forEach(Thread::interrupt);
    for (Thread t : selectors) {
      try {
        t.join(SELECTOR_END_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static final long SELECTOR_END_MILLIS = 200;

  /** Runs one command with the given streams; returns the exit code. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = commandLine(args);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExitCodeExceptionMapper(t -> EXIT_CONFIG);
    return cli.execute(args);
  }

  /**
   * The command line for {@code args}: only the subcommand named first when there is one (what
   * runs is the same, and its usage still reads {@code reprox <command>}), every subcommand
   * otherwise (the top-level usage lists them, a misspelt name gets picocli's suggestions).
   */
  static CommandLine commandLine(String... args) {
    CommandLine cli = new CommandLine(new Main());
    Supplier<Object> named = args.length > 0 ? COMMANDS.get(args[0]) : null;
    if (named != null) {
      cli.addSubcommand(args[0], named.get());
    } else {
      COMMANDS.forEach((name, command) -> cli.addSubcommand(name, command.get()));
    }
    return cli;
  }

  /**
   * System properties the process starts with unless set on the command line. Netty 4.2's
   * allocator emits JFR events; the first check of one initialises JFR's metadata in the thread
   * answering the first request: a third of a second of CPU before the first {@code /healthz}
   * (issue 14). {@code -Dio.netty.jfr.enabled=true} turns them back on for a recording.
   */
  static void jvmDefaults() {
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      System.setProperty("io.netty.jfr.enabled", "false");
    }
    // On one or two cores the common pool's parallelism is 1, and CompletableFuture then runs
    // every async stage given no executor on a new thread: the JDK HTTP client hands each
    // response to that default executor, so every upstream call started and ended a thread
    // (502 threads for a 500-package prewarm). With 2 the default executor is the common pool.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null && Runtime.getRuntime().availableProcessors() <= 2) {
      System.setProperty(COMMON_POOL_PARALLELISM, "2");
    }
    // Bouncy Castle proves an RSA public key's modulus composite with Miller-Rabin rounds the
    // first time it meets the key (3 modular exponentiations for a 4,096-bit key, run by the
    // interpreter in a fresh JVM): 0.4 s of the first Debian InRelease's 0.7 s (issue 14). The
    // check guards against a key that is not an RSA key at all; reprox's RSA keys come only from
    // keyrings the operator configured or that ship with it, which are trusted as they stand, so
    // the rounds protect nothing here. An operator's own value is kept.
    if (System.getProperty(BC_RSA_MR_TESTS) == null) {
      System.setProperty(BC_RSA_MR_TESTS, "0");
    }
  }

  /** Bouncy Castle's limit on the Miller-Rabin rounds run on an RSA public modulus. */
  static final String BC_RSA_MR_TESTS = "org.bouncycastle.rsa.max_mr_tests";

  private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  private static Map<String, Supplier<Object>> commands() {
    Map<String, Supplier<Object>> m = new LinkedHashMap<>();
    m.put("serve", ServeCommand::new);
    m.put("config", ConfigCommand::new);
    m.put("verify", VerifyCommand::new);
    m.put("generations", GenerationsCommand::new);
    m.put("export", ExportCommand::new);
    m.put("import", ImportCommand::new);
    m.put("gc", GcCommand::new);
    m.put("lock", LockCommand::new);
    m.put("prewarm", PrewarmCommand::new);
    m.put("migrate", MigrateCommand::new);
    return m;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
