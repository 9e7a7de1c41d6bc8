/**
 * The servers a shared-storage test needs, started by the test itself on loopback: {@link
 * dev.reprox.testkit.shared.PostgresServer} (Debian's PostgreSQL 15, initdb into a temporary
 * directory, fsync off) and {@link dev.reprox.testkit.shared.S3ProxyServer} (S3Proxy's
 * self-contained jar over a filesystem directory). Each is {@link AutoCloseable} and stops its
 * process when closed.
 */
package dev.reprox.testkit.shared;
