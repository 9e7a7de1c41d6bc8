package dev.reprox.config;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte rates as written in the config file: a whole number, a unit and {@code /s} —
 * {@code 512B/s}, {@code 1KiB/s}, {@code 2MiB/s}, or the decimal {@code 10kB/s}, {@code 1MB/s} —
 * or {@code off} (0). The unit is required, as with durations: "1000" could be bytes or kilobytes.
 */
final class ByteRates {
  private static final Pattern FORMAT = Pattern.compile("(\\d{1,12})\\s*(B|KiB|MiB|GiB|kB|KB|MB|GB)/s");

  private ByteRates() {}

  /** Bytes per second, 0 for {@code off}, or empty when {@code text} is in neither format. */
  static OptionalLong parse(String text) {
    String t = text.strip();
    if (t.toLowerCase(Locale.ROOT).equals("off")) {
      return OptionalLong.of(0);
    }
    Matcher m = FORMAT.matcher(t);
    if (!m.matches()) {
      return OptionalLong.empty();
    }
    long unit = switch (m.group(2)) {
      case "B" -> 1L;
      case "KiB" -> 1L << 10;
      case "MiB" -> 1L << 20;
      case "GiB" -> 1L << 30;
      case "kB", "KB" -> 1_000L;
      case "MB" -> 1_000_000L;
      default -> 1_000_000_000L;
    };
    long n = Long.parseLong(m.group(1));
    return n > Long.MAX_VALUE / unit ? OptionalLong.empty() : OptionalLong.of(n * unit);
  }

  /** The largest binary unit that represents the rate exactly, so that {@link #parse} gives it back. */
  static String format(long bytesPerSecond) {
    if (bytesPerSecond == 0) {
      return "off";
    }
    for (String unit : new String[] {"GiB", "MiB", "KiB"}) {
      long size = unit.equals("GiB") ? 1L << 30 : unit.equals("MiB") ? 1L << 20 : 1L << 10;
      if (bytesPerSecond % size == 0) {
        return bytesPerSecond / size + unit + "/s";
      }
    }
    return bytesPerSecond + "B/s";
  }
}
