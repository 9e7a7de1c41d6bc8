/**
 * The format-neutral core of reprox's trust and time model (DESIGN.md §2 and §3): a
 * {@link dev.reprox.pinning.Format} recognises a repository's paths and verifies its signed
 * {@link dev.reprox.pinning.RootIndex}; a {@link dev.reprox.pinning.ListingReader} streams the
 * package files a listing names; the {@link dev.reprox.pinning.Resolver} answers "which generation
 * of this root index was current at T", proven or not, and pins the first answer forever;
 * {@link dev.reprox.pinning.TimeSpec} parses the T that users write. apt lives in
 * {@code dev.reprox.pinning.apt}, OpenPGP in {@code dev.reprox.pinning.pgp}.
 */
package dev.reprox.pinning;
