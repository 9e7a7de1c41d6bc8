package dev.reprox.server.http;

import dev.reprox.server.fetch.FetchException;
import dev.reprox.config.ApiConfig;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * The one gate for the API's tokens (docs/api.md "Authentication"). Admin actions, every route
 * under {@code /-/api/admin/}, need {@code Authorization: Bearer <api.admin-token>} and are refused
 * with 403 when no admin token is configured. When {@code api.read-token} is set, everything else
 * under {@code /-/} (the status page and the read API) needs it (or the admin token). A refusal is the read API's JSON error, a 401
 * carrying {@code WWW-Authenticate: Bearer realm="reprox"}.
 *
 * <p>Tokens are compared as SHA-256 digests with {@link MessageDigest#isEqual}: both sides are 32
 * bytes whatever was sent, so neither the bytes nor the length of the token leak through timing.
 */
final class ApiGuard {
  static final String ADMIN_PREFIX = "/-/api/admin/";
  static final String DISABLED = "admin actions are disabled: no api.admin-token configured";

  private final Optional<byte[]> admin;
  private final Optional<byte[]> read;
  private final BiPredicate<byte[], byte[]> equal;

  ApiGuard(ApiConfig api) {
    this(api, MessageDigest::isEqual);
  }

  /** @param equal compares two digests; tests pass a recording wrapper of the real one */
  ApiGuard(ApiConfig api, BiPredicate<byte[], byte[]> equal) {
    this.admin = api.adminToken().map(t -> sha256(t.value()));
    this.read = api.readToken().map(t -> sha256(t.value()));
    this.equal = equal;
  }

  /** Every method on these paths is an admin action, whatever it changes. */
  static boolean isAdmin(RequestPath path) {
    List<String> s = path.segments();
    return s.size() >= 3 && s.get(0).equals("-") && s.get(1).equals("api") && s.get(2).equals("admin");
  }

  /**
   * Paths that need the read token when one is set: everything under {@code /-/} (the status page,
   * whatever it grows, and the API), so that a new page there is covered without a new rule.
   */
  static boolean isRead(RequestPath path) {
    List<String> s = path.segments();
    return !s.isEmpty() && s.get(0).equals("-");
  }

  boolean adminEnabled() {
    return admin.isPresent();
  }

  boolean readProtected() {
    return read.isPresent();
  }

  /** Null when the request may perform an admin action, else the refusal. */
  FullHttpResponse admit(HttpHeaders headers, boolean head) {
    if (admin.isEmpty()) {
      return RepositoryApi.error(FetchException.Kind.ADMIN_DISABLED, DISABLED, head);
    }
    return check(headers, head, "admin action", "api.admin-token", admin.get(), null);
  }

  /** Null when the request may read, else the refusal. */
  FullHttpResponse allowRead(HttpHeaders headers, boolean head) {
    if (read.isEmpty()) {
      return null;
    }
    return check(headers, head, "read", "api.read-token", read.get(), admin.orElse(null));
  }

  private FullHttpResponse check(HttpHeaders headers, boolean head, String what, String key, byte[] expected,
      byte[] alsoAccepted) {
    List<String> values = headers.getAll(HttpHeaderNames.AUTHORIZATION);
    String token = values.size() == 1 ? bearer(values.get(0)) : null;
    if (token == null) {
      return unauthorized(head, null, what + " requires the header Authorization: Bearer <" + key
          + ">");
    }
    byte[] presented = sha256(token);
    // Both comparisons always run: which token matched must not show in the time taken either.
    boolean ok = equal.test(presented, expected);
    boolean other = alsoAccepted != null && equal.test(presented, alsoAccepted);
    if (ok || other) {
      return null;
    }
    return unauthorized(head, "invalid_token", what + ": wrong bearer token (not the "
        + key + ")");
  }

  /** The token of {@code Bearer <token>} (scheme case-insensitive, RFC 7235 §2.1), or null. */
  static String bearer(String authorization) {
    String v = authorization.strip();
    int space = v.indexOf(' ');
    if (space < 0 || !v.substring(0, space).equalsIgnoreCase("Bearer")) {
      return null;
    }
    String token = v.substring(space + 1).strip();
    return token.isEmpty() || token.indexOf(' ') >= 0 ? null : token;
  }

  private static FullHttpResponse unauthorized(boolean head, String error, String message) {
    FullHttpResponse r = RepositoryApi.error(FetchException.Kind.UNAUTHORIZED, message, head);
    r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE,
        "Bearer realm=\"reprox\"" + (error == null ? "" : ", error=\"" + error + "\""));
    return r;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
