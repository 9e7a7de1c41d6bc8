package dev.reprox.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.ApiConfig;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ApiGuardTest {
  private static final String ADMIN = "admin-0123456789abcdef";
  private static final String READ = "read-0123456789abcdef";

  private final List<FullHttpResponse> responses = new ArrayList<>();

  @AfterEach
  void release() {
    responses.forEach(FullHttpResponse::release);
  }

  private static ApiConfig tokens(String admin, String read) {
    return new ApiConfig(Optional.ofNullable(admin).map(t -> new ApiConfig.Token(t, Optional.empty())),
        Optional.ofNullable(read).map(t -> new ApiConfig.Token(t, Optional.empty())));
  }

  private static HttpHeaders auth(String... values) {
    HttpHeaders h = new DefaultHttpHeaders();
    for (String v : values) {
      h.add("Authorization", v);
    }
    return h;
  }

  private FullHttpResponse kept(FullHttpResponse r) {
    if (r != null) {
      responses.add(r);
    }
    return r;
  }

  private static String body(FullHttpResponse r) {
    return r.content().toString(StandardCharsets.UTF_8);
  }

  @Test
  void admit_rightToken_admitted() {
    ApiGuard guard = new ApiGuard(tokens(ADMIN, null));

    assertThat(guard.admit(auth("Bearer " + ADMIN), false)).isNull();
    assertThat(guard.admit(auth("bearer   " + ADMIN), false)).isNull();
  }

  @Test
  void admit_missingToken_401WithChallengeAndJson() {
    ApiGuard guard = new ApiGuard(tokens(ADMIN, null));

    FullHttpResponse r = kept(guard.admit(auth(), false));

    assertThat(r.status().code()).isEqualTo(401);
    assertThat(r.headers().get("WWW-Authenticate")).isEqualTo("Bearer realm=\"reprox\"");
    assertThat(r.headers().get("Content-Type")).isEqualTo("application/json");
    assertThat(body(r)).isEqualTo("{\"error\":{\"status\":401,\"reason\":\"unauthorized\",\"message\":"
        + "\"admin action requires the header Authorization: Bearer <api.admin-token>\"}}\n");
  }

  @Test
  void admit_wrongOrMalformed_401InvalidToken() {
    ApiGuard guard = new ApiGuard(tokens(ADMIN, READ));

    for (HttpHeaders h : List.of(auth("Bearer " + ADMIN + "x"), auth("Bearer " + READ), auth("Basic " + ADMIN),
        auth(ADMIN), auth("Bearer " + ADMIN, "Bearer " + ADMIN), auth("Bearer"))) {
      FullHttpResponse r = kept(guard.admit(h, false));
      assertThat(r).as(h.toString()).isNotNull();
      assertThat(r.status().code()).isEqualTo(401);
      assertThat(r.headers().get("WWW-Authenticate")).startsWith("Bearer realm=\"reprox\"");
      assertThat(body(r)).doesNotContain(ADMIN, READ);
    }
    // The read token never admits an admin action.
    assertThat(kept(guard.admit(auth("Bearer " + READ), false)).headers().get("WWW-Authenticate"))
        .isEqualTo("Bearer realm=\"reprox\", error=\"invalid_token\"");
  }

  @Test
  void admit_noAdminTokenConfigured_403Disabled() {
    ApiGuard guard = new ApiGuard(tokens(null, READ));

    FullHttpResponse r = kept(guard.admit(auth("Bearer anything"), false));

    assertThat(r.status().code()).isEqualTo(403);
    assertThat(body(r)).contains("\"reason\":\"admin_disabled\"",
        "admin actions are disabled: no api.admin-token configured");
    assertThat(guard.adminEnabled()).isFalse();
  }

  @Test
  void allowRead_noReadToken_open() {
    assertThat(new ApiGuard(tokens(ADMIN, null)).allowRead(auth(), false)).isNull();
  }

  @Test
  void allowRead_readToken_needsReadOrAdminToken() {
    ApiGuard guard = new ApiGuard(tokens(ADMIN, READ));

    assertThat(guard.allowRead(auth("Bearer " + READ), false)).isNull();
    assertThat(guard.allowRead(auth("Bearer " + ADMIN), false)).isNull();
    FullHttpResponse r = kept(guard.allowRead(auth(), false));
    assertThat(r.status().code()).isEqualTo(401);
    assertThat(body(r)).contains("read requires the header Authorization: Bearer <api.read-token>");
    assertThat(kept(guard.allowRead(auth("Bearer nope"), false)).status().code()).isEqualTo(401);
  }

  /**
   * The comparison is MessageDigest.isEqual over SHA-256 digests: whatever was sent, both inputs are
   * 32 bytes, so the time taken says nothing about the token's bytes or length; and a wrong token is
   * compared in full against every accepted token (no early return).
   */
  @Test
  void check_comparesDigestsOfEqualLengthInConstantTime() throws Exception {
    List<byte[][]> calls = new ArrayList<>();
    BiPredicate<byte[], byte[]> recording = (a, b) -> {
      calls.add(new byte[][] {a, b});
      return MessageDigest.isEqual(a, b);
    };
    ApiGuard guard = new ApiGuard(tokens(ADMIN, READ), recording);

    kept(guard.allowRead(auth("Bearer x"), false));
    assertThat(guard.allowRead(auth("Bearer " + READ), false)).isNull();

    assertThat(calls).hasSize(4).allSatisfy(c -> {
      assertThat(c[0]).hasSize(32);
      assertThat(c[1]).hasSize(32);
    });
    byte[] expected = MessageDigest.getInstance("SHA-256").digest(READ.getBytes(StandardCharsets.UTF_8));
    assertThat(calls.get(2)[1]).isEqualTo(expected);
  }

  @Test
  void isAdmin_onlyTheAdminNamespace() throws Exception {
    assertThat(ApiGuard.isAdmin(RequestPath.parse("/-/api/admin/builds/x"))).isTrue();
    assertThat(ApiGuard.isAdmin(RequestPath.parse("/-/api/admin"))).isTrue();
    assertThat(ApiGuard.isAdmin(RequestPath.parse("/-/api/builds"))).isFalse();
    assertThat(ApiGuard.isAdmin(RequestPath.parse("/debian/-/api/admin/x"))).isFalse();
    assertThat(ApiGuard.isRead(RequestPath.parse("/-/"))).isTrue();
    assertThat(ApiGuard.isRead(RequestPath.parse("/-/api/repos/debian/roots"))).isTrue();
    assertThat(ApiGuard.isRead(RequestPath.parse("/-/style.css"))).isTrue();
    assertThat(ApiGuard.isRead(RequestPath.parse("/metrics"))).isFalse();
    assertThat(ApiGuard.isRead(RequestPath.parse("/healthz"))).isFalse();
    assertThat(ApiGuard.isRead(RequestPath.parse("/debian/dists/stable/InRelease"))).isFalse();
  }
}
