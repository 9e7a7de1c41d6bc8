package dev.reprox.server.http;

import dev.reprox.pinning.TimeSpec;
import dev.reprox.pinning.TimeSpecException;
import dev.reprox.server.bundle.BundleExport;
import dev.reprox.storage.BuildEntry;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The query of {@code GET /-/api/admin/export} as the bundle's selections (docs/api.md). */
final class ExportQuery {
  private ExportQuery() {}

  /**
   * {@code repo=R&at=T&at=T2&repo=R2&at=T3}: each at belongs to the repo before it; {@code label=L}
   * adds every (repository, T) the build label's persisted record holds (its live answers have no
   * T, so no pin, and are left out; a pair without a pin is skipped).
   */
  static List<BundleExport.Selection> selections(String uri, Function<String, List<BuildEntry>> labels) {
    int q = uri.indexOf('?');
    String query = q < 0 ? "" : uri.substring(q + 1);
    List<BundleExport.Selection> out = new ArrayList<>();
    String repo = null;
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = QueryStringDecoder.decodeComponent(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : QueryStringDecoder.decodeComponent(pair.substring(eq + 1));
      if (name.equals("label")) {
        List<BundleExport.Selection> fromLabel = BundleExport.forBuild(labels.apply(value));
        if (fromLabel.isEmpty()) {
          throw new IllegalArgumentException("export: build label \"" + value + "\" asked for no pinned T");
        }
        out.addAll(fromLabel);
      } else if (name.equals("repo")) {
        repo = value;
      } else if (name.equals("at")) {
        if (repo == null) {
          throw new IllegalArgumentException("export: at=" + value + " before any repo=");
        }
        try {
          out.add(new BundleExport.Selection(repo, TimeSpec.parse(value)));
        } catch (TimeSpecException e) {
          throw new IllegalArgumentException("export: at=" + value + ": " + e.getMessage());
        }
      } else {
        throw new IllegalArgumentException("export: unknown parameter " + name + " (repo, at, label)");
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("export: give repo=R&at=T (repeatable) or label=L");
    }
    return out;
  }
}
