/**
 * Fixture apt repositories and the real Debian clients that read them. {@link
 * dev.reprox.testkit.apt.AptRepoBuilder} writes a directory laid out exactly like a Debian mirror
 * (real {@code .deb}s from {@code dpkg-deb}, Packages in three compressions, by-hash copies, a
 * signed Release/InRelease) and can move it from one generation to the next or tamper with it;
 * {@link dev.reprox.testkit.apt.AptClient} and {@link dev.reprox.testkit.apt.Mmdebstrap} run
 * {@code apt-get} and {@code mmdebstrap} against such a repository with private state and a
 * timeout, so integration tests exercise the clients users actually run.
 */
package dev.reprox.testkit.apt;
