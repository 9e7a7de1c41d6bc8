package dev.reprox.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.ConfigLoader.Overrides;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code storage:}: the single-node default, the shared store's sections, secrets and their redaction. */
class StorageConfigTest {
  private static final String PASSWORD = "pg-Pa55word!";
  private static final String SHARED = """
      data: /var/lib/reprox
      storage:
        type: shared
        postgres:
          url: jdbc:postgresql://db.example:5432/reprox
          password-file: pg.password
        s3:
          endpoint: http://s3.example:8080
          bucket: reprox-archive
          access-key-file: s3.access
          secret-key-file: s3.secret
      """;

  @TempDir Path dir;

  private ReproxConfig load(String yaml, Map<String, String> env) throws Exception {
    Path file = dir.resolve("reprox.yaml");
    Files.writeString(file, yaml);
    return ConfigLoader.load(Optional.of(file), env, Overrides.none());
  }

  private ConfigException failure(String yaml, Map<String, String> env) {
    try {
      load(yaml, env);
    } catch (ConfigException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("loaded without an error");
  }

  private void secrets() throws Exception {
    Files.writeString(dir.resolve("pg.password"), PASSWORD + "\n");
    Files.writeString(dir.resolve("s3.access"), "AKIA-TEST");
    Files.writeString(dir.resolve("s3.secret"), "s3-secret-value");
  }

  @Test
  void storage_absent_isRocksdb() throws Exception {
    assertThat(ConfigLoader.builtin().storage()).isEqualTo(StorageConfig.ROCKSDB);
    assertThat(ConfigPrinter.toYaml(ConfigLoader.builtin())).contains("storage:\n  type: rocksdb");
  }

  @Test
  void storage_shared_loadsSectionsDefaultsAndSecretFilesBesideTheConfig() throws Exception {
    secrets();

    StorageConfig s = load(SHARED, Map.of()).storage();

    assertThat(s.type()).isEqualTo(StorageConfig.Type.SHARED);
    assertThat(s.postgres()).get().satisfies(pg -> {
      assertThat(pg.url()).isEqualTo("jdbc:postgresql://db.example:5432/reprox");
      assertThat(pg.user()).isEqualTo("reprox");
      assertThat(pg.password()).get().extracting(StorageConfig.Secret::value).isEqualTo(PASSWORD);
    });
    assertThat(s.s3()).get().satisfies(s3 -> {
      assertThat(s3.endpoint()).contains(URI.create("http://s3.example:8080"));
      assertThat(s3.bucket()).isEqualTo("reprox-archive");
      assertThat(s3.region()).isEqualTo("us-east-1");
      assertThat(s3.pathStyle()).isTrue();
      assertThat(s3.secretKey()).get().extracting(StorageConfig.Secret::value).isEqualTo("s3-secret-value");
    });
    assertThat(s.localCache()).get().satisfies(c -> {
      assertThat(c.path()).isEqualTo(Path.of("/var/lib/reprox/shared-cache"));
      assertThat(c.maxSize()).isEqualTo(10L << 30);
    });
  }

  @Test
  void storage_secretsFromEnvironment_printedAsStars_neverInClear() throws Exception {
    ReproxConfig config = load("""
        storage:
          type: shared
          postgres: {url: "jdbc:postgresql://db:5432/reprox"}
          s3: {bucket: reprox}
          local-cache: {max-size: 512MiB}
        """, Map.of("REPROX_STORAGE_POSTGRES_PASSWORD", PASSWORD, "REPROX_STORAGE_S3_ACCESS_KEY", "AKIA-ENV",
        "REPROX_STORAGE_S3_SECRET_KEY", "env-secret", "REPROX_STORAGE_LOCAL_CACHE_PATH", "/cache"));

    assertThat(config.storage().postgres().orElseThrow().password().orElseThrow().value()).isEqualTo(PASSWORD);
    assertThat(config.storage().localCache().orElseThrow()).isEqualTo(new StorageConfig.LocalCache(Path.of("/cache"),
        512L << 20));
    String printed = ConfigPrinter.toYaml(config);
    assertThat(printed).doesNotContain(PASSWORD).doesNotContain("env-secret").doesNotContain("AKIA-ENV")
        .contains("password: '***'").contains("max-size: 512MiB");
    assertThat(config.toString()).doesNotContain(PASSWORD).doesNotContain("env-secret");
  }

  @Test
  void storage_printed_loadsBackToTheSameConfiguration() throws Exception {
    secrets();
    ReproxConfig config = load(SHARED, Map.of());

    ReproxConfig again = load(ConfigPrinter.toYaml(config), Map.of());

    assertThat(again.storage()).isEqualTo(config.storage());
  }

  @Test
  void storage_errors_allReported_withoutSecretValues() {
    ConfigException e = failure("""
        storage:
          type: shared
          postgres: {url: "postgres://db/reprox", password: "***", pasword: x}
          s3: {bucket: "Not_A_Bucket", access-key: "a"}
          local-cache: {max-size: 10}
        """, Map.of());

    assertThat(e.errors()).anySatisfy(m -> assertThat(m).startsWith("storage.postgres.url: must start with jdbc"))
        .anySatisfy(m -> assertThat(m).startsWith("storage.postgres.password: \"***\" is the placeholder"))
        .anySatisfy(m -> assertThat(m).startsWith("storage.postgres.pasword: unknown key"))
        .anySatisfy(m -> assertThat(m).startsWith("storage.s3.bucket: not an S3 bucket name"))
        .anySatisfy(m -> assertThat(m).startsWith("storage.s3: set both access-key and secret-key"))
        .anySatisfy(m -> assertThat(m).startsWith("storage.local-cache.max-size: must be a size"));
  }

  @Test
  void storage_sharedSectionsWithRocksdb_orMissingWithShared_areErrors() {
    assertThat(failure("storage: {postgres: {url: \"jdbc:postgresql://db/x\"}}\n", Map.of()).errors())
        .anySatisfy(m -> assertThat(m).startsWith("storage.postgres: only with type: shared"));
    assertThat(failure("storage: {type: shared}\n", Map.of()).errors())
        .anySatisfy(m -> assertThat(m).startsWith("storage.postgres: required with type: shared"))
        .anySatisfy(m -> assertThat(m).startsWith("storage.s3: required with type: shared"));
    assertThat(failure("", Map.of("REPROX_STORAGE_S3_BUCKT", "x")).errors())
        .anySatisfy(m -> assertThat(m).startsWith("REPROX_STORAGE_S3_BUCKT: matches no storage field"));
  }

  @Test
  void storage_blobFiles_defaultOn_offFromFileOrEnvironment_printed_refusedWithShared() throws Exception {
    assertThat(ConfigLoader.builtin().storage().blobFiles()).isTrue();
    ReproxConfig off = load("storage: {blob-files: false}\n", Map.of());
    assertThat(off.storage().blobFiles()).isFalse();
    assertThat(off.storage().type()).isEqualTo(StorageConfig.Type.ROCKSDB);
    assertThat(ConfigPrinter.toYaml(off)).contains("blob-files: false");
    assertThat(load("", Map.of("REPROX_STORAGE_BLOB_FILES", "false")).storage().blobFiles()).isFalse();

    assertThat(failure("storage: {blob-files: maybe}\n", Map.of()).errors())
        .anySatisfy(m -> assertThat(m).startsWith("storage.blob-files: not true or false"));
    secrets();
    assertThat(failure(SHARED + "  blob-files: true\n", Map.of()).errors())
        .anySatisfy(m -> assertThat(m).startsWith("storage.blob-files: only with type: rocksdb"));
  }

  @Test
  void storage_fillLease_default30s_fromFileOrEnvironment_printed_tooShortOrWithRocksdbRefused() throws Exception {
    secrets();
    assertThat(load(SHARED, Map.of()).storage().fillLease()).isEqualTo(java.time.Duration.ofSeconds(30));
    ReproxConfig set = load(SHARED + "  fill-lease: 2s\n", Map.of());
    assertThat(set.storage().fillLease()).isEqualTo(java.time.Duration.ofSeconds(2));
    assertThat(ConfigPrinter.toYaml(set)).contains("fill-lease: 2s");
    assertThat(load(SHARED, Map.of("REPROX_STORAGE_FILL_LEASE", "90s")).storage().fillLease())
        .isEqualTo(java.time.Duration.ofSeconds(90));

    assertThat(failure(SHARED + "  fill-lease: 10ms\n", Map.of()).errors())
        .anySatisfy(m -> assertThat(m).startsWith("storage.fill-lease: must be a duration of at least 1s"));
    assertThat(failure("storage: {fill-lease: 5s}\n", Map.of()).errors())
        .anySatisfy(m -> assertThat(m).startsWith("storage.fill-lease: only with type: shared"));
  }
}
