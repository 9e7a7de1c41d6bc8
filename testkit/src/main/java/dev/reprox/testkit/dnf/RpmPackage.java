package dev.reprox.testkit.dnf;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A tiny noarch rpm to build: one payload file {@code /usr/share/reprox-testkit/<name>/payload}.
 *
 * @param name rpm {@code Name:}
 * @param version rpm {@code Version:} (no '-')
 * @param release rpm {@code Release:} (no '-')
 * @param payload the payload file's text; differs per version by default so versions differ in content
 */
public record RpmPackage(String name, String version, String release, String payload) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9._+~^]+");

  public RpmPackage {
    Objects.requireNonNull(payload, "payload");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("rpm package name " + name + ": not a valid rpm name");
    }
    for (String part : new String[] {version, release}) {
      if (!VERSION.matcher(part).matches()) {
        throw new IllegalArgumentException("rpm package " + name + ": bad version or release " + part);
      }
    }
  }

  /** {@code name-version-1} with a payload naming both. */
  public static RpmPackage of(String name, String version) {
    return new RpmPackage(name, version, "1", name + " " + version + " payload\n");
  }

  public RpmPackage withRelease(String value) {
    return new RpmPackage(name, version, value, payload);
  }

  public RpmPackage withPayload(String value) {
    return new RpmPackage(name, version, release, value);
  }

  /** {@code name-version-release}, as {@code rpm -q} prints it. */
  public String nvr() {
    return name + "-" + version + "-" + release;
  }

  /** {@code name-version-release.noarch.rpm}. */
  public String fileName() {
    return nvr() + ".noarch.rpm";
  }

  /** The spec rpmbuild builds this package from; the payload is {@code Source0}. */
  String spec() {
    return "Name: " + name + "\n"
        + "Version: " + version + "\n"
        + "Release: " + release + "\n"
        + "Summary: reprox testkit fixture package " + name + "\n"
        + "License: MIT\n"
        + "BuildArch: noarch\n"
        + "Source0: " + name + ".payload\n\n"
        + "%description\nFixture package " + name + ", built by the reprox testkit.\n\n"
        + "%prep\n\n%build\n\n"
        + "%install\ninstall -D -m 0644 %{SOURCE0} %{buildroot}/usr/share/reprox-testkit/" + name + "/payload\n\n"
        + "%files\n/usr/share/reprox-testkit/" + name + "/payload\n";
  }
}
