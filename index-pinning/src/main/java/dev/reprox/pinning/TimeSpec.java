package dev.reprox.pinning;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * The T users write in {@code /<repo>/@<T>/…} and in the forward-proxy user name:
 * {@code YYYYMMDDTHHMMSSZ} (apt's snapshot id), {@code YYYYMMDD} (midnight UTC) or epoch seconds.
 * Accepted range: 1990-01-01 to 2200-01-01, so that a typo in milliseconds or a two-digit year is
 * refused instead of pinning nonsense forever.
 */
public final class TimeSpec {
  static final String FORMS = "accepted forms: YYYYMMDDTHHMMSSZ (e.g. 20240301T000000Z), "
      + "YYYYMMDD (midnight UTC, e.g. 20240301) or epoch seconds (e.g. 1709251200)";
  static final Instant EARLIEST = Instant.parse("1990-01-01T00:00:00Z");
  static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");

  private static final Pattern DATE_TIME = Pattern.compile("\\d{8}T\\d{6}Z");
  private static final Pattern DATE = Pattern.compile("\\d{8}");
  private static final Pattern EPOCH = Pattern.compile("\\d{1,12}");
  private static final DateTimeFormatter COMPACT = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'");
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("uuuuMMdd");

  private TimeSpec() {}

  public static Instant parse(String spec) throws TimeSpecException {
    if (spec == null || spec.isEmpty()) {
      throw new TimeSpecException("parse time: empty; " + FORMS);
    }
    Instant t;
    try {
      if (DATE_TIME.matcher(spec).matches()) {
        t = LocalDateTime.parse(spec, COMPACT.withResolverStyle(java.time.format.ResolverStyle.STRICT))
            .toInstant(ZoneOffset.UTC);
      } else if (DATE.matcher(spec).matches()) {
        t = LocalDate.parse(spec, DAY.withResolverStyle(java.time.format.ResolverStyle.STRICT))
            .atStartOfDay().toInstant(ZoneOffset.UTC);
      } else if (EPOCH.matcher(spec).matches()) {
        t = Instant.ofEpochSecond(Long.parseLong(spec));
      } else {
        throw new TimeSpecException("parse time \"" + spec + "\": not a time; " + FORMS);
      }
    } catch (DateTimeException e) {
      throw new TimeSpecException("parse time \"" + spec + "\": invalid date; " + FORMS);
    }
    if (t.isBefore(EARLIEST) || !t.isBefore(LATEST)) {
      throw new TimeSpecException("parse time \"" + spec + "\": " + t + " is outside " + EARLIEST + " .. " + LATEST
          + "; " + FORMS);
    }
    return t;
  }

  /** The canonical {@code YYYYMMDDTHHMMSSZ} form of {@code t} (whole seconds). */
  public static String format(Instant t) {
    return COMPACT.format(t.atOffset(ZoneOffset.UTC));
  }
}
