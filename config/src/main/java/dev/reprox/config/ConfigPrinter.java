package dev.reprox.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.UncheckedIOException;

/**
 * Renders the effective configuration ({@code reprox config check}) in the shape of the config
 * file of DESIGN.md §5a, so that the output can be saved and fed back with {@code --config}.
 * Every field is written out, defaults included: the point is to show what is in effect.
 */
public final class ConfigPrinter {
  private static final YAMLMapper MAPPER = YAMLMapper.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
      .build();

  private ConfigPrinter() {}

  private static void token(ObjectNode api, String key, ApiConfig.Token token) {
    if (token.file().isPresent()) {
      api.put(key + "-file", token.file().get().toString());
    } else {
      api.put(key, ApiValidator.REDACTED);
    }
  }

  // Secrets as for the API's tokens: a file's path is shown, a value never (*** says one is set).
  private static void secret(ObjectNode node, String key, java.util.Optional<StorageConfig.Secret> secret) {
    secret.ifPresent(s -> {
      if (s.file().isPresent()) {
        node.put(key + "-file", s.file().get().toString());
      } else {
        node.put(key, ApiValidator.REDACTED);
      }
    });
  }

  private static void storage(ObjectNode node, StorageConfig storage) {
    node.put("type", StorageValidator.lower(storage.type()));
    storage.postgres().ifPresent(pg -> {
      ObjectNode p = node.putObject("postgres");
      p.put("url", pg.url());
      p.put("user", pg.user());
      secret(p, "password", pg.password());
    });
    storage.s3().ifPresent(s3 -> {
      ObjectNode s = node.putObject("s3");
      s3.endpoint().ifPresent(e -> s.put("endpoint", e.toString()));
      s.put("bucket", s3.bucket());
      s.put("region", s3.region());
      s.put("path-style", s3.pathStyle());
      secret(s, "access-key", s3.accessKey());
      secret(s, "secret-key", s3.secretKey());
    });
    storage.localCache().ifPresent(c -> {
      ObjectNode l = node.putObject("local-cache");
      l.put("path", c.path().toString());
      l.put("max-size", Sizes.format(c.maxSize()));
    });
    if (storage.type() == StorageConfig.Type.SHARED) {
      node.put("fill-lease", Durations.format(storage.fillLease()));
    } else {
      node.put("blob-files", storage.blobFiles());
    }
  }

  public static String toYaml(ReproxConfig config) {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    ObjectNode root = nodes.objectNode();
    root.put("listen", HostPort.format(config.listen()));
    root.put("data", config.data().toString());
    root.put("offline", config.offline());
    root.put("max-connections", config.maxConnections());
    ObjectNode repositories = root.putObject("repositories");
    for (RepositoryConfig repository : config.repositories().values()) {
      ObjectNode node = repositories.putObject(repository.name());
      node.put("format", RepositoryValidator.spelling(repository.format()));
      // user:***@ says credentials are configured without showing them (fed back, *** is the password).
      node.put("upstream", BasicCredentials.display(repository.upstream(), repository.upstreamCredentials()));
      repository.snapshot().ifPresent(snapshot -> node.put("snapshot",
          BasicCredentials.display(snapshot, repository.snapshotCredentials())));
      node.put("keyring", repository.keyring().spec());
      node.put("pinning", RepositoryValidator.spelling(repository.pinning()));
      node.put("root-ttl", Durations.format(repository.rootTtl()));
      node.put("negative-ttl", Durations.format(repository.negativeTtl()));
      // The global switch already makes every repository offline; repeating it per repository
      // would turn a one-line setting into many once the output is fed back.
      if (repository.offline() && !config.offline()) {
        node.put("offline", true);
      }
      if (!repository.repoGpgcheck()) {
        node.put("repo-gpgcheck", false); // printed only when off, like offline
      }
      repository.watch().ifPresent(w -> {
        ObjectNode watch = node.putObject("watch");
        if (w.seen()) {
          watch.put("roots", "seen");
        } else {
          ArrayNode roots = watch.putArray("roots");
          w.roots().forEach(roots::add);
        }
        watch.put("interval", Durations.format(w.interval()));
        watch.put("listings", w.listings());
      });
    }
    ArrayNode tunnels = root.putArray("tunnel-allow");
    config.tunnelAllow().forEach(tunnels::add);
    ObjectNode upstreams = root.putObject("upstreams");
    for (UpstreamConfig u : config.upstreams().values()) {
      ObjectNode node = upstreams.putObject(u.origin());
      u.concurrency().ifPresent(n -> node.put("concurrency", n));
      u.rate().ifPresent(r -> node.put("rate", r));
      u.burst().ifPresent(n -> node.put("burst", n));
      u.retries().ifPresent(n -> node.put("retries", n));
      u.backoff().ifPresent(d -> node.put("backoff", Durations.format(d)));
      u.backoffMax().ifPresent(d -> node.put("backoff-max", Durations.format(d)));
      u.maxRetryAfter().ifPresent(d -> node.put("max-retry-after", Durations.format(d)));
      u.breakerFailures().ifPresent(n -> node.put("breaker-failures", n));
      u.breakerCoolDown().ifPresent(d -> node.put("breaker-cool-down", Durations.format(d)));
      u.minRate().ifPresent(r -> node.put("min-rate", ByteRates.format(r)));
      u.minRateWindow().ifPresent(d -> node.put("min-rate-window", Durations.format(d)));
    }
    ObjectNode log = root.putObject("log");
    log.put("access", config.log().access());
    log.put("format", config.log().format().name().toLowerCase(java.util.Locale.ROOT));
    log.put("leak-detection", config.log().leakDetection().name().toLowerCase(java.util.Locale.ROOT));
    ObjectNode threads = root.putObject("threads");
    ThreadsConfig pools = config.threads();
    threads.put("event-loops", pools.eventLoops());
    threads.put("storage", pools.storage());
    threads.put("body", pools.body());
    threads.put("upstream", pools.upstream());
    threads.put("signed", pools.signed());
    threads.put("root-fetch", pools.rootFetch());
    threads.put("tunnel-resolve", pools.tunnelResolve());
    root.putObject("server").put("transport", config.server().transport().spelling());
    // A token is never printed: *** says one is set (and is refused if fed back); a file's path is no secret.
    ObjectNode api = root.putObject("api");
    config.api().adminToken().ifPresent(t -> token(api, "admin-token", t));
    config.api().readToken().ifPresent(t -> token(api, "read-token", t));
    ObjectNode builds = root.putObject("builds");
    builds.put("retention", Durations.format(config.builds().retention()));
    builds.put("max-labels", config.builds().maxLabels());
    ObjectNode retention = root.putObject("retention");
    retention.put("keep", Durations.format(config.retention().keep()));
    config.retention().maxSize().ifPresent(n -> retention.put("max-size", Sizes.format(n)));
    retention.put("schedule", config.retention().schedule().map(Durations::format).orElse("off"));
    if (!config.retention().repositories().isEmpty()) {
      ObjectNode repos = retention.putObject("repositories");
      config.retention().repositories().forEach((name, keep) -> repos.putObject(name).put("keep", Durations.format(keep)));
    }
    storage(root.putObject("storage"), config.storage());
    try {
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("render effective configuration: " + e.getMessage(), e);
    }
  }
}
