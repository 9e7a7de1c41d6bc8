package dev.reprox.server.gc;

import dev.reprox.storage.Pin;
import dev.reprox.storage.Storage;
import java.io.IOException;

/** Every pin of every repository keeps its generation: the reproducibility promise. */
final class PinRoots implements RootProvider {
  @Override
  public String name() {
    return "pins";
  }

  @Override
  public void roots(Storage storage, Sink sink) throws IOException {
    for (String repo : storage.observations().repos()) {
      for (Pin p : storage.pins().list(repo)) {
        sink.generation(p.repo(), p.root(), p.generation());
      }
    }
  }
}
