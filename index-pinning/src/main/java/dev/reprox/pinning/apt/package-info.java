/**
 * The apt (Debian, Ubuntu) format: the signed root index (InRelease, or Release + Release.gpg),
 * its deb822 fields and checksum tables, the streaming Packages and Sources parsers that map pool
 * paths to their SHA-256 and size, and {@link dev.reprox.pinning.apt.AptFormat}, which plugs all
 * of it into the format-neutral {@link dev.reprox.pinning.Format} SPI.
 */
package dev.reprox.pinning.apt;
