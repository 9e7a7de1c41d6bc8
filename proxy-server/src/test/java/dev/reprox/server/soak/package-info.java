/**
 * The soak test: a child reprox under mixed load for half an hour (hits, misses of files that keep
 * appearing upstream, pinned and live requests, root revalidations), its RSS and open file
 * descriptors sampled from /proc and required to stay flat. Excluded from the default build
 * ({@code **}{@code /soak/**}); {@code ./mvnw -pl proxy-server verify -Psoak} runs it,
 * {@code -Dsoak.minutes=N} shortens it.
 */
package dev.reprox.server.soak;
