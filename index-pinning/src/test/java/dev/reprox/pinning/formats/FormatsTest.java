package dev.reprox.pinning.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.pinning.PathKind;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Formats built by name; keyrings parsed once, on first use or warm-up, a broken one failing with its reason. */
class FormatsTest {
  private static Formats.Built build(String name, Optional<List<Formats.KeyFile>> keys) {
    return Formats.build(new Formats.Spec(name, keys, Clock.systemUTC(), true, "load keyring k of repository r"));
  }

  @Test
  void build_eachName_classifiesItsOwnRoot() {
    assertThat(build("apt", Optional.empty()).format().classify("dists/stable/InRelease"))
        .isEqualTo(PathKind.ROOT_INDEX);
    assertThat(build("APK", Optional.empty()).format().classify("main/x86_64/APKINDEX.tar.gz"))
        .isEqualTo(PathKind.ROOT_INDEX);
    assertThat(build("dnf", Optional.empty()).format().classify("repodata/repomd.xml"))
        .isEqualTo(PathKind.ROOT_INDEX);
    assertThat(Formats.NAMES).containsExactlyInAnyOrder("apt", "apk", "dnf");
  }

  @Test
  void build_unknownName_throwsNamingIt() {
    assertThatThrownBy(() -> build("pacman", Optional.empty())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pacman");
  }

  @Test
  void build_brokenKeyring_builtAtOnce_warmFailsWithTheReason() {
    Formats.Built built = build("apt", Optional.of(List.of(new Formats.KeyFile("k.gpg", "not a key".getBytes()))));

    assertThat(built.format().classify("dists/stable/InRelease")).isNotNull(); // path rules need no key
    assertThatThrownBy(() -> built.warm().run()).hasMessageContaining("load keyring k of repository r");
  }

  @Test
  void once_buildsOnce_sharedByEveryCaller() {
    AtomicInteger builds = new AtomicInteger();
    LazyVerifiers.Once<String> once = new LazyVerifiers.Once<>("load", () -> "v" + builds.incrementAndGet());

    assertThat(builds).hasValue(0);
    assertThat(once.get()).isEqualTo("v1");
    assertThat(once.get()).isEqualTo("v1");
    assertThat(builds).hasValue(1);
  }

  @Test
  void once_failure_rememberedAndThrownToEveryCallerWithTheReason() {
    AtomicInteger builds = new AtomicInteger();
    LazyVerifiers.Once<String> once = new LazyVerifiers.Once<>("load keyring k of repository r", () -> {
      builds.incrementAndGet();
      throw new IllegalArgumentException("not a key");
    });

    assertThatThrownBy(once::get).hasMessage("load keyring k of repository r: not a key");
    assertThatThrownBy(once::get).hasMessage("load keyring k of repository r: not a key");
    assertThat(builds).hasValue(1);
  }

}
