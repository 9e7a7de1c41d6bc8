/**
 * Benchmarks that print side-by-side figures (reprox next to the plain-file ceiling, in the same
 * run); plain mains with warm-up, each carrying the command that runs it in its Javadoc.
 */
package dev.reprox.bench;
