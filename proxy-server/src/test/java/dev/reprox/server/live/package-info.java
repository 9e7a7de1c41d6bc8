/**
 * Opt-in live tests ({@code ./mvnw -pl proxy-server verify -Plive}): reprox in front of the real
 * deb.debian.org, driven by the real Debian clients (mmdebstrap, apt 3 in a trixie chroot, the
 * docker.io engine). They need root, the network and minutes of time, so failsafe excludes this
 * package unless the {@code live} profile is active (README "Tests"). Everything they create (a
 * chroot, a private dockerd and its data-root, mounts) lives in one {@link Scratch} directory that
 * is unmounted and deleted whether the test passes or fails.
 */
package dev.reprox.server.live;
