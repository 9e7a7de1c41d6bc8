package dev.reprox.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamAuthTest {
  private final UpstreamAuth auth = new UpstreamAuth(List.of(
      UpstreamAuth.entry(URI.create("https://mirror.example/debian"), "Basic a"),
      UpstreamAuth.entry(URI.create("https://mirror.example/debian-security"), "Basic b"),
      UpstreamAuth.entry(URI.create("http://snap.example:8080/archive/"), "Basic s")));

  @Test
  void authorization_longestPathPrefixOnSameOrigin() {
    assertThat(auth.authorization(URI.create("https://mirror.example/debian/dists/x"))).contains("Basic a");
    assertThat(auth.authorization(URI.create("https://mirror.example:443/debian-security/dists/x")))
        .contains("Basic b");
    assertThat(auth.authorization(URI.create("http://snap.example:8080/archive/2024/x"))).contains("Basic s");
  }

  @Test
  void authorization_redirectWithinOrigin_keepsCredentials() {
    assertThat(auth.authorization(URI.create("http://snap.example:8080/file/abc"))).contains("Basic s");
  }

  @Test
  void authorization_otherOrigin_none() {
    assertThat(auth.authorization(URI.create("https://cdn.example/debian/x"))).isEmpty();
    assertThat(auth.authorization(URI.create("http://mirror.example/debian/x"))).as("other scheme").isEmpty();
    assertThat(auth.authorization(URI.create("http://snap.example/archive/x"))).as("other port").isEmpty();
  }
}
