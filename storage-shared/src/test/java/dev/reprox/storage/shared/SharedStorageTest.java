package dev.reprox.storage.shared;

import dev.reprox.storage.AliasesContract;
import dev.reprox.storage.BlobStoreContract;
import dev.reprox.storage.BuildRecordsContract;
import dev.reprox.storage.Digest;
import dev.reprox.storage.ObservationsContract;
import dev.reprox.storage.PathIndexContract;
import dev.reprox.storage.PinsContract;
import dev.reprox.storage.RefsContract;
import dev.reprox.storage.Storage;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * The contract suites the memory and RocksDB stores pass, against {@link SharedStorage} on a real
 * PostgreSQL 15 and a real S3 server (S3Proxy; Ceph RGW with {@code -Pceph}), both started here.
 */
class SharedStorageTest {
  static SharedServers servers;

  @BeforeAll
  static void startServers() {
    servers = SharedServers.start();
  }

  @AfterAll
  static void stopServers() {
    if (servers != null) {
      servers.close();
    }
  }

  static Storage shared(Path dir, Clock clock, int chunkSize) throws Exception {
    return servers.newStorage(dir.resolve("cache"), clock, chunkSize);
  }

  @Nested
  class Blobs extends BlobStoreContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) throws Exception {
      return shared(dir, clock, chunkSize);
    }

    @Override
    protected void corrupt(Storage storage, Digest digest) {
      ((SharedStorage) storage).corrupt(digest, "damaged".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  @Nested
  class ObservationsSuite extends ObservationsContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) throws Exception {
      return shared(dir, clock, chunkSize);
    }
  }

  @Nested
  class PinsSuite extends PinsContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) throws Exception {
      return shared(dir, clock, chunkSize);
    }
  }

  @Nested
  class PathIndexSuite extends PathIndexContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) throws Exception {
      return shared(dir, clock, chunkSize);
    }
  }

  @Nested
  class AliasesSuite extends AliasesContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) throws Exception {
      return shared(dir, clock, chunkSize);
    }
  }

  @Nested
  class RefsSuite extends RefsContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) throws Exception {
      return shared(dir, clock, chunkSize);
    }
  }

  @Nested
  class BuildRecordsSuite extends BuildRecordsContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) throws Exception {
      return shared(dir, clock, chunkSize);
    }
  }
}
