package dev.reprox.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.config.ConfigException;
import dev.reprox.config.ConfigLoader;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LazyConfigTest {
  @Test
  void repositories_loadOnFirstLookOnly_once() {
    AtomicInteger loads = new AtomicInteger();
    LazyConfig lazy = new LazyConfig(() -> {
      loads.incrementAndGet();
      return ConfigLoader.builtin();
    });

    var repositories = lazy.repositories();
    assertThat(loads).hasValue(0);
    assertThat(lazy.loaded()).isFalse();

    assertThat(repositories).extracting(r -> r.name()).contains("debian");
    assertThat(repositories.size()).isPositive();
    assertThat(loads).hasValue(1);
    assertThat(lazy.loaded()).isTrue();
  }

  @Test
  void failedLoad_throwsTheConfigErrorAtEveryUse() {
    ConfigException bad = new ConfigException(List.of("repositories.x.upstream: must be http or https"));
    LazyConfig lazy = new LazyConfig(() -> {
      throw bad;
    });

    assertThatThrownBy(() -> lazy.repositories().iterator()).isInstanceOf(LazyConfig.Failed.class).hasCause(bad);
    assertThatThrownBy(lazy::get).isInstanceOf(LazyConfig.Failed.class).hasCause(bad);
  }
}
