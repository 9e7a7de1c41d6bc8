package dev.reprox.config;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes in the config ({@code 500MB}, {@code 50GiB}, {@code 1TiB}), read and printed alike. */
final class Sizes {
  private static final Pattern SIZE = Pattern.compile("(\\d{1,15})\\s*(B|KiB|MiB|GiB|TiB|kB|KB|MB|GB|TB)");

  private Sizes() {}

  /** Bytes, or empty when {@code text} is not a whole number and a unit (or overflows a long). */
  static OptionalLong parse(String text) {
    Matcher m = SIZE.matcher(text.strip());
    if (!m.matches()) {
      return OptionalLong.empty();
    }
    long unit = switch (m.group(2)) {
      case "B" -> 1L;
      case "KiB" -> 1L << 10;
      case "MiB" -> 1L << 20;
      case "GiB" -> 1L << 30;
      case "TiB" -> 1L << 40;
      case "kB", "KB" -> 1_000L;
      case "MB" -> 1_000_000L;
      case "GB" -> 1_000_000_000L;
      default -> 1_000_000_000_000L;
    };
    long n = Long.parseLong(m.group(1));
    return n > Long.MAX_VALUE / unit ? OptionalLong.empty() : OptionalLong.of(n * unit);
  }

  /** The largest binary unit that represents {@code bytes} exactly, so {@link #parse} gives it back. */
  static String format(long bytes) {
    String[] units = {"TiB", "GiB", "MiB", "KiB"};
    int[] shifts = {40, 30, 20, 10};
    for (int i = 0; i < units.length; i++) {
      if (bytes != 0 && bytes % (1L << shifts[i]) == 0) {
        return (bytes >> shifts[i]) + units[i];
      }
    }
    return bytes + "B";
  }
}
