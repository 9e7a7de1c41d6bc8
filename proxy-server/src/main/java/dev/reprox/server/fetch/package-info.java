/**
 * The live pass-through: turning {@code GET /<repo>/<path>} into bytes, from the store when a
 * ref names a stored blob, else from the repository's upstream while the bytes are stored (or relayed
 * unstored: unclassified paths of a repository without a keyring). Every
 * step is a {@link dev.reprox.server.fetch.Fetcher} decorator, composed in exactly one place,
 * {@link dev.reprox.server.fetch.Fetchers}, so the signed-index logic of later issues can replace
 * a step without touching the HTTP layer.
 */
package dev.reprox.server.fetch;
