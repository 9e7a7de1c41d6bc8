package dev.reprox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.config.ConfigLoader.Overrides;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One row per validation rule: the file, and the one error it must produce, word for word. */
class ValidationErrorsTest {
  private static final String REPO = "repositories:\n  x:\n    format: apt\n    upstream: http://u.example/\n";

  @TempDir Path dir;

  static Stream<Arguments> cases() {
    return Stream.of(
        row("listen: x", "listen: not HOST:PORT: \"x\""),
        row("listen: 3142", "listen: not HOST:PORT: \"3142\""),
        row("listen: 127.0.0.1:70000", "listen: port not in 0-65535: \"127.0.0.1:70000\""),
        row("listen: ::1:3142", "listen: not HOST:PORT (put an IPv6 host in brackets): \"::1:3142\""),
        row("listen: [a, b]", "listen: must be a single value, not a list"),
        row("data: ''", "data: must not be empty"),
        row("data: \"a\\0b\"", "data: not a path (Nul character not allowed): \"a\\u0000b\""),
        row("offline: maybe", "offline: not true or false: \"maybe\""),
        row("lisen: 127.0.0.1:1",
            "lisen: unknown key (known: listen, data, offline, max-connections, repositories, tunnel-allow, upstreams,"
                + " log, api, builds, retention, threads, storage, server)"),
        row("threads: 8", "threads: must be a mapping (event-loops, storage, body, upstream, signed, root-fetch,"
            + " tunnel-resolve)"),
        row("threads:\n  storage: 0", "threads.storage: must be a whole number from 1 to 1024: \"0\""),
        row("threads:\n  event-loops: -1",
            "threads.event-loops: must be a whole number from 0 to 1024 (0: two per core): \"-1\""),
        row("threads:\n  body: lots", "threads.body: must be a whole number from 1 to 1024: \"lots\""),
        row("threads:\n  storage: 5000", "threads.storage: must be a whole number from 1 to 1024: \"5000\""),
        row("threads:\n  workers: 2", "threads.workers: unknown key (known: event-loops, storage, body, upstream,"
            + " signed, root-fetch, tunnel-resolve)"),
        row("server: io_uring", "server: must be a mapping with transport"),
        row("server:\n  transport: uring", "server.transport: must be auto, epoll, io_uring or nio: \"uring\""),
        row("server:\n  transport: EPOLL", "server.transport: must be auto, epoll, io_uring or nio: \"EPOLL\""),
        row("server:\n  transprot: nio", "server.transprot: unknown key (known: transport)"),
        row("log: json", "log: must be a mapping with access and format"),
        row("log:\n  format: xml", "log.format: must be text or json: \"xml\""),
        row("log:\n  access: sometimes", "log.access: not true or false: \"sometimes\""),
        row("log:\n  acess: false", "log.acess: unknown key (known: access, format, leak-detection)"),
        row("log:\n  leak-detection: some", "log.leak-detection: must be disabled, simple, advanced or paranoid:"
            + " \"some\""),
        row("max-connections: 0", "max-connections: must be a whole number from 1 to 1000000: \"0\""),
        row("max-connections: -5", "max-connections: must be a whole number from 1 to 1000000: \"-5\""),
        row("max-connections: many", "max-connections: must be a whole number from 1 to 1000000: \"many\""),
        row("max-connections: 2000000", "max-connections: must be a whole number from 1 to 1000000: \"2000000\""),
        row("max-connections: [1]", "max-connections: must be a single value, not a list"),
        row("repositories: [debian]",
            "repositories: must be a mapping of repository name to its settings"),
        row("repositories:\n  x: apt",
            "repositories.x: must be a mapping with format, upstream and optional snapshot, keyring,"
                + " pinning, root-ttl, offline, repo-gpgcheck, negative-ttl, watch"),
        row("repositories:\n  Bad_Name:\n    format: apt\n    upstream: http://u.example/",
            "repositories.Bad_Name: repository name must be lower-case letters and digits,"
                + " optionally joined by single hyphens (it is a URL path segment)"),
        row("repositories:\n  x:\n    upstream: http://u.example/",
            "repositories.x.format: missing (one of apt, apk, dnf)"),
        row("repositories:\n  x:\n    format: apt",
            "repositories.x.upstream: missing (the http(s) URL of the live mirror)"),
        row("repositories:\n  x:\n    format: zip\n    upstream: http://u.example/",
            "repositories.x.format: must be one of apt, apk, dnf: \"zip\""),
        row("repositories:\n  x:\n    format: apt\n    upstream: ftp:/x",
            "repositories.x.upstream: not an http(s) URL: \"ftp:/x\""),
        row("repositories:\n  x:\n    format: apt\n    upstream: http://u.example/?a=b",
            "repositories.x.upstream: not an http(s) URL: \"http://u.example/?a=b\""),
        row("repositories:\n  x:\n    format: apt\n    upstream: not a url",
            "repositories.x.upstream: not an http(s) URL: \"not a url\""),
        row(REPO + "    snapshot: file:///tmp/",
            "repositories.x.snapshot: not an http(s) URL: \"file:///tmp/\""),
        row(REPO + "    keyring: builtin:debain",
            "repositories.x.keyring: no built-in keyring \"debain\""
                + " (available: alma, alpine, debian, fedora, rocky, ubuntu, wolfi)"),
        row(REPO + "    pinning: lax",
            "repositories.x.pinning: must be one of best-effort, strict: \"lax\""),
        row(REPO + "    root-ttl: 60",
            "repositories.x.root-ttl: not a duration like 500ms, 60s, 5m, 1h: \"60\""),
        row(REPO + "    root-ttl: 1h30m",
            "repositories.x.root-ttl: not a duration like 500ms, 60s, 5m, 1h: \"1h30m\""),
        row(REPO + "    root-ttl: 0s", "repositories.x.root-ttl: must be longer than zero: \"0s\""),
        row(REPO + "    offline: sometimes",
            "repositories.x.offline: not true or false: \"sometimes\""),
        row(REPO + "    upstrem: http://typo.example/",
            "repositories.x.upstrem: unknown key (known: format, upstream, snapshot, keyring,"
                + " pinning, root-ttl, offline, repo-gpgcheck, negative-ttl, watch)"),
        row(REPO + "    negative-ttl: 30", "repositories.x.negative-ttl: not a duration like 500ms, 60s, 5m, 1h: \"30\""),
        row(REPO + "    negative-ttl: 0s", "repositories.x.negative-ttl: must be longer than zero: \"0s\""),
        row(REPO + "    watch: on", "repositories.x.watch: must be a mapping with roots (a list of root index paths,"
            + " or seen), interval, listings"),
        row(REPO + "    watch:\n      interval: 5m", "repositories.x.watch.roots: missing (a list of root index paths,"
            + " or seen)"),
        row(REPO + "    watch:\n      roots: all", "repositories.x.watch.roots: must be a list of root index paths,"
            + " or seen: \"all\""),
        row(REPO + "    watch:\n      roots: []", "repositories.x.watch.roots: must name at least one root index"
            + " (or be seen)"),
        row(REPO + "    watch:\n      roots: [../x/InRelease]", "repositories.x.watch.roots[0]: not a path below the"
            + " repository (no leading /, no empty, . or .. segments): \"../x/InRelease\""),
        row(REPO + "    watch:\n      roots: [/dists/x/InRelease]", "repositories.x.watch.roots[0]: not a path below"
            + " the repository (no leading /, no empty, . or .. segments): \"/dists/x/InRelease\""),
        row(REPO + "    watch:\n      roots: seen\n      interval: 10s", "repositories.x.watch.interval: must be at"
            + " least 30s (a watch is polite background work): 10s"),
        row(REPO + "    watch:\n      roots: seen\n      listings: some", "repositories.x.watch.listings: not true or"
            + " false: \"some\""),
        row(REPO + "    watch:\n      roots: seen\n      intervall: 1m", "repositories.x.watch.intervall: unknown key"
            + " (known: roots, interval, listings)"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("cases")
  void load_invalidField_errorNamesFieldPath(String yaml, String expected) throws Exception {
    Path file = dir.resolve("reprox.yaml");
    Files.writeString(file, yaml + "\n");

    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), Map.of(), Overrides.none()))
        .isInstanceOfSatisfying(ConfigException.class,
            e -> assertThat(e.errors()).containsExactly(expected));
  }

  private static Arguments row(String yaml, String expected) {
    return Arguments.of(yaml, expected);
  }
}
