/**
 * The reliability suite of issue 6: reprox attacked with bad input, upstream faults, kill -9 in
 * the middle of downloads and a full disk, each test asserting that no wrong byte is stored or
 * completed to a client and that the server keeps serving. Servers run as child JVMs (the shaded
 * jar, leak detection paranoid, stderr scanned for {@code LEAK:}) or in-process behind
 * {@link dev.reprox.server.reliability.LeakGuard}, which fails any test class after which Netty
 * reports a leak.
 */
package dev.reprox.server.reliability;
