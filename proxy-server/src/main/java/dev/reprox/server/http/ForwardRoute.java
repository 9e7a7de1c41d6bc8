package dev.reprox.server.http;

import dev.reprox.config.ReproxConfig;
import dev.reprox.pinning.TimeSpec;
import dev.reprox.pinning.TimeSpecException;
import dev.reprox.server.fetch.FetchException.Kind;
import dev.reprox.server.fetch.FetchRequest;
import dev.reprox.storage.Alias;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Forward mode (DESIGN §1 items 2–3): turns a proxied request into the same {@link FetchRequest}
 * mirror mode makes from {@code /<repo>/@<T>/<path>}, or into a refusal. Two shapes arrive:
 * absolute-form ({@code GET http://deb.debian.org/debian/… HTTP/1.1}, a client configured with
 * {@code http_proxy}) and origin-form whose {@code Host} names a configured upstream (DNS pointed
 * at reprox). The URL is mapped by {@link UpstreamMap}; a snapshot server's URL carries its T in
 * the path, anything else takes the pin of {@link ProxyCredentials}, so every request of a pinned
 * client is pinned. A snapshot server's {@code /file/<sha1>} is a content address, served by alias.
 * What no repository covers is refused: reprox is never an open proxy.
 *
 * <p>Refusals carry their short reason in the status line too, because apt prints the reason
 * phrase, not the body, in its "Failed to fetch" line.
 */
final class ForwardRoute {
  /** What to do with a forward-mode request. */
  sealed interface Outcome permits Serve, Refuse, Tunnel {}

  /** Serve {@code fetch}; {@code build} is the client's build label, if it sent one. */
  record Serve(FetchRequest fetch, Optional<String> build) implements Outcome {}

  /** Answer {@code kind} with {@code message}; {@code challenge}: add {@code Proxy-Authenticate}. */
  record Refuse(Kind kind, String message, boolean challenge, boolean close) implements Outcome {
    HttpResponseStatus status() {
      return Exchange.status(kind.answer(null));
    }

    String outcome() {
      return kind.answer(null).outcome();
    }
  }

  /** {@code CONNECT} to a {@code tunnel-allow} entry: relay bytes to {@code host:port} ({@link Tunnels}). */
  record Tunnel(String host, int port) implements Outcome {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  private static final Pattern SHA1_HEX = Pattern.compile("[0-9a-fA-F]{40}");

  private final UpstreamMap map;
  private final List<String> tunnelAllow;
  /**
   * The last Host header that names no upstream (reprox's own, in mirror mode). Whether a Host
   * names an upstream depends on that header alone, and every mirror-mode request asks: parsing
   * it each time was 6 % of a warm hit's event loop. A plain field: event loops may each see an
   * older value, which only costs them the parse.
   */
  private String notUpstream;

  ForwardRoute(ReproxConfig config) {
    this.map = new UpstreamMap(config.repositories().values());
    this.tunnelAllow = config.tunnelAllow();
  }

  /**
   * The outcome for {@code request}, or null when it is not a forward-mode request (origin-form
   * addressed to reprox itself: mirror mode, admin paths).
   */
  Outcome route(HttpRequest request) {
    String uri = request.uri();
    ProxyTarget target;
    if (uri.startsWith("/")) {
      String host = request.headers().get(HttpHeaderNames.HOST);
      if (host == null || host.equals(notUpstream)) {
        return null;
      }
      target = ProxyTarget.fromHost(host, uri);
      if (target == null || !map.knowsHost(target.host(), target.port(), target.defaultPort())) {
        notUpstream = host;
        return null;
      }
    } else {
      target = ProxyTarget.absolute(uri);
      if (target == null) {
        return new Refuse(Kind.BAD_REQUEST, "bad request target: expected /path or http://host/path",
            false, false);
      }
    }
    RequestPath path;
    try {
      path = RequestPath.parse(target.pathAndQuery());
    } catch (RequestPath.Unsafe e) {
      return new Refuse(Kind.BAD_REQUEST, "bad path: " + e.getMessage(), false, false);
    }
    Optional<UpstreamMap.Match> match = map.match(target.host(), target.port(), target.defaultPort(), path.segments());
    if (match.isEmpty()) {
      Optional<FetchRequest> file = snapshotFile(target, path.segments());
      if (file.isPresent()) {
        if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
          return new Refuse(Kind.METHOD_NOT_ALLOWED, "method " + request.method()
              + " not allowed: use GET or HEAD", false, true);
        }
        return new Serve(file.get(), Optional.empty());
      }
      if (uri.startsWith("/")) {
        return null; // the host is an upstream's, the path none of its repositories': let mirror mode answer
      }
      return new Refuse(Kind.NOT_COVERED, "reprox forward proxy: no configured repository covers " + uri
          + "\nreprox is not an open proxy; it serves only these upstreams (and their snapshot servers):\n"
          + map.describe(), false, false);
    }
    if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
      return new Refuse(Kind.METHOD_NOT_ALLOWED, "method " + request.method()
          + " not allowed: use GET or HEAD", false, true);
    }
    ProxyCredentials credentials;
    try {
      credentials = ProxyCredentials.parse(request.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION));
    } catch (ProxyCredentials.Invalid e) {
      return new Refuse(Kind.BAD_PIN, e.getMessage(), true, false);
    }
    return serve(match.get(), credentials, uri);
  }

  private Outcome serve(UpstreamMap.Match match, ProxyCredentials credentials, String uri) {
    UpstreamMap.Entry e = match.entry();
    List<String> rest = match.rest();
    Optional<java.time.Instant> at = credentials.at();
    if (e.kind() == UpstreamMap.Kind.SNAPSHOT) {
      if (rest.isEmpty()) {
        return notFound(e, uri);
      }
      // The snapshot server's URL names its own T, and it is the one the client asked for.
      try {
        at = Optional.of(TimeSpec.parse(rest.get(0)));
      } catch (TimeSpecException ex) {
        return new Refuse(Kind.BAD_REQUEST, "bad time in snapshot URL " + uri + ": " + ex.getMessage(),
            false, false);
      }
      rest = rest.subList(1, rest.size());
    }
    if (rest.isEmpty()) {
      return notFound(e, uri);
    }
    FetchRequest fetch = new FetchRequest(e.repository(), String.join("/", rest), at, null, null);
    return new Serve(fetch, credentials.build());
  }

  /**
   * {@code /file/<sha1>} on a configured snapshot server's host (snapshot.debian.org addresses
   * every file it has by its SHA-1): a content-addressed request of the first repository with that
   * snapshot server, answered from the alias table or fetched from that server and checked.
   */
  private Optional<FetchRequest> snapshotFile(ProxyTarget target, List<String> segments) {
    if (segments.size() != 2 || !segments.get(0).equals("file") || !SHA1_HEX.matcher(segments.get(1)).matches()) {
      return Optional.empty();
    }
    String hex = segments.get(1).toLowerCase(Locale.ROOT);
    return map.snapshotServer(target.host(), target.port(), target.defaultPort()).map(e -> {
      URI origin = URI.create(e.base().getScheme() + "://" + e.base().getRawAuthority() + "/");
      return new FetchRequest(e.repository(), "file/" + hex, Optional.empty(),
          new FetchRequest.Expected(null, -1, Alias.ofHex(Alias.Kind.SHA1, hex)), origin);
    });
  }

  private static Refuse notFound(UpstreamMap.Entry e, String uri) {
    return new Refuse(Kind.NOT_FOUND, "no path below repository " + e.repository().name() + " in " + uri,
        false, false);
  }

  /**
   * {@code CONNECT host:port}: a {@link Tunnel} when {@code tunnel-allow} lists the target (the
   * escape hatch: bytes pass through, nothing is recorded or pinned), else refused with a message
   * that says why and what to use instead.
   */
  Outcome connect(String authority) {
    String target = authority == null ? "" : authority.strip().toLowerCase(Locale.ROOT);
    int colon = target.lastIndexOf(':');
    String port = colon < 0 ? "" : target.substring(colon + 1);
    if (colon > 0 && port.matches("\\d{1,5}")) {
      String host = target.substring(0, colon);
      int p = Integer.parseInt(port);
      if (tunnelAllow.contains(host + ":" + p)) {
        return new Tunnel(host, p);
      }
    }
    return new Refuse(Kind.NO_TUNNELS, "CONNECT " + target + " refused: use http:// sources (the signatures protect"
        + " integrity, and TLS tunnels cannot be cached or pinned); reprox is not an open proxy", false, true);
  }

  /** Sends {@code r} on {@code ex}: a text body, and a Basic challenge for a bad pin. */
  void refuse(Exchange ex, Refuse r) {
    if (!r.challenge()) {
      ex.fail(r.kind(), r.message(), r.close());
      return;
    }
    FullHttpResponse response = Responses.text(r.status(), r.message() + "\n", ex.head);
    response.headers().set(HttpHeaderNames.PROXY_AUTHENTICATE, "Basic realm=\"" + ProxyCredentials.REALM + "\"");
    ex.reply(response, r.outcome(), r.close());
  }
}
