package dev.reprox.testkit.apk;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A tiny apk package to build: one payload file {@code usr/share/reprox-testkit/<name>/payload}.
 *
 * @param name {@code pkgname} / APKINDEX {@code P:}
 * @param version {@code pkgver} / {@code V:}, e.g. {@code 1.0-r0}
 * @param payload the payload file's text
 * @param depends {@code depend} lines / {@code D:} entries
 */
public record ApkPackage(String name, String version, String payload, List<String> depends) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._+-]*");
  private static final Pattern VERSION = Pattern.compile("[0-9][0-9a-z._]*(_[a-z]+[0-9]*)*-r[0-9]+");

  public ApkPackage {
    Objects.requireNonNull(payload, "payload");
    depends = List.copyOf(depends);
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("apk package name " + name + ": not a valid apk name");
    }
    if (!VERSION.matcher(version).matches()) {
      throw new IllegalArgumentException("apk package " + name + ": version " + version + " is not like 1.0-r0");
    }
  }

  /** {@code name} at {@code version} (e.g. {@code 1.0-r0}), no dependencies. */
  public static ApkPackage of(String name, String version) {
    return new ApkPackage(name, version, name + " " + version + " payload\n", List.of());
  }

  public ApkPackage withPayload(String value) {
    return new ApkPackage(name, version, value, depends);
  }

  public ApkPackage withDepends(String... values) {
    return new ApkPackage(name, version, payload, List.of(values));
  }

  /** {@code name-version.apk}: the file name apk requests. */
  public String fileName() {
    return name + "-" + version + ".apk";
  }
}
