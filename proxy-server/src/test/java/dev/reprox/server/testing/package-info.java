/**
 * Helpers shared by the integration tests that run {@code reprox} as a child JVM: one launcher
 * that starts the shaded jar (optionally a private copy of it), reads its {@code listening on}
 * line, stops it by SIGTERM or {@code kill -9}, and scans its log for Netty's leak reports.
 */
package dev.reprox.server.testing;
