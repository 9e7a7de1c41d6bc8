package dev.reprox.pinning.apt;

import dev.reprox.pinning.IndexParseException;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the RFC 2822 style dates of Release files ({@code Sat, 11 Jul 2026 10:16:37 UTC}). apt
 * accepts UTC, GMT, Z and numeric offsets; so does this. The weekday is optional and not checked,
 * as in apt.
 */
final class ReleaseDates {
  private static final Pattern DATE = Pattern.compile(
      "(?:[A-Za-z]{3},\\s*)?(\\d{1,2})\\s+([A-Za-z]{3})\\s+(\\d{4})\\s+(\\d{1,2}):(\\d{2}):(\\d{2})\\s+(\\S+)");
  private static final List<String> MONTHS =
      List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");

  private ReleaseDates() {}

  static Instant parse(String field, String value) throws IndexParseException {
    Matcher m = DATE.matcher(value.strip());
    if (!m.matches()) {
      throw new IndexParseException("parse Release " + field + ": not an RFC 2822 date: \"" + value + "\"");
    }
    int month = MONTHS.indexOf(m.group(2).toLowerCase(Locale.ROOT)) + 1;
    if (month == 0) {
      throw new IndexParseException("parse Release " + field + ": unknown month in \"" + value + "\"");
    }
    try {
      LocalDateTime local = LocalDateTime.of(Integer.parseInt(m.group(3)), month, Integer.parseInt(m.group(1)),
          Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)));
      return local.toInstant(zone(field, m.group(7), value));
    } catch (DateTimeException e) {
      throw new IndexParseException("parse Release " + field + ": invalid date \"" + value + "\": " + e.getMessage(), e);
    }
  }

  private static ZoneOffset zone(String field, String zone, String value) throws IndexParseException {
    switch (zone.toUpperCase(Locale.ROOT)) {
      case "UTC", "GMT", "UT", "Z":
        return ZoneOffset.UTC;
      default:
        if (zone.matches("[+-]\\d{4}")) {
          int sign = zone.charAt(0) == '-' ? -1 : 1;
          return ZoneOffset.ofHoursMinutes(sign * Integer.parseInt(zone.substring(1, 3)),
              sign * Integer.parseInt(zone.substring(3, 5)));
        }
        throw new IndexParseException("parse Release " + field + ": unknown time zone in \"" + value + "\"");
    }
  }
}
