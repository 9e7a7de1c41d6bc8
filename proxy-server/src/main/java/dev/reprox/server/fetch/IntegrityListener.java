package dev.reprox.server.fetch;

/** Hears about bodies that did not match their verified index (metric {@code reprox_integrity_failures_total}). */
@FunctionalInterface
public interface IntegrityListener {
  IntegrityListener NONE = (request, kind) -> { };

  /** {@code kind}: digest, size or length (upstream Content-Length disagrees with the index). */
  void failed(FetchRequest request, String kind);
}
