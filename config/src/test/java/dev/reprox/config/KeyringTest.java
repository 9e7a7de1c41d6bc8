package dev.reprox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyringTest {
  // sha256sum of fixtures/keys/apt/debian-archive-keyring.gpg (debian-archive-keyring 2023.3+deb12u2)
  private static final String DEBIAN_KEYRING_SHA256 =
      "506b815cbb32d9b6066b4a2aa524071e071761e7e7f68c3ac74f3061ba852017";

  @TempDir Path dir;

  @Test
  void load_builtinDebian_isTheFixtureKeyring() throws Exception {
    List<Keyring.KeyFile> files = new Keyring.Builtin("debian").load();

    assertThat(files).singleElement().satisfies(file -> {
      assertThat(file.name()).isEqualTo("debian-archive-keyring.gpg");
      assertThat(sha256(file.bytes())).isEqualTo(DEBIAN_KEYRING_SHA256);
    });
  }

  @Test
  void load_builtinAlpine_hasEighteenKeysNamedAsSignaturesReferThem() throws Exception {
    List<Keyring.KeyFile> files = new Keyring.Builtin("alpine").load();

    assertThat(files).hasSize(18).allSatisfy(file -> {
      assertThat(file.name()).startsWith("alpine-devel@lists.alpinelinux.org-").endsWith(".rsa.pub");
      assertThat(new String(file.bytes(), "US-ASCII")).startsWith("-----BEGIN PUBLIC KEY-----");
    });
    assertThat(files).extracting(Keyring.KeyFile::name)
        .contains("alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub");
  }

  @Test
  void load_everyBuiltinRepositoryKeyring_isNonEmpty() throws Exception {
    for (RepositoryConfig repository : ConfigLoader.builtin().repositories().values()) {
      assertThat(repository.keyring().load()).as(repository.name()).isNotEmpty()
          .allSatisfy(file -> assertThat(file.bytes()).isNotEmpty());
    }
    assertThat(new Keyring.Builtin("fedora").load()).extracting(Keyring.KeyFile::name)
        .containsExactly("RPM-GPG-KEY-fedora-40-primary", "RPM-GPG-KEY-fedora-41-primary",
            "RPM-GPG-KEY-fedora-42-primary");
  }

  @Test
  void load_unknownBuiltin_throwsListingAvailable() {
    assertThatThrownBy(() -> new Keyring.Builtin("nope").load())
        .isInstanceOf(IOException.class).hasMessageContaining("nope").hasMessageContaining("alpine");
  }

  @Test
  void load_directory_readsKeyFilesInNameOrderAndSkipsOthers() throws Exception {
    Files.write(dir.resolve("b.rsa.pub"), new byte[] {2});
    Files.write(dir.resolve("a.rsa.pub"), new byte[] {1});
    Files.writeString(dir.resolve("README"), "not a key");

    List<Keyring.KeyFile> files = new Keyring.File(dir).load();

    assertThat(files).containsExactly(new Keyring.KeyFile("a.rsa.pub", new byte[] {1}),
        new Keyring.KeyFile("b.rsa.pub", new byte[] {2}));
  }

  @Test
  void load_singleFile_readsIt() throws Exception {
    Path file = Files.write(dir.resolve("keyring.gpg"), new byte[] {7, 8});

    assertThat(new Keyring.File(file).load())
        .containsExactly(new Keyring.KeyFile("keyring.gpg", new byte[] {7, 8}));
  }

  @Test
  void load_none_isEmpty() {
    assertThat(new Keyring.None().load()).isEmpty();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
