package dev.reprox.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What every {@link Aliases} must do; see {@link StorageContract}. */
public abstract class AliasesContract extends StorageContract {
  static final String HEX20 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";

  @Test
  void resolve_afterPut_returnsTarget() throws Exception {
    Alias sha1 = Alias.ofHex(Alias.Kind.SHA1, HEX20);
    storage.aliases().put(sha1, digestOf(1));
    storage.aliases().put(sha1, digestOf(1));

    assertThat(storage.aliases().resolve(sha1)).contains(digestOf(1));
    assertThat(storage.aliases().resolve(Alias.ofHex(Alias.Kind.SHA1, HEX20.replace('d', 'e')))).isEmpty();
  }

  @Test
  void resolve_kindsAreSeparateNamespaces() throws Exception {
    storage.aliases().put(Alias.ofHex(Alias.Kind.SHA1, HEX20), digestOf(1));
    storage.aliases().put(Alias.ofHex(Alias.Kind.APK_Q1, HEX20), digestOf(2));

    assertThat(storage.aliases().resolve(Alias.ofHex(Alias.Kind.SHA1, HEX20))).contains(digestOf(1));
    assertThat(storage.aliases().resolve(Alias.ofHex(Alias.Kind.APK_Q1, HEX20))).contains(digestOf(2));
  }

  @Test
  void forEach_listsEveryAliasOfThatKindOnly() throws Exception {
    java.util.Map<Alias, Digest> put = new java.util.HashMap<>();
    for (int i = 0; i < 1500; i++) { // more than one page of the RocksDB scan
      byte[] value = new byte[20];
      value[0] = (byte) (i >> 8);
      value[1] = (byte) i;
      Alias a = new Alias(Alias.Kind.APK_Q1, value);
      storage.aliases().put(a, digestOf(i));
      put.put(a, digestOf(i));
    }
    storage.aliases().put(Alias.ofHex(Alias.Kind.SHA1, HEX20), digestOf(1));
    java.util.Map<Alias, Digest> seen = new java.util.HashMap<>();

    storage.aliases().forEach(Alias.Kind.APK_Q1, (a, d) -> assertThat(seen.put(a, d)).as("seen twice: %s", a).isNull());

    assertThat(seen).isEqualTo(put);
  }

  @Test
  void resolve_everyKind_roundTrips() throws Exception {
    int seed = 0;
    for (Alias.Kind kind : Alias.Kind.values()) {
      byte[] value = new byte[kind.length()];
      value[0] = (byte) (seed + 1);
      Alias a = new Alias(kind, value);
      storage.aliases().put(a, digestOf(seed));
      assertThat(storage.aliases().resolve(a)).as("%s", kind).contains(digestOf(seed));
      seed++;
    }
  }

  @Test
  void delete_forgetsTheAlias_only() throws Exception {
    Alias sha1 = Alias.ofHex(Alias.Kind.SHA1, HEX20);
    Alias q1 = Alias.ofHex(Alias.Kind.APK_Q1, HEX20);
    storage.aliases().put(sha1, digestOf(1));
    storage.aliases().put(q1, digestOf(2));

    assertThat(storage.aliases().delete(sha1)).isTrue();
    assertThat(storage.aliases().delete(sha1)).isFalse();

    assertThat(storage.aliases().resolve(sha1)).isEmpty();
    assertThat(storage.aliases().resolve(q1)).contains(digestOf(2));
  }
}
