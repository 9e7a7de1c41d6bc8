/**
 * The reprox server: {@link dev.reprox.server.ReproxServer} binds the Netty listener, assembles
 * the pipeline, wires the live fetch chain, the storage executor and metrics, and owns the
 * shutdown sequence (stop accepting, drain in-flight responses, close event loops, close the
 * store).
 */
package dev.reprox.server;
