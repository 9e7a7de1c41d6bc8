/**
 * dnf and yum (rpm-md) repositories: the root index {@code repodata/repomd.xml}, optionally signed
 * by a detached OpenPGP {@code repomd.xml.asc}, lists the metadata files by checksum and size;
 * {@link dev.reprox.pinning.dnf.Repomd} parses it and {@link dev.reprox.pinning.dnf.RepomdVerifier}
 * checks its signature with the {@code pgp} package. {@link dev.reprox.pinning.dnf.PrimaryReader}
 * streams {@code primary.xml} (gzip, xz, zstd, bzip2 or plain) into the package files it names with
 * their {@code pkgid} checksum and size. All XML is read with StAX, with DTDs and external entities
 * refused, since repository metadata never needs them and an upstream can send anything.
 */
package dev.reprox.pinning.dnf;
