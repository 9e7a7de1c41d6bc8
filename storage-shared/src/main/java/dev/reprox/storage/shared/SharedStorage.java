package dev.reprox.storage.shared;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.reprox.storage.Aliases;
import dev.reprox.storage.BlobStore;
import dev.reprox.storage.BuildRecords;
import dev.reprox.storage.Digest;
import dev.reprox.storage.FillLeases;
import dev.reprox.storage.Observations;
import dev.reprox.storage.PathIndex;
import dev.reprox.storage.Pins;
import dev.reprox.storage.Refs;
import dev.reprox.storage.Storage;
import dev.reprox.storage.StorageException;
import dev.reprox.storage.StorageStats;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * The {@link Storage} several replicas share (DESIGN.md §8): metadata in PostgreSQL, blob bytes in
 * an S3-compatible bucket, a bounded verified copy on local disk.
 * {@code SharedStorage.builder().postgres(url, user, password).s3(...).localCache(dir, bytes).build()}
 * migrates the schema and creates the bucket when they are missing.
 */
public final class SharedStorage implements Storage, FillLeases {
  private static final Logger LOG = LoggerFactory.getLogger(SharedStorage.class);

  private final HikariDataSource pool;
  private final S3Client s3;
  private final SharedBlobStore blobs;
  private final PgAliases aliases;
  private final PgObservations observations;
  private final PgPins pins;
  private final PgPathIndex paths;
  private final PgRefs refs;
  private final PgBuildRecords builds;
  private final PgFillLeases leases;
  private final Db db;
  private final Duration fillLease;
  private final Health health;
  private volatile boolean closed;

  private SharedStorage(Builder b, HikariDataSource pool, S3Client s3) throws StorageException {
    this.pool = pool;
    this.s3 = s3;
    Db db = new Db(pool);
    this.db = db;
    S3Objects objects = new S3Objects(s3, b.bucket, b.multipartThreshold, b.partSize);
    objects.ensureBucket();
    this.blobs = new SharedBlobStore(db, objects, new LocalCache(b.cacheDir, b.cacheBytes), b.clock, b.chunkSize,
        b.hotCacheBytes);
    this.aliases = new PgAliases(db);
    this.observations = new PgObservations(db);
    this.pins = new PgPins(db);
    this.paths = new PgPathIndex(db);
    this.refs = new PgRefs(db);
    this.builds = new PgBuildRecords(db);
    this.leases = new PgFillLeases(db, b.clock);
    this.fillLease = b.fillLease;
    this.health = new Health(b.healthEvery, java.util.List.of(
        () -> db.one("readiness", "SELECT 1", ps -> { }, rs -> null), objects::probe));
    health.checkNow();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public BlobStore blobs() {
    return blobs;
  }

  @Override
  public Aliases aliases() {
    return aliases;
  }

  @Override
  public Observations observations() {
    return observations;
  }

  @Override
  public Pins pins() {
    return pins;
  }

  @Override
  public PathIndex paths() {
    return paths;
  }

  @Override
  public Refs refs() {
    return refs;
  }

  @Override
  public BuildRecords builds() {
    return builds;
  }

  @Override
  public Duration leaseTtl() {
    return fillLease;
  }

  @Override
  public java.util.Optional<Lease> tryAcquire(String key, Duration ttl) throws StorageException {
    return leases.tryAcquire(key, ttl);
  }

  /** PostgreSQL or the bucket, when the last background check could not reach it ({@link Health}). */
  @Override
  public java.util.Optional<String> unavailable() {
    return health.problem();
  }

  @Override
  public StorageStats stats() {
    try {
      return blobs.stats();
    } catch (StorageException e) {
      LOG.debug("stats: {}", e.getMessage());
      return new StorageStats(0, 0, 0, 0, 0);
    }
  }

  /** Objects without a row younger than this are left to the commits that may still be writing them. */
  static final Duration ORPHAN_MIN_AGE = Duration.ofHours(1);

  /**
   * Deletes the bucket's orphans ({@link SharedBlobStore#deleteOrphans}: uploads whose row was never
   * written); the rest is done: {@link SharedBlobStore#delete} removed each deleted blob's object as
   * it went, and PostgreSQL's autovacuum reuses the deleted rows' pages. {@code reprox gc} calls it
   * after a sweep that deleted blobs.
   */
  @Override
  public String reclaimSpace() throws StorageException {
    long orphans = blobs.deleteOrphans(ORPHAN_MIN_AGE);
    return "shared storage: deleted objects already left the bucket; " + orphans
        + " orphaned objects (uploaded, row never written, older than " + ORPHAN_MIN_AGE.toHours() + " h) deleted";
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    health.close();
    s3.close();
    pool.close();
  }

  /** For {@link StoreMigration}: the calls that copy records as they are. */
  Db db() {
    return db;
  }

  PgPins pgPins() {
    return pins;
  }

  PgPathIndex pgPaths() {
    return paths;
  }

  PgBuildRecords pgBuilds() {
    return builds;
  }

  /** Test hook: {@link SharedBlobStore#uploadWithoutRow}. */
  void uploadWithoutRow(Digest digest, byte[] bytes) {
    blobs.uploadWithoutRow(digest, bytes);
  }

  /** Test hook: {@link SharedBlobStore#inBucket}. */
  boolean inBucket(Digest digest) throws StorageException {
    return blobs.inBucket(digest);
  }

  /** Test hook: replaces the object store's bytes of {@code digest}. */
  void corrupt(Digest digest, byte[] bytes) {
    blobs.corrupt(digest, bytes);
  }

  /** Builds a {@link SharedStorage}; postgres, s3 and localCache are required. */
  public static final class Builder {
    private String url;
    private String user;
    private String password;
    private int poolSize = 16;
    private URI endpoint;
    private String bucket;
    private String region = "us-east-1";
    private boolean pathStyle = true;
    private String accessKey;
    private String secretKey;
    private Path cacheDir;
    private long cacheBytes;
    private Clock clock = Clock.systemUTC();
    private int chunkSize = 1 << 20;
    // As the RocksDB store's hot-chunk cache: warm hits lend these bytes on the event loop.
    private long hotCacheBytes = 64L << 20;
    // S3Proxy holds a single PUT in memory up to 128 MiB; parts keep every request well below.
    private long multipartThreshold = 32L << 20;
    private long partSize = 16L << 20;
    private Duration fillLease = Duration.ofSeconds(30);
    private Duration healthEvery = Duration.ofSeconds(2);

    private Builder() {}

    /** How often PostgreSQL and the bucket are checked for {@link SharedStorage#unavailable}. */
    public Builder healthEvery(Duration every) {
      if (every.isNegative() || every.isZero()) {
        throw new IllegalArgumentException("shared storage: health check interval must be positive, got " + every);
      }
      this.healthEvery = every;
      return this;
    }

    /** How long a fill's lease lasts unless renewed ({@code storage.fill-lease}). */
    public Builder fillLease(Duration ttl) {
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("shared storage: fill lease must be positive, got " + ttl);
      }
      this.fillLease = ttl;
      return this;
    }

    public Builder postgres(String url, String user, String password) {
      this.url = Objects.requireNonNull(url, "postgres url");
      this.user = user;
      this.password = password;
      return this;
    }

    public Builder poolSize(int poolSize) {
      if (poolSize < 1) {
        throw new IllegalArgumentException("shared storage: pool size must be positive, got " + poolSize);
      }
      this.poolSize = poolSize;
      return this;
    }

    public Builder s3(URI endpoint, String bucket, String region, boolean pathStyle, String accessKey,
        String secretKey) {
      this.endpoint = endpoint;
      this.bucket = Objects.requireNonNull(bucket, "bucket");
      this.region = Objects.requireNonNull(region, "region");
      this.pathStyle = pathStyle;
      this.accessKey = accessKey;
      this.secretKey = secretKey;
      return this;
    }

    public Builder localCache(Path dir, long maxBytes) {
      if (maxBytes <= 0) {
        throw new IllegalArgumentException("shared storage: local cache size must be positive, got " + maxBytes);
      }
      this.cacheDir = Objects.requireNonNull(dir, "local cache dir");
      this.cacheBytes = maxBytes;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder chunkSize(int chunkSize) {
      if (chunkSize <= 0) {
        throw new IllegalArgumentException("shared storage: chunkSize must be positive, got " + chunkSize);
      }
      this.chunkSize = chunkSize;
      return this;
    }

    /** Memory for hot chunks of local copies (0 turns it off). */
    public Builder hotCacheBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("shared storage: hotCacheBytes must be >= 0, got " + bytes);
      }
      this.hotCacheBytes = bytes;
      return this;
    }

    /** Blobs larger than {@code threshold} go up in parts of {@code partSize} (S3: at least 5 MiB but the last). */
    public Builder multipart(long threshold, long partSize) {
      if (partSize < 5L << 20) {
        throw new IllegalArgumentException("shared storage: S3 parts must be at least 5 MiB, got " + partSize);
      }
      this.multipartThreshold = threshold;
      this.partSize = partSize;
      return this;
    }

    public SharedStorage build() throws StorageException {
      if (url == null || bucket == null || cacheDir == null) {
        throw new IllegalStateException("shared storage: postgres, s3 and localCache are required");
      }
      HikariDataSource pool = openPool();
      S3Client s3 = null;
      try {
        migrate(pool);
        s3 = s3Client();
        return new SharedStorage(this, pool, s3);
      } catch (StorageException | RuntimeException e) {
        if (s3 != null) {
          s3.close();
        }
        pool.close();
        throw e;
      }
    }

    private HikariDataSource openPool() throws StorageException {
      HikariConfig c = new HikariConfig();
      c.setJdbcUrl(url);
      c.setUsername(user);
      c.setPassword(password);
      c.setMaximumPoolSize(poolSize);
      c.setPoolName("reprox-postgres");
      // Fail fast when PostgreSQL is down: the proxy answers 503 instead of queueing requests.
      c.setConnectionTimeout(Duration.ofSeconds(5).toMillis());
      c.setInitializationFailTimeout(Duration.ofSeconds(10).toMillis());
      try {
        return new HikariDataSource(c);
      } catch (RuntimeException e) {
        throw new StorageException("shared storage: cannot connect to PostgreSQL at " + url + " as " + user + ": "
            + rootMessage(e), e);
      }
    }

    private void migrate(HikariDataSource pool) throws StorageException {
      try {
        Flyway.configure(Builder.class.getClassLoader())
            .dataSource(pool)
            .locations("classpath:db/reprox")
            .table("reprox_schema_history")
            .load()
            .migrate();
      } catch (FlywayException e) {
        throw new StorageException("shared storage: cannot create or migrate the schema in " + url + " as " + user
            + " (the user needs CREATE on the database the first time): " + rootMessage(e), e);
      }
    }

    /** The client on this builder's endpoint and credentials (package-private for its test). */
    S3Client s3Client() {
      var b = S3Client.builder()
          .httpClient(UrlConnectionHttpClient.builder().build())
          .region(Region.of(region))
          .forcePathStyle(pathStyle)
          // Over http:// the SDK would otherwise sign bodies as aws-chunked streams, and Ceph RGW 16
          // answers 400 to such a stream when it is empty (the empty blob's PUT). Signing the payload
          // whole costs one more read of the (local, verified) file.
          .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
          // Checksums only where S3 demands them: the SDK's default trailing checksums use
          // aws-chunked bodies that S3Proxy and older Ceph RGW reject; content is verified by digest.
          .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
      if (endpoint != null) {
        b.endpointOverride(endpoint);
      }
      if (accessKey != null && secretKey != null) {
        b.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)));
      }
      return b.build();
    }

    private static String rootMessage(Throwable e) {
      Throwable t = e;
      while (t.getCause() != null && t.getCause() != t) {
        t = t.getCause();
      }
      return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
    }
  }
}
