package dev.reprox.storage.shared;

import dev.reprox.storage.Digest;
import dev.reprox.storage.StorageException;
import dev.reprox.storage.StorageUnavailableException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The blobs' bytes in one bucket under content-addressed keys {@code blobs/sha256/ab/<hex>}. Only
 * files whose digest was verified are uploaded, and the database row that makes a blob visible is
 * written after the upload completed, so the bucket never exposes a partial or unverified blob:
 * small blobs go up in one conditional PUT ({@code If-None-Match: *}; a 412 means the same bytes
 * are there already), large ones by multipart upload, whose object appears only on completion.
 */
final class S3Objects {
  private final S3Client s3;
  private final String bucket;
  private final long multipartThreshold;
  private final long partSize;
  /**
   * Set when a call found the store unreachable, cleared by a probe that reaches it: while set, a
   * new write asks {@link #checkReachable} first, so a fill is refused (503) before its response
   * starts instead of being cut at commit, when its upload fails.
   */
  private volatile StorageUnavailableException down;
  private volatile long probedAt;

  S3Objects(S3Client s3, String bucket, long multipartThreshold, long partSize) {
    this.s3 = s3;
    this.bucket = bucket;
    this.multipartThreshold = multipartThreshold;
    this.partSize = partSize;
  }

  static String key(Digest digest) {
    String hex = digest.hex();
    return "blobs/sha256/" + hex.substring(0, 2) + "/" + hex;
  }

  /** Creates the bucket when it is missing; a clear error when the credentials may not. */
  void ensureBucket() throws StorageException {
    try {
      s3.headBucket(b -> b.bucket(bucket));
      return;
    } catch (NoSuchBucketException e) {
      // create it below
    } catch (S3Exception e) {
      if (e.statusCode() != 404) {
        throw new StorageException("s3: bucket " + bucket + " is not usable with these credentials (HTTP "
            + e.statusCode() + "): " + e.awsErrorDetails().errorMessage(), e);
      }
    } catch (SdkException e) {
      throw new StorageException("s3: cannot reach the object store for bucket " + bucket + ": " + e.getMessage(), e);
    }
    try {
      s3.createBucket(b -> b.bucket(bucket));
    } catch (S3Exception e) {
      if (e.statusCode() == 409) {
        return; // another replica created it meanwhile
      }
      throw new StorageException("s3: bucket " + bucket + " is missing and these credentials may not create it (HTTP "
          + e.statusCode() + "): " + e.awsErrorDetails().errorMessage(), e);
    } catch (SdkException e) {
      throw new StorageException("s3: create bucket " + bucket + ": " + e.getMessage(), e);
    }
  }

  /** Probes a store last seen unreachable (HEAD of the bucket, at most once a second); throws while it still is. */
  void checkReachable() throws StorageUnavailableException {
    StorageUnavailableException last = down;
    if (last == null) {
      return;
    }
    long now = System.nanoTime();
    if (now - probedAt < PROBE_EVERY_NANOS) {
      throw last;
    }
    probedAt = now;
    try {
      s3.headBucket(b -> b.bucket(bucket));
      down = null;
    } catch (SdkException e) {
      if (e instanceof S3Exception s && s.statusCode() < 500) {
        down = null; // it answers: whatever is wrong, the write will say
        return;
      }
      StorageUnavailableException still = new StorageUnavailableException("s3 bucket " + bucket
          + ": object store (S3) unavailable: " + e.getMessage(), e);
      down = still;
      throw still;
    }
  }

  private static final long PROBE_EVERY_NANOS = 1_000_000_000L;

  /**
   * A HEAD of the bucket now, for {@link Health}: throws while the store cannot be reached (it then
   * counts as down for writes too), and clears the write guard once it answers. An answer of any
   * kind below 500 means it is up (whatever else is wrong, the next call says).
   */
  void probe() throws StorageUnavailableException {
    try {
      s3.headBucket(b -> b.bucket(bucket));
      reached();
    } catch (SdkException e) {
      if (e instanceof S3Exception s && s.statusCode() < 500) {
        reached();
        return;
      }
      throw unavailable(new StorageUnavailableException("s3 bucket " + bucket + ": object store (S3) unavailable: "
          + e.getMessage(), e));
    }
  }

  /**
   * A call just reached the store: writes need no probe any more. Without this a write right
   * after the store came back (within the probe interval) was refused although a read had just
   * been served from it.
   */
  private void reached() {
    if (down != null) {
      down = null;
    }
  }

  boolean exists(Digest digest) throws StorageException {
    try {
      s3.headObject(b -> b.bucket(bucket).key(key(digest)));
      reached();
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw failure("head", digest, e);
    } catch (SdkException e) {
      throw failure("head", digest, e);
    }
  }

  /** Uploads {@code file} (verified to hash to {@code digest}) as the blob's object. */
  void upload(Digest digest, Path file, long size) throws StorageException {
    try {
      if (size <= multipartThreshold) {
        try {
          s3.putObject(b -> b.bucket(bucket).key(key(digest)).ifNoneMatch("*").contentLength(size),
              RequestBody.fromFile(file));
        } catch (S3Exception e) {
          if (e.statusCode() != 412) {
            throw e;
          }
          // Precondition failed: the object exists, and its key is its content's digest.
        }
        return;
      }
      if (exists(digest)) {
        return;
      }
      multipart(digest, file, size);
    } catch (SdkException e) {
      throw failure("upload", digest, e);
    }
  }

  private void multipart(Digest digest, Path file, long size) {
    String key = key(digest);
    String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
    try {
      List<CompletedPart> parts = new ArrayList<>();
      int number = 1;
      for (long offset = 0; offset < size; offset += partSize, number++) {
        long length = Math.min(partSize, size - offset);
        long from = offset;
        int n = number;
        // A provider, not a stream: the SDK may read the part twice (signing, then sending).
        RequestBody body = RequestBody.fromContentProvider(() -> slice(file, from, length), length,
            "application/octet-stream");
        String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(n)
            .contentLength(length), body).eTag();
        parts.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
      }
      s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
          .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
    } catch (RuntimeException e) {
      try {
        s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
      } catch (RuntimeException abort) {
        e.addSuppressed(abort);
      }
      throw e;
    }
  }

  private static InputStream slice(Path file, long offset, long length) {
    try {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
      ch.position(offset);
      InputStream in = Channels.newInputStream(ch);
      return new InputStream() {
        private long left = length;

        @Override
        public int read() throws IOException {
          if (left <= 0) {
            return -1;
          }
          int b = in.read();
          if (b >= 0) {
            left--;
          }
          return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
          if (left <= 0) {
            return -1;
          }
          int n = in.read(buf, off, (int) Math.min(len, left));
          if (n > 0) {
            left -= n;
          }
          return n;
        }

        @Override
        public void close() throws IOException {
          in.close();
        }
      };
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("s3 upload: open " + file, e);
    }
  }

  /**
   * The whole object, streamed; null when it is absent. A read that fails part way (the object
   * store went away mid-transfer) throws {@link StorageUnavailableException}, as a GET that could
   * not start does.
   */
  InputStream get(Digest digest) throws StorageException {
    ResponseInputStream<GetObjectResponse> in;
    try {
      in = s3.getObject(b -> b.bucket(bucket).key(key(digest)));
      reached();
    } catch (NoSuchKeyException e) {
      reached();
      return null;
    } catch (SdkException e) {
      throw failure("get", digest, e);
    }
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        try {
          return super.read();
        } catch (StorageException e) {
          throw e;
        } catch (IOException | SdkException e) {
          throw interrupted(digest, e);
        }
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          return super.read(b, off, len);
        } catch (StorageException e) {
          throw e;
        } catch (IOException | SdkException e) {
          throw interrupted(digest, e);
        }
      }
    };
  }

  private StorageUnavailableException interrupted(Digest digest, Exception e) {
    return unavailable(new StorageUnavailableException("s3 get " + digest + " in bucket " + bucket
        + ": object store (S3) unavailable (the transfer broke off): " + e.getMessage(), e));
  }

  private StorageUnavailableException unavailable(StorageUnavailableException e) {
    if (down == null) {
      probedAt = System.nanoTime();
    }
    down = e;
    return e;
  }

  /** {@code length} bytes at {@code offset}: a ranged GET. */
  ResponseInputStream<GetObjectResponse> getRange(Digest digest, long offset, long length) throws StorageException {
    try {
      return s3.getObject(b -> b.bucket(bucket).key(key(digest)).range("bytes=" + offset + "-" + (offset + length - 1)));
    } catch (SdkException e) {
      throw failure("ranged get", digest, e);
    }
  }

  void delete(Digest digest) throws StorageException {
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(key(digest)));
    } catch (SdkException e) {
      throw failure("delete", digest, e);
    }
  }

  /** A blob object in the bucket: its digest (from its key) and when it was written. */
  record Listed(Digest digest, java.time.Instant lastModified) {}

  /**
   * Every blob object in the bucket, page by page (1,000 keys a request); keys that are not a blob's
   * ({@link #key}) are skipped.
   */
  void forEachObject(java.util.function.Consumer<Listed> each) throws StorageException {
    try {
      for (var o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix("blobs/sha256/")).contents()) {
        String hex = o.key().substring(o.key().lastIndexOf('/') + 1);
        if (hex.length() == 64 && hex.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)
            && o.key().equals("blobs/sha256/" + hex.substring(0, 2) + "/" + hex)) {
          each.accept(new Listed(Digest.sha256(hex), o.lastModified()));
        }
      }
    } catch (SdkException e) {
      throw failure("list", null, e);
    }
  }

  /** Test hook: replaces an object's bytes behind the store's back. */
  void overwrite(Digest digest, byte[] bytes) {
    s3.putObject(b -> b.bucket(bucket).key(key(digest)), RequestBody.fromBytes(bytes));
  }

  /**
   * A store that cannot be reached (connection refused or broken, timed out) or that answers 5xx
   * (503 Slow Down, a restarting gateway) is {@link StorageUnavailableException}: 503 naming the
   * object store, and the same call works once it is back. A 4xx (credentials, a missing bucket) is
   * a plain storage failure that waiting does not fix.
   */
  private StorageException failure(String op, Digest digest, Exception e) {
    String what = "s3 " + op + (digest == null ? "" : " " + digest) + " in bucket " + bucket;
    boolean unavailable = e instanceof S3Exception s ? s.statusCode() >= 500
        : e instanceof SdkClientException;
    return unavailable
        ? unavailable(new StorageUnavailableException(what + ": object store (S3) unavailable: " + e.getMessage(), e))
        : new StorageException(what + ": " + e.getMessage(), e);
  }
}
