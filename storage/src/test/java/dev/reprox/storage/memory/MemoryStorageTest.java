package dev.reprox.storage.memory;

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
import org.junit.jupiter.api.Nested;

/** The contract suites against {@link MemoryStorage}. */
class MemoryStorageTest {
  static Storage memory(Clock clock, int chunkSize) {
    return MemoryStorage.builder().clock(clock).chunkSize(chunkSize).build();
  }

  @Nested
  class Blobs extends BlobStoreContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) {
      return memory(clock, chunkSize);
    }

    @Override
    protected void corrupt(Storage storage, Digest digest) {
      ((MemoryStorage) storage).corrupt(digest);
    }
  }

  @Nested
  class ObservationsSuite extends ObservationsContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) {
      return memory(clock, chunkSize);
    }
  }

  @Nested
  class PinsSuite extends PinsContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) {
      return memory(clock, chunkSize);
    }
  }

  @Nested
  class PathIndexSuite extends PathIndexContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) {
      return memory(clock, chunkSize);
    }
  }

  @Nested
  class AliasesSuite extends AliasesContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) {
      return memory(clock, chunkSize);
    }
  }

  @Nested
  class RefsSuite extends RefsContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) {
      return memory(clock, chunkSize);
    }
  }

  @Nested
  class BuildRecordsSuite extends BuildRecordsContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) {
      return memory(clock, chunkSize);
    }
  }
}
