/**
 * Alpine and Wolfi (apk) repositories: the signed root index {@code APKINDEX.tar.gz} and the
 * package control hash. An APKINDEX is concatenated gzip members, the first holding an RSA
 * signature ({@code .SIGN.RSA.<key>} for SHA-1, {@code .SIGN.RSA256.<key>} for SHA-256) over the
 * raw compressed bytes of all the members after it; {@link dev.reprox.pinning.apk.ApkIndexVerifier}
 * checks it against a keyring of {@code *.rsa.pub} keys and {@link dev.reprox.pinning.apk.ApkIndex}
 * streams the package records. A package is named in the index by {@code C:Q1<base64>}, the SHA-1
 * of its control member's compressed bytes, which {@link dev.reprox.pinning.apk.ApkControlHasher}
 * computes while the package streams by, without holding it in memory.
 */
package dev.reprox.pinning.apk;
