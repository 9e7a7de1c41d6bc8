/**
 * A loopback HTTP file server standing in for an upstream mirror: it serves a directory as-is
 * (no conditional requests, no ranges, like the intercepting cache in front of deb.debian.org
 * here), logs every request so tests can assert what reached the upstream, and can be stopped,
 * restarted on the same port, or pointed at another directory when "the upstream moves".
 */
package dev.reprox.testkit.http;
