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
}
