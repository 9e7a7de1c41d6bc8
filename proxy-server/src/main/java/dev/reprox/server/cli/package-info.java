/**
 * The {@code reprox} command line (picocli): {@code serve}, {@code config check} and
 * {@code verify}. This is the only package that prints; everything else logs through slf4j.
 * Exit codes: 0 success, 1 a check found damage, 2 bad configuration or usage.
 */
package dev.reprox.server.cli;
