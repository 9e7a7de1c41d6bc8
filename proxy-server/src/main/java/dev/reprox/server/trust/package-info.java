/**
 * What the bytes of a signed repository's path must be (DESIGN.md §5.1). {@link
 * dev.reprox.server.trust.Trust#locate} is the one entry point: it answers a request with a
 * {@link dev.reprox.server.trust.Located} (expected SHA-256, size and aliases, provenance, fallback
 * sources) or a kind-carrying {@link dev.reprox.server.fetch.FetchException}. Roots, generations,
 * listing indexing, earlier generations and the listings reprox fetches itself live here; moving
 * and checking the bytes is the byte chain's ({@code server.fetch}).
 */
package dev.reprox.server.trust;
