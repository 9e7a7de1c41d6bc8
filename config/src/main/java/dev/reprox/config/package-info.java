/**
 * reprox configuration: the YAML file of DESIGN.md §5a, {@code REPROX_…} environment overrides and
 * CLI flags, merged over the built-in repositories and validated into immutable records. Every
 * error names the field path. Only the server reads configuration; other modules take builders.
 */
package dev.reprox.config;
