package dev.reprox.server.http;

import io.netty.handler.codec.DateFormatter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Locale;
import java.util.Optional;

/**
 * HTTP dates (RFC 9110 §5.6.7): sent as IMF-fixdate ({@code Wed, 02 Dec 2026 08:49:37 GMT}, the
 * day always two digits, which RFC_1123_DATE_TIME does not do), accepted in all three forms.
 */
final class HttpDates {
  private static final DateTimeFormatter IMF_FIXDATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

  private HttpDates() {}

  static String format(Instant t) {
    return IMF_FIXDATE.format(t);
  }

  /** The date, or empty when {@code value} is absent or not an HTTP-date (then it is ignored). */
  static Optional<Instant> parse(String value) {
    if (value == null) {
      return Optional.empty();
    }
    Date date = DateFormatter.parseHttpDate(value.strip());
    return date == null ? Optional.empty() : Optional.of(date.toInstant());
  }

  /** HTTP dates have whole seconds: a resource is "not modified since" its own truncated date. */
  static Instant truncate(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS);
  }
}
