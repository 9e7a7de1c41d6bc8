/**
 * Record-and-replay integration tests of the apk and dnf formats (issue 5): each builds two
 * signed generations of a small repository with the testkit, serves them as the upstream, drives
 * a faithful client (the testkit's apk protocol client, the real dnf) through {@code /<repo>/@T/},
 * and replays with the upstream stopped; tampered indexes and packages must be refused and never
 * stored. reprox runs as a child JVM ({@link ReproxChild}).
 */
package dev.reprox.server.formats;
