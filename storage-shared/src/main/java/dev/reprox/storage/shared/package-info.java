/**
 * The storage that several reprox replicas share (issue 15, DESIGN.md §8): observations,
 * generations, pins, path listings, aliases, refs and the blob catalogue in PostgreSQL; blob bytes
 * in an S3-compatible bucket under content-addressed keys; on each replica a bounded directory of
 * verified copies so warm hits never leave the machine. Entry point: {@link
 * dev.reprox.storage.shared.SharedStorage#builder()}.
 */
package dev.reprox.storage.shared;
