/**
 * The servers a shared-storage test needs, started by the test itself on loopback: {@link
 * dev.reprox.testkit.shared.PostgresServer} (Debian's PostgreSQL 15, initdb into a temporary
 * directory, fsync off) and {@link dev.reprox.testkit.shared.S3ProxyServer} (S3Proxy's
 * self-contained jar over a filesystem directory) or {@link dev.reprox.testkit.shared.CephRgwServer}
 * (a one-node Ceph cluster's RADOS Gateway, for the opt-in {@code ceph} profile), both behind {@link
 * dev.reprox.testkit.shared.S3Server}. Each is {@link AutoCloseable} and stops its processes when
 * closed.
 */
package dev.reprox.testkit.shared;
