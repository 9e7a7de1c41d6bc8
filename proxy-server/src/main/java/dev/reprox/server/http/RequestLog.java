package dev.reprox.server.http;

import static dev.reprox.server.LogSafe.escape;

import dev.reprox.server.fetch.FetchRequest;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The two lines a finished request may log: the request line and the access line. */
final class RequestLog {
  // The request line keeps the handler's logger name: log routing and `reprox lock` read it there.
  private static final Logger log = LoggerFactory.getLogger(RequestHandler.class);
  /** One line per request ({@code log.access}); its own logger, so it can be routed or silenced apart. */
  static final String ACCESS_LOGGER = "reprox.access";
  private static final Logger access = LoggerFactory.getLogger(ACCESS_LOGGER);

  private RequestLog() {}

  /**
   * The request log line, when the request has ended. A forward-mode request with a build label
   * logs at INFO, tagged with the label twice: as the line's head ({@code build <label>: <repo>/@<T>/<path>
   * (forward <url>) -> <outcome> ...}, what {@code reprox lock} and the live tests read) and as the
   * key-value pair {@code build} for structured encoders. Everything else logs at DEBUG.
   */
  static void request(Exchange ex, String outcome, long bytes, long nanos) {
    long ms = TimeUnit.NANOSECONDS.toMillis(nanos);
    if (ex.build != null) {
      log.atInfo().addKeyValue("build", escape(ex.build)).log("build {}: {} (forward {}) -> {}, {} bytes, {} ms", escape(ex.build),
          escape(ex.fetched), escape(ex.request.uri()), outcome, bytes, ms);
    } else if (log.isDebugEnabled()) {
      log.debug("request {} {} -> {}, {} bytes, {} ms", escape(ex.request.method()), escape(ex.request.uri()),
          outcome, bytes, ms);
    }
  }

  /**
   * The access line ({@code log.access}, on by default; the caller checks it): one per request except health probes and
   * scrapes, at INFO on {@value #ACCESS_LOGGER}, as {@code key=value} pairs in a fixed order, each
   * value escaped ({@link dev.reprox.server.LogSafe}, and a space as {@code \x20}) so a line splits
   * on spaces. With {@code structured} ({@code log.format: json}) the same pairs also go on the
   * event as key-values, for the JSON encoder; the text pattern never prints them, so without it
   * they are left off (eleven pairs and their list, built on the event loop for every request and
   * never read: issue 14).
   */
  static void access(Exchange ex, String outcome, long bytes, long nanos, boolean structured) {
    if (ex.quiet || !access.isInfoEnabled()) {
      return;
    }
    FetchRequest f = ex.fetched;
    long ms = TimeUnit.NANOSECONDS.toMillis(nanos);
    // Numbers stay numbers for structured encoders (a shipper can then sum bytes and filter status >= 500).
    Line line = new Line(structured ? access.atInfo() : null)
        .pair("method", field(ex.request.method()))
        .pair("repo", field(ex.repository))
        .pair("path", field(f != null ? f.path() : ex.request.uri()))
        .pair("t", f != null && f.at().isPresent() ? f.at().get().toString() : "-");
    if (ex.status == 0) {
      line.pair("status", "-");
    } else {
      line.number("status", ex.status);
    }
    line.number("bytes", bytes)
        .number("ms", ms)
        .pair("outcome", field(outcome))
        .pair("cache", ex.cache == null ? "-" : ex.cache)
        .pair("pin", ex.pin == null ? "-" : field(ex.pin))
        .pair("label", ex.build == null ? "-" : field(ex.build))
        .pair("mode", ex.forward ? "forward" : "mirror")
        .log();
  }

  /**
   * The access line's text and, for a structured encoder, its key-values, built side by side in
   * one pass (once per request). {@code event} null: the text alone.
   */
  private static final class Line {
    private final StringBuilder text = new StringBuilder(200);
    private org.slf4j.spi.LoggingEventBuilder event;

    Line(org.slf4j.spi.LoggingEventBuilder event) {
      this.event = event;
    }

    Line pair(String key, String value) {
      key(key).append(value);
      if (event != null) {
        event = event.addKeyValue(key, value);
      }
      return this;
    }

    Line number(String key, long value) {
      key(key).append(value);
      if (event != null) {
        event = event.addKeyValue(key, value);
      }
      return this;
    }

    private StringBuilder key(String key) {
      if (text.length() > 0) {
        text.append(' ');
      }
      return text.append(key).append('=');
    }

    void log() {
      if (event != null) {
        event.log(text.toString());
      } else {
        access.info(text.toString());
      }
    }
  }

  private static String field(Object value) {
    String s = String.valueOf(value);
    // Most values (methods, repositories, paths) are printable ASCII without a space or a
    // backslash: one scan, and the value itself, instead of escaping it and then replacing spaces.
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c >= 0x7f || c == '\\') {
        return escape(s).replace(" ", "\\x20");
      }
    }
    return s;
  }
}
