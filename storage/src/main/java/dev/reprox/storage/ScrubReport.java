package dev.reprox.storage;

/** The outcome of {@link BlobStore#scrub}: how much was checked and how much was damaged. */
public record ScrubReport(long blobsChecked, long bytesChecked, long damagedBlobs) {
  /**
   * One damaged blob: its key, and what is wrong (hash mismatch, missing chunk, read error).
   * {@code missing}: its bytes were not there at all (a blob file gone), which a store opened
   * read-only beside a running server also sees for a blob that server deleted after the open.
   */
  public record Damage(Digest digest, String reason, boolean missing) {
    public Damage(Digest digest, String reason) {
      this(digest, reason, false);
    }
  }

  public boolean clean() {
    return damagedBlobs == 0;
  }
}
