package dev.reprox.server.cli;

import dev.reprox.config.ReproxConfig;
import dev.reprox.server.bundle.BundleException;
import dev.reprox.server.bundle.BundleImport;
import dev.reprox.server.bundle.ImportReportJson;
import dev.reprox.server.fetch.Formats;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code reprox import BUNDLE}: verifies a bundle against this side's keyrings and imports it into
 * a stopped store ({@code --data}) or a running server ({@code --server}, the admin route); nothing becomes visible unless the whole bundle verified.
 * Exit 0 when imported (conflicting pins are reported and kept as they were), 1 when refused.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = "Verify a bundle written by 'reprox export' (every root signature against the configured"
        + " keyrings, every listing and package hash) and import it; refused whole if anything fails."
        + " Into a stopped store (--data) or a running server (--server).")
final class ImportCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "BUNDLE", description = "the bundle file")
  Path bundle;

  @Option(names = "--config", paramLabel = "FILE", description = "config file (YAML), merged over the built-ins")
  Path config;

  @Option(names = "--data", paramLabel = "DIR", description = "data directory (default ./reprox-data)")
  Path data;

  @Option(names = "--server", paramLabel = "URL",
      description = "import into this running reprox instead (POST /-/api/admin/import, needs the admin token)")
  java.net.URI server;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "file holding the server's api.admin-token (default: $REPROX_ADMIN_TOKEN)")
  Path tokenFile;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<ReproxConfig> loaded = Errors.load(config, data, err);
    if (loaded.isEmpty()) {
      return Main.EXIT_CONFIG;
    }
    ReproxConfig effective = loaded.get();
    if (server != null) {
      return intoServer(out, err);
    }
    Clock clock = Clock.systemUTC();
    long start = System.nanoTime();
    try {
      Files.createDirectories(effective.data());
    } catch (IOException e) {
      err.println("import: cannot create " + effective.data() + ": " + e.getMessage());
      err.flush();
      return 1;
    }
    try (InputStream in = Files.newInputStream(bundle);
        Storage storage = StorageOpener.open(effective.data(), clock, effective.storage().blobFiles())) {
      BundleImport.Report r = new BundleImport(storage, Formats.of(effective.repositories(), clock), clock).read(in);
      print(out, r, (System.nanoTime() - start) / 1e9);
      return 0;
    } catch (BundleException e) {
      err.println(e.getMessage());
      err.flush();
      return e.kind() == BundleException.Kind.USAGE ? Main.EXIT_CONFIG : 1;
    } catch (IOException | RuntimeException e) {
      err.println("import: " + e.getMessage() + StorageOpener.lockHint(e));
      err.flush();
      return 1;
    }
  }

  private int intoServer(PrintWriter out, PrintWriter err) {
    long start = System.nanoTime();
    try {
      // Streamed from the file: the server reads it as it arrives, with backpressure.
      java.net.http.HttpResponse<String> r = AdminClient.client().send(
          AdminClient.request(server, "/-/api/admin/import", AdminClient.token(tokenFile))
              .header("Content-Type", "application/zstd")
              .POST(java.net.http.HttpRequest.BodyPublishers.ofFile(bundle)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        err.println("import: " + server + " answered " + r.statusCode() + ": " + r.body().strip());
        err.flush();
        return r.statusCode() == 400 ? Main.EXIT_CONFIG : 1;
      }
      print(out, ImportReportJson.read(r.body()), (System.nanoTime() - start) / 1e9);
      return 0;
    } catch (IOException e) {
      err.println("import: " + server + ": " + e);
      err.flush();
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  static void print(PrintWriter out, BundleImport.Report r, double seconds) {
    for (String c : r.conflicts()) {
      out.println("import: pin conflict: " + c);
    }
    out.printf("import: %d blobs new, %d already stored, %d bytes verified; %d observations, %d signatures,"
        + " %d listings indexed, %d aliases; pins: %d added, %d already there, %d conflicts; %.1f s%n",
        r.blobsNew(), r.blobsPresent(), r.bytes(), r.observations(), r.signatures(), r.listingsIndexed(),
        r.aliases(), r.pinsAdded(), r.pinsUnchanged(), r.conflicts().size(), seconds);
    if (!r.changed()) {
      out.println("import: nothing changed (everything in the bundle was already in the store)");
    }
    out.flush();
  }
}
