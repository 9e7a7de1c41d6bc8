/**
 * Fixture apk (Alpine, Wolfi) repositories and a faithful stand-in for the apk client, which
 * Debian does not package. {@link dev.reprox.testkit.apk.ApkRepoBuilder} writes real {@code .apk}
 * files (signature, control and data gzip members, as abuild writes them) and a signed
 * {@code APKINDEX.tar.gz} laid out like a mirror, byte-exact and deterministic for a given key,
 * and can move to the next generation or tamper with files; {@link
 * dev.reprox.testkit.apk.ApkClient} makes the requests apk-tools 2.x makes ({@code update}, then
 * package fetches, optionally through {@code http_proxy}) and checks what apk checks.
 */
package dev.reprox.testkit.apk;
