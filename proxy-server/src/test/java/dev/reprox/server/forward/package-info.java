/**
 * Forward mode end to end: the real apt-get with {@code http_proxy=http://<T>@reprox}, snapshot
 * server URLs answered from the store, and the polite upstream layer on the fetch path.
 */
package dev.reprox.server.forward;
