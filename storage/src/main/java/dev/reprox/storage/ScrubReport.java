package dev.reprox.storage;

/** The outcome of {@link BlobStore#scrub}: how much was checked and how much was damaged. */
public record ScrubReport(long blobsChecked, long bytesChecked, long damagedBlobs) {
  /** One damaged blob: its key, and what is wrong (hash mismatch, missing chunk, read error). */
  public record Damage(Digest digest, String reason) {}

  public boolean clean() {
    return damagedBlobs == 0;
  }
}
