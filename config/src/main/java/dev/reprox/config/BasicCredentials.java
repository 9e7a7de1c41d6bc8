package dev.reprox.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code user:password@} of an upstream or snapshot URL. The URL itself is kept without it
 * (so it cannot leak into a status page, an error body, a log line or a metric label); the
 * credentials go only into the {@code Authorization} header towards that upstream. {@link
 * #toString()} never shows the password.
 */
public record BasicCredentials(String user, String password) {
  // user-info in any URL-looking text: scheme://user:password@ (the user is kept, the password not)
  private static final Pattern PASSWORD_IN_URL = Pattern.compile("(://[^/?#@\\s:]*:)[^/?#@\\s]*@");

  public BasicCredentials {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
  }

  /** The {@code Authorization} header value: {@code Basic base64(user:password)}. */
  public String authorization() {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** {@code user:***}: whatever prints a config must not print the password. */
  @Override
  public String toString() {
    return user + ":***";
  }

  /** The (percent-decoded) credentials in {@code uri}'s user-info, if it has any. */
  public static Optional<BasicCredentials> of(URI uri) {
    String info = uri.getUserInfo();
    if (info == null) {
      return Optional.empty();
    }
    int colon = info.indexOf(':');
    return Optional.of(colon < 0 ? new BasicCredentials(info, "")
        : new BasicCredentials(info.substring(0, colon), info.substring(colon + 1)));
  }

  /** {@code uri} without its user-info (unchanged when it has none). */
  public static URI strip(URI uri) {
    if (uri.getRawUserInfo() == null) {
      return uri;
    }
    String authority = uri.getRawAuthority();
    StringBuilder sb = new StringBuilder(uri.getScheme()).append("://")
        .append(authority.substring(authority.lastIndexOf('@') + 1));
    if (uri.getRawPath() != null) {
      sb.append(uri.getRawPath());
    }
    if (uri.getRawQuery() != null) {
      sb.append('?').append(uri.getRawQuery());
    }
    if (uri.getRawFragment() != null) {
      sb.append('#').append(uri.getRawFragment());
    }
    try {
      return new URI(sb.toString());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("strip the user-info of " + redact(uri.toString()), e);
    }
  }

  /** {@code uri} (without user-info) shown with {@code user:***@} when it has credentials. */
  public static String display(URI uri, Optional<BasicCredentials> credentials) {
    if (credentials.isEmpty()) {
      return uri.toString();
    }
    String text = uri.toString();
    int start = text.indexOf("://") + 3;
    return text.substring(0, start) + credentials.get().user() + ":***@" + text.substring(start);
  }

  /** {@code text} with the password of every {@code scheme://user:password@} in it replaced by {@code ***}. */
  public static String redact(String text) {
    return text == null ? null : PASSWORD_IN_URL.matcher(text).replaceAll("$1***@");
  }
}
