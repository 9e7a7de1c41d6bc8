/**
 * The polite upstream layer: every request reprox sends to a mirror or a snapshot server goes
 * through {@link dev.reprox.server.upstream.PoliteUpstream}, which applies the host's
 * {@link dev.reprox.server.upstream.HostPolicy} — a concurrency cap held for the whole body, a
 * token bucket, {@code Retry-After}, exponential backoff with jitter, a circuit breaker and a
 * minimum body rate (a trickling body is cut rather than left to hold a permit and a fill) — and
 * follows and remembers snapshot servers' redirects ({@code 302 → /file/<sha1>}, timestamp
 * canonicalisation). It never waits on a thread: every delay is scheduled, and the caller's body
 * subscriber still sets its own bounded demand (a fill: a window of 16 pieces), so a body is never
 * whole in memory (DESIGN §6).
 */
package dev.reprox.server.upstream;
