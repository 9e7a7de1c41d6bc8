/**
 * Building a {@link dev.reprox.pinning.Format} by its name, bound to a keyring that is parsed on
 * first use: the one place outside the format packages that knows which formats exist, so callers
 * (the server, the CLI) never name apt, apk or dnf.
 */
package dev.reprox.pinning.formats;
