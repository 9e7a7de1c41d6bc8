package dev.reprox.pinning.dnf;

import java.util.Objects;

/**
 * One {@code <package>} of primary.xml, as far as fetching and checking it goes.
 *
 * @param name {@code <name>}
 * @param arch {@code <arch>}
 * @param evr {@code epoch:ver-rel} from {@code <version>} (epoch omitted when 0 or absent)
 * @param href {@code <location href>}, relative to the repository root
 * @param checksum the {@code <checksum pkgid="YES">} of the .rpm file
 * @param size {@code <size package>}, the .rpm's size in bytes
 */
public record PrimaryEntry(String name, String arch, String evr, String href, RpmChecksum checksum, long size) {
  public PrimaryEntry {
    Objects.requireNonNull(href, "href");
    Objects.requireNonNull(checksum, "checksum");
  }
}
