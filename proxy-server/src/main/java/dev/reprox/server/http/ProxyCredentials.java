package dev.reprox.server.http;

import dev.reprox.pinning.TimeSpec;
import dev.reprox.pinning.TimeSpecException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * The pin a forward-mode client sends as {@code Proxy-Authorization: Basic} (apt, apk and dnf send
 * it from {@code http_proxy=http://<T>[:<build>]@reprox:3142}): the user name is T in any form
 * {@link TimeSpec} accepts, the password an optional build label for {@code reprox lock}. No
 * header means live; an empty user name with a label is live too (a labelled live build).
 *
 * @param at the pin, empty for live
 * @param build the build label, if any
 */
record ProxyCredentials(Optional<Instant> at, Optional<String> build) {
  static final String REALM = "reprox: user name = SOURCE_DATE_EPOCH or YYYYMMDDTHHMMSSZ";
  static final int MAX_LABEL = 128;

  static final ProxyCredentials LIVE = new ProxyCredentials(Optional.empty(), Optional.empty());

  /** Why the header was refused; the message says what was expected. */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message);
    }
  }

  /** @param header the {@code Proxy-Authorization} value, or null when absent */
  static ProxyCredentials parse(String header) throws Invalid {
    if (header == null) {
      return LIVE;
    }
    String h = header.strip();
    int space = h.indexOf(' ');
    if (space < 0 || !h.substring(0, space).toLowerCase(Locale.ROOT).equals("basic")) {
      throw new Invalid("proxy credentials: expected Basic credentials (http_proxy=http://<T>[:<build>]@host:port/)");
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(h.substring(space + 1).strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new Invalid("proxy credentials: Basic credentials are not valid base64");
    }
    int colon = decoded.indexOf(':');
    String user = colon < 0 ? decoded : decoded.substring(0, colon);
    String password = colon < 0 ? "" : decoded.substring(colon + 1);
    Optional<String> build = Optional.empty();
    if (!password.isEmpty()) {
      if (password.length() > MAX_LABEL || !password.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new Invalid("proxy credentials: the build label (password) must be at most " + MAX_LABEL
            + " printable ASCII characters without spaces");
      }
      build = Optional.of(password);
    }
    if (user.isEmpty()) {
      return new ProxyCredentials(Optional.empty(), build);
    }
    try {
      return new ProxyCredentials(Optional.of(TimeSpec.parse(user)), build);
    } catch (TimeSpecException e) {
      throw new Invalid("proxy credentials: the user name must be the time to pin, SOURCE_DATE_EPOCH or"
          + " YYYYMMDDTHHMMSSZ (e.g. http_proxy=http://1709251200@reprox:3142/): " + e.getMessage());
    }
  }
}
