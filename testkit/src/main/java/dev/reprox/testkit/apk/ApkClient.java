package dev.reprox.testkit.apk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.reprox.testkit.apk.ApkMembers.Member;

/**
 * Speaks the apk-tools 2.x protocol, since Debian packages no apk. What it does, step by step, is
 * what {@code apk update} / {@code apk fetch} do:
 *
 * <ul>
 *   <li>{@link #update()}: for each {@code /etc/apk/repositories} line, {@code GET
 *       <line>/<arch>/APKINDEX.tar.gz} with {@code User-Agent: apk-tools/2.14.x}; the first gzip
 *       member must hold a {@code .SIGN.RSA.<key>} (SHA-1) or {@code .SIGN.RSA256.<key>} entry
 *       whose key file is in the keys directory ({@code /etc/apk/keys}) and which verifies over the
 *       raw bytes of the remaining members ("UNTRUSTED signature" otherwise); then the
 *       {@code APKINDEX} records are read.</li>
 *   <li>{@link #fetch(String...)}: {@code GET <line>/<arch>/<P>-<V>.apk}; the size must be the
 *       record's {@code S:}, the SHA-1 of the raw control member must be the record's
 *       {@code C:Q1}, its {@code .SIGN.RSA.*} must verify over that member, and the sha256 of the
 *       data member must be {@code .PKGINFO}'s {@code datahash}.</li>
 *   <li>With {@link Builder#proxy(URI)} (apk reads {@code http_proxy}; libfetch), requests go to
 *       the proxy in absolute form, with the URL's user info as {@code Proxy-Authorization: Basic}.</li>
 * </ul>
 *
 * Unlike apk, bodies are held in memory (fixtures are small), and the first failure throws an
 * {@link ApkException} instead of apk's "continue with the other repositories". apk also sends
 * {@code Connection: close}, which the JDK client does not allow setting.
 */
public final class ApkClient {

  private final List<URI> repositories;
  private final String arch;
  private final Map<String, PublicKey> keys;
  private final Path cache;
  private final HttpClient http;
  private final URI proxy;
  private final String userAgent;
  private final Duration timeout;
  private final Map<String, Record> index = new LinkedHashMap<>();
  private final List<URI> requested = new CopyOnWriteArrayList<>();

  /** An APKINDEX record, with the repository line it came from. */
  public record Record(String name, String version, String arch, long size, String q1, URI repository) {
    /** {@code <repository>/<arch>/<name>-<version>.apk}. */
    public URI uri() {
      return URI.create(repository + "/" + arch + "/" + name + "-" + version + ".apk");
    }
  }

  private ApkClient(Builder b, Map<String, PublicKey> keys) {
    this.repositories = List.copyOf(b.repositories);
    this.arch = b.arch;
    this.keys = keys;
    this.cache = b.work.resolve("cache");
    this.proxy = b.proxy;
    this.userAgent = b.userAgent;
    this.timeout = b.timeout;
    HttpClient.Builder http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(b.timeout).followRedirects(HttpClient.Redirect.NEVER);
    if (proxy != null) {
      http.proxy(ProxySelector.of(new InetSocketAddress(proxy.getHost(), proxy.getPort())));
    }
    this.http = http.build();
  }

  public static Builder builder(Path workDir) {
    return new Builder(workDir);
  }

  /** {@code apk update}: fetches, verifies and reads every repository's index; returns the records. */
  public Map<String, Record> update() {
    index.clear();
    for (URI repo : repositories) {
      URI uri = URI.create(repo + "/" + arch + "/APKINDEX.tar.gz");
      byte[] file = get(uri);
      // Like apk: the signature covers raw bytes, so it is checked before anything else is inflated.
      Member signature = ApkMembers.member(file, 0, uri.toString());
      if (signature.end() >= file.length) {
        throw new ApkException(uri + ": UNTRUSTED signature (no signed member after the signature)");
      }
      verifySignature(file, signature, signature.end(), file.length, uri.toString());
      List<Member> members = ApkMembers.split(Arrays.copyOfRange(file, signature.end(), file.length), uri.toString());
      byte[] text = ApkMembers.tarEntries(concatInflated(members), uri.toString()).get("APKINDEX");
      if (text == null) {
        throw new ApkException(uri + ": no APKINDEX entry");
      }
      for (Record r : parse(new String(text, StandardCharsets.UTF_8), repo, uri)) {
        index.putIfAbsent(r.name(), r);
      }
    }
    return Map.copyOf(index);
  }

  /**
   * {@code apk fetch names…} after {@link #update()}: downloads and checks each package; returns
   * the files in the cache directory, in argument order.
   */
  public List<Path> fetch(String... names) {
    List<Path> out = new ArrayList<>();
    for (String name : names) {
      Record r = index.get(name);
      if (r == null) {
        throw new ApkException("fetch " + name + ": unable to select package (not in any index; run update first)");
      }
      byte[] apk = get(r.uri());
      verifyPackage(apk, r);
      try {
        Files.createDirectories(cache);
        out.add(Files.write(cache.resolve(name + "-" + r.version() + ".apk"), apk));
      } catch (IOException e) {
        throw new UncheckedIOException("write " + r.uri() + " to " + cache, e);
      }
    }
    return out;
  }

  /** Every URL requested so far, in order (absolute URLs, as sent through a proxy). */
  public List<URI> requested() {
    return List.copyOf(requested);
  }

  private void verifyPackage(byte[] apk, Record r) {
    String what = r.uri().toString();
    if (apk.length != r.size()) {
      throw new ApkException(what + ": size " + apk.length + " but index says " + r.size());
    }
    Member signature = ApkMembers.member(apk, 0, what);
    Member control;
    try {
      control = ApkMembers.member(apk, signature.end(), what);
    } catch (ApkException e) {
      throw new ApkException(what + ": BAD checksum: control member unreadable: " + e.getMessage(), e);
    }
    String q1 = ApkRepoBuilder.q1(ApkArchives.digest("SHA-1", Arrays.copyOfRange(apk, control.start(), control.end())));
    if (!q1.equals(r.q1())) {
      throw new ApkException(what + ": BAD checksum: control " + q1 + " but index says " + r.q1());
    }
    verifySignature(apk, signature, control.start(), control.end(), what);
    byte[] pkginfo = ApkMembers.tarEntries(control.inflated(), what).get(".PKGINFO");
    if (pkginfo == null) {
      throw new ApkException(what + ": no .PKGINFO in the control member");
    }
    String datahash = new String(pkginfo, StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("datahash = "))
        .map(l -> l.substring("datahash = ".length())).findFirst()
        .orElseThrow(() -> new ApkException(what + ": .PKGINFO has no datahash"));
    if (ApkMembers.member(apk, control.end(), what).end() != apk.length) {
      throw new ApkException(what + ": bytes after the data member");
    }
    String actual = ApkArchives.hex("SHA-256", Arrays.copyOfRange(apk, control.end(), apk.length));
    if (!actual.equals(datahash)) {
      throw new ApkException(what + ": BAD data hash " + actual + ", .PKGINFO says " + datahash);
    }
  }

  /** The first signature whose key is trusted decides, as in apk. */
  private void verifySignature(byte[] file, Member signatureMember, int from, int to, String what) {
    for (Map.Entry<String, byte[]> e : ApkMembers.tarEntries(signatureMember.inflated(), what).entrySet()) {
      boolean sha256 = e.getKey().startsWith(".SIGN.RSA256.");
      String keyName = e.getKey().substring(sha256 ? ".SIGN.RSA256.".length() : ".SIGN.RSA.".length());
      if (!e.getKey().startsWith(".SIGN.RSA") || !keys.containsKey(keyName)) {
        continue;
      }
      try {
        Signature s = Signature.getInstance(sha256 ? "SHA256withRSA" : "SHA1withRSA");
        s.initVerify(keys.get(keyName));
        s.update(file, from, to - from);
        if (s.verify(e.getValue())) {
          return;
        }
        throw new ApkException(what + ": BAD signature by " + keyName);
      } catch (GeneralSecurityException ex) {
        throw new ApkException(what + ": BAD signature by " + keyName + ": " + ex.getMessage(), ex);
      }
    }
    throw new ApkException(what + ": UNTRUSTED signature (no signature by a key in " + keys.keySet() + ")");
  }

  private byte[] get(URI uri) {
    requested.add(uri);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET().header("User-Agent", userAgent);
    if (proxy != null && proxy.getUserInfo() != null) {
      // The JDK client answers only a 407 challenge; libfetch sends the credentials up front.
      request.header("Proxy-Authorization", "Basic "
          + Base64.getEncoder().encodeToString(proxy.getUserInfo().getBytes(StandardCharsets.UTF_8)));
    }
    try {
      HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        throw new ApkException(uri + ": HTTP " + response.statusCode());
      }
      return response.body();
    } catch (IOException e) {
      throw new ApkException(uri + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApkException(uri + ": interrupted", e);
    }
  }

  private static byte[] concatInflated(List<Member> members) {
    return ApkArchives.concat(members.stream().map(Member::inflated).toArray(byte[][]::new));
  }

  private static List<Record> parse(String text, URI repo, URI what) {
    List<Record> out = new ArrayList<>();
    for (String block : text.split("\n\n")) {
      Map<Character, String> f = new LinkedHashMap<>();
      block.lines().filter(l -> l.length() >= 2 && l.charAt(1) == ':').forEach(l -> f.putIfAbsent(l.charAt(0), l.substring(2)));
      if (f.isEmpty()) {
        continue;
      }
      if (!f.containsKey('P') || !f.containsKey('V') || !f.containsKey('C') || !f.containsKey('S')) {
        throw new ApkException(what + ": record without P, V, C or S: " + block);
      }
      out.add(new Record(f.get('P'), f.get('V'), f.getOrDefault('A', ""), Long.parseLong(f.get('S')), f.get('C'), repo));
    }
    return out;
  }

  /** Configures an {@link ApkClient}. */
  public static final class Builder {
    private final Path work;
    private final List<URI> repositories = new ArrayList<>();
    private Path keysDir;
    private String arch = "x86_64";
    private URI proxy;
    private String userAgent = "apk-tools/2.14.4";
    private Duration timeout = Duration.ofSeconds(30);

    private Builder(Path work) {
      this.work = work.toAbsolutePath();
    }

    /** An {@code /etc/apk/repositories} line, e.g. {@code http://127.0.0.1:3142/alpine/@1709251200/v3.20/main}. */
    public Builder repository(URI line) {
      String s = line.toString();
      repositories.add(URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s));
      return this;
    }

    /** A directory of {@code *.rsa.pub} keys, as {@code /etc/apk/keys}. Required. */
    public Builder keysDir(Path value) {
      keysDir = value;
      return this;
    }

    public Builder arch(String value) {
      arch = value;
      return this;
    }

    /** {@code http_proxy}, e.g. {@code http://1709251200@127.0.0.1:3142}. */
    public Builder proxy(URI value) {
      proxy = value;
      return this;
    }

    public Builder userAgent(String value) {
      userAgent = value;
      return this;
    }

    /** Per request; default 30 s. */
    public Builder timeout(Duration value) {
      timeout = value;
      return this;
    }

    public ApkClient build() {
      if (repositories.isEmpty() || keysDir == null) {
        throw new IllegalStateException("apk client " + work + ": needs repository(...) and keysDir(...)");
      }
      Map<String, PublicKey> keys = new LinkedHashMap<>();
      try (var files = Files.newDirectoryStream(keysDir, "*.pub")) {
        for (Path f : files) {
          keys.put(f.getFileName().toString(), readPem(f));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("read apk keys " + keysDir, e);
      }
      return new ApkClient(this, keys);
    }

    private static PublicKey readPem(Path file) throws IOException {
      String pem = Files.readString(file, StandardCharsets.US_ASCII)
          .replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
      try {
        return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        throw new IllegalStateException("read apk key " + file + ": not a PEM RSA public key: " + e, e);
      }
    }
  }
}
