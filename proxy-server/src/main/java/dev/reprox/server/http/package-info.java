/**
 * The HTTP layer: one Netty handler per connection whose guard clauses each end in an error
 * response (path safety, method, repository), the admin endpoints, and the body writer that
 * streams storage chunks to the client with backpressure. Nothing here blocks the event loop:
 * storage reads run on the storage executor and come back to the channel's loop.
 */
package dev.reprox.server.http;
