package dev.reprox.server.fetch;

import dev.reprox.config.RepositoryConfig;
import dev.reprox.pinning.Format;
import dev.reprox.server.trust.Roots;
import dev.reprox.storage.Digest;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configured repositories' {@link Format}s bound to their keyrings, built the way serve builds
 * them, for the commands that check signed bytes outside a server (export, import).
 */
public final class Formats {
  private Formats() {}

  /** One format per configured repository, by name; keyrings are parsed on first use. */
  public static Map<String, Format> of(Map<String, RepositoryConfig> repositories, Clock clock) {
    Map<String, Format> out = new LinkedHashMap<>();
    repositories.forEach((name, config) -> out.put(name, SignedRepository.of(config, clock).format()));
    return out;
  }

  /** The ref under which the detached signature of generation {@code digest} of {@code root} is kept. */
  public static String signatureRef(String root, Digest digest) {
    return Roots.signatureRef(root, digest);
  }
}
