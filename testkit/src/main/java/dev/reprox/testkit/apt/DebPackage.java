package dev.reprox.testkit.apt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a fixture {@code .deb} contains: name, version, architecture, optional Depends, and a
 * payload installed as {@code /usr/share/<name>/payload}. Immutable; the {@code with…} methods
 * return copies.
 */
public final class DebPackage {

  private final String name;
  private final String version;
  private final String architecture;
  private final String depends;
  private final byte[] payload;

  private DebPackage(String name, String version, String architecture, String depends, byte[] payload) {
    if (!name.matches("[a-z0-9][a-z0-9+.-]+")) {
      throw new IllegalArgumentException("fixture package name: not a Debian package name: " + name);
    }
    this.name = name;
    this.version = Objects.requireNonNull(version, "version");
    this.architecture = Objects.requireNonNull(architecture, "architecture");
    this.depends = depends;
    this.payload = payload;
  }

  /** An amd64 package whose payload is a one-line text naming it. */
  public static DebPackage of(String name, String version) {
    return new DebPackage(name, version, "amd64", null,
        (name + " " + version + "\n").getBytes(StandardCharsets.UTF_8));
  }

  public DebPackage withPayload(byte[] bytes) {
    return new DebPackage(name, version, architecture, depends, bytes.clone());
  }

  /**
   * A payload of {@code size} incompressible bytes, derived from name and version so the same
   * package always builds to the same {@code .deb}.
   */
  public DebPackage withPayloadSize(int size) {
    return new DebPackage(name, version, architecture, depends, pseudoRandom(name + "_" + version, size));
  }

  public DebPackage withArchitecture(String arch) {
    return new DebPackage(name, version, arch, depends, payload);
  }

  /** A Depends field value, e.g. {@code "bar (>= 1.0)"}. */
  public DebPackage withDepends(String value) {
    return new DebPackage(name, version, architecture, value, payload);
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  public String architecture() {
    return architecture;
  }

  /** The Depends value, or null. */
  public String depends() {
    return depends;
  }

  public byte[] payload() {
    return payload.clone();
  }

  int payloadLength() {
    return payload.length;
  }

  /** The pool file name: the version without its epoch, as dpkg-name and dak write it. */
  public String fileName() {
    String plain = version.contains(":") ? version.substring(version.indexOf(':') + 1) : version;
    return name + "_" + plain + "_" + architecture + ".deb";
  }

  /** {@code pool/<component>/<prefix>/<name>/<file>}, prefix "libx" for lib* names as Debian does. */
  public String poolPath(String component) {
    String prefix = name.startsWith("lib") && name.length() > 3 ? name.substring(0, 4) : name.substring(0, 1);
    return "pool/" + component + "/" + prefix + "/" + name + "/" + fileName();
  }

  private static byte[] pseudoRandom(String seed, int size) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] block = sha.digest(seed.getBytes(StandardCharsets.UTF_8));
      ByteBuffer out = ByteBuffer.allocate(size);
      while (out.hasRemaining()) {
        block = sha.digest(block);
        out.put(block, 0, Math.min(block.length, out.remaining()));
      }
      return out.array();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DebPackage p && p.name.equals(name) && p.version.equals(version)
        && p.architecture.equals(architecture) && Objects.equals(p.depends, depends)
        && Arrays.equals(p.payload, payload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, version, architecture);
  }

  @Override
  public String toString() {
    return name + "_" + version + "_" + architecture;
  }
}
