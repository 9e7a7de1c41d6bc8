/**
 * Opt-in live tests ({@code ./mvnw -pl proxy-server verify -Plive}): reprox in front of the real
 * deb.debian.org, driven by the real Debian clients. They need the network and minutes of time, so
 * failsafe excludes this package unless the {@code live} profile is active (README "Live test").
 */
package dev.reprox.server.live;
