package dev.reprox.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What every {@link Refs} must do; see {@link StorageContract}. */
public abstract class RefsContract extends StorageContract {
  static final Instant SEEN = Instant.parse("2024-03-01T10:00:00Z");

  @Test
  void get_afterPut_returnsLatest() throws Exception {
    Ref first = new Ref("debian", "dists/bookworm/InRelease", digestOf(1), SEEN);
    Ref second = new Ref("debian", "dists/bookworm/InRelease", digestOf(2), SEEN.plusSeconds(60));
    storage.refs().put(first);
    assertThat(storage.refs().get("debian", "dists/bookworm/InRelease")).contains(first);

    storage.refs().put(second);
    assertThat(storage.refs().get("debian", "dists/bookworm/InRelease")).contains(second);
  }

  @Test
  void get_absent_andLookalikeKeys_stayApart() throws Exception {
    Ref ab = new Ref("a", "b/c", digestOf(1), SEEN);
    Ref abc = new Ref("a/b", "c", digestOf(2), SEEN);
    storage.refs().put(ab);
    storage.refs().put(abc);

    assertThat(storage.refs().get("a", "b/c")).contains(ab);
    assertThat(storage.refs().get("a/b", "c")).contains(abc);
    assertThat(storage.refs().get("a", "b")).isEmpty();
    assertThat(storage.refs().get("b", "b/c")).isEmpty();
  }

  @Test
  void delete_forgetsOneRef_andForEachSeesTheRest() throws Exception {
    Ref a = new Ref("debian", "dists/bookworm/InRelease", digestOf(1), SEEN);
    Ref b = new Ref("debian", "pool/x.deb", digestOf(2), SEEN);
    Ref c = new Ref("ubuntu", "dists/noble/InRelease", digestOf(3), SEEN);
    storage.refs().put(a);
    storage.refs().put(b);
    storage.refs().put(c);

    assertThat(storage.refs().delete("debian", "pool/x.deb")).isTrue();
    assertThat(storage.refs().delete("debian", "pool/x.deb")).isFalse();

    java.util.List<Ref> seen = new java.util.ArrayList<>();
    storage.refs().forEach(seen::add);
    assertThat(seen).containsExactlyInAnyOrder(a, c);
  }
}
