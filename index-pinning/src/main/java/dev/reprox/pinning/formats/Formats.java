package dev.reprox.pinning.formats;

import dev.reprox.pinning.Format;
import dev.reprox.pinning.apk.ApkFormat;
import dev.reprox.pinning.apk.ApkIndexVerifier;
import dev.reprox.pinning.apt.AptFormat;
import dev.reprox.pinning.dnf.DnfFormat;
import dev.reprox.pinning.pgp.SignatureVerifier;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The format SPI's factory: a {@link Format} by name ({@code apt}, {@code apk}, {@code dnf}),
 * bound to its keyring's files. The keys are parsed on first use or by {@link Built#warm}
 * ({@link LazyVerifiers}): the path rules need no key, and parsing every built-in keyring took
 * seconds before a server could listen.
 */
public final class Formats {
  private Formats() {}

  /** The names {@link #build} knows. */
  public static final Set<String> NAMES = Set.of("apt", "apk", "dnf");

  /** One file of a keyring: its name (apk: the key's file name, which index signatures name) and bytes. */
  public record KeyFile(String name, byte[] bytes) {
    public KeyFile {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(bytes, "bytes");
    }
  }

  /**
   * What a format is built from. {@code keys} empty: no keyring, roots are parsed unverified.
   * {@code repoGpgcheck} (dnf): with a keyring, refuse an unsigned repomd.xml. {@code what}: the
   * operation a keyring failure names ({@code load keyring K of repository R}).
   */
  public record Spec(String name, Optional<List<KeyFile>> keys, Clock clock, boolean repoGpgcheck, String what) {
    public Spec {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(keys, "keys");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(what, "what");
    }
  }

  /** A built format and the action that parses its keyring now (the warm-up; a no-op without keys). */
  public record Built(Format format, Runnable warm) {}

  /** The format {@code spec} names; an unknown name is an {@link IllegalArgumentException}. */
  public static Built build(Spec spec) {
    List<LazyVerifiers.Once<?>> keyrings = new ArrayList<>();
    Format format = switch (spec.name().toLowerCase(Locale.ROOT)) {
      case "apt" -> {
        AptFormat.Builder b = AptFormat.builder();
        spec.keys().ifPresent(keys -> b.verifier(pgp(spec, keys, keyrings)));
        yield b.build();
      }
      case "dnf" -> {
        DnfFormat.Builder b = DnfFormat.builder().clock(spec.clock()).repoGpgcheck(spec.repoGpgcheck());
        spec.keys().ifPresent(keys -> b.verifier(pgp(spec, keys, keyrings)));
        yield b.build();
      }
      case "apk" -> {
        ApkFormat.Builder b = ApkFormat.builder().clock(spec.clock());
        spec.keys().ifPresent(keys -> b.verifier(apk(spec, keys, keyrings)));
        yield b.build();
      }
      default -> throw new IllegalArgumentException("unknown format " + spec.name() + " (known: apt, apk, dnf)");
    };
    return new Built(format, () -> keyrings.forEach(LazyVerifiers.Once::get));
  }

  private static SignatureVerifier pgp(Spec spec, List<KeyFile> keys, List<LazyVerifiers.Once<?>> keyrings) {
    LazyVerifiers.Once<SignatureVerifier> once = new LazyVerifiers.Once<>(spec.what(), () -> {
      SignatureVerifier.Builder b = SignatureVerifier.builder();
      for (KeyFile k : keys) {
        b.keyring(k.name(), k.bytes());
      }
      return b.build();
    });
    keyrings.add(once);
    return LazyVerifiers.pgp(once);
  }

  private static ApkIndexVerifier apk(Spec spec, List<KeyFile> keys, List<LazyVerifiers.Once<?>> keyrings) {
    LazyVerifiers.Once<ApkIndexVerifier> once = new LazyVerifiers.Once<>(spec.what(), () -> {
      ApkIndexVerifier.Builder v = ApkIndexVerifier.builder();
      for (KeyFile k : keys) {
        v.key(k.name(), k.bytes());
      }
      return v.build();
    });
    keyrings.add(once);
    return LazyVerifiers.apk(once);
  }
}
