package dev.reprox.server.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import org.slf4j.event.KeyValuePair;

/**
 * {@code log.format: json}: each event as one JSON object on one line, for log shippers. The
 * fields are {@code time} (ISO-8601 UTC, milliseconds, like the text format), {@code level},
 * {@code logger}, {@code thread}, {@code message}, then the event's key-values as fields of their
 * own (an access line's {@code method}, {@code status}...; a labelled request's {@code build}; whole
 * numbers as JSON numbers, the rest as strings), and
 * {@code exception} with the stack trace when there is one. JSON string escaping makes control
 * characters harmless, so one event can never become two lines.
 *
 * <p>Ours rather than logback's JsonEncoder: that one writes the time as epoch milliseconds and
 * the key-values as a list of one-entry objects, which shippers cannot index by name.
 */
public final class JsonLinesEncoder extends EncoderBase<ILoggingEvent> {
  private static final JsonFactory JSON = new JsonFactory();
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);
  private static final byte[] NONE = new byte[0];

  @Override
  public byte[] headerBytes() {
    return NONE;
  }

  @Override
  public byte[] footerBytes() {
    return NONE;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("time", TIME.format(Instant.ofEpochMilli(event.getTimeStamp()).truncatedTo(ChronoUnit.MILLIS)));
      g.writeStringField("level", event.getLevel().toString());
      g.writeStringField("logger", event.getLoggerName());
      g.writeStringField("thread", event.getThreadName());
      g.writeStringField("message", event.getFormattedMessage());
      if (event.getKeyValuePairs() != null) {
        for (KeyValuePair kv : event.getKeyValuePairs()) {
          if (RESERVED.contains(kv.key)) {
            continue;
          }
          if (kv.value instanceof Long || kv.value instanceof Integer) {
            g.writeNumberField(kv.key, ((Number) kv.value).longValue());
          } else {
            g.writeStringField(kv.key, String.valueOf(kv.value));
          }
        }
      }
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) {
        g.writeStringField("exception", ThrowableProxyUtil.asString(thrown));
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.write('\n');
    return out.toByteArray();
  }

  private static final java.util.Set<String> RESERVED =
      java.util.Set.of("time", "level", "logger", "thread", "message", "exception");
}
