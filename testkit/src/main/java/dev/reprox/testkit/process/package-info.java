/**
 * Running external tools for the fixture builders and clients: {@link
 * dev.reprox.testkit.process.Processes} starts a command with stdin from /dev/null, output to
 * temporary files (so a chatty tool never blocks on a full pipe), a chosen environment and working
 * directory, and a hard timeout that kills the whole process tree.
 */
package dev.reprox.testkit.process;
