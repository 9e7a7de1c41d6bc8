package dev.reprox.storage.rocks;

import dev.reprox.storage.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.function.LongPredicate;

/**
 * The file tier: the bytes of a blob whose entry says "file" are one file, {@code
 * <store>/blob-files/xx/<id>}, xx the id's low byte in hex (256 directories, so a million blobs
 * make ~4k files a directory), id 16 hex digits. A file exists only while its id is marked in
 * progress ({@code open-writes}) or committed: created after the marker, deleted before the marker
 * goes (see {@link RocksBlobStore}); {@link #sweep} removes any other at open.
 */
final class BlobFiles {
  static final String DIR = dev.reprox.storage.StorageStats.BLOB_FILES_DIRECTORY;
  private static final int FAN_OUT = 256;

  private final Path root;

  BlobFiles(Path store) {
    this.root = store.resolve(DIR);
  }

  /** Creates the 256 directories once (a writable open), so a write never creates one. */
  void createDirectories() throws StorageException {
    try {
      if (Files.isDirectory(root.resolve(sub(FAN_OUT - 1)))) {
        return;
      }
      for (int i = 0; i < FAN_OUT; i++) {
        Files.createDirectories(root.resolve(sub(i)));
      }
      syncDirectory(root);
      syncDirectory(root.getParent());
    } catch (IOException e) {
      throw new StorageException("open: cannot create " + root + ": " + e.getMessage(), e);
    }
  }

  Path path(long id) {
    return root.resolve(sub((int) (id & 0xff))).resolve(HexFormat.of().toHexDigits(id));
  }

  private static String sub(int i) {
    return HexFormat.of().toHexDigits((byte) i);
  }

  /** A new file for write {@code id}; fails if one exists (ids are never reused). */
  FileChannel create(long id) throws StorageException {
    Path p = path(id);
    try {
      return FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new StorageException("write: cannot create blob file " + p + ": " + e.getMessage(), e);
    }
  }

  /** Makes the directory entry of {@code id}'s file durable (the file itself is forced by the writer). */
  void syncEntry(long id) throws StorageException {
    Path dir = path(id).getParent();
    try {
      syncDirectory(dir);
    } catch (IOException e) {
      throw new StorageException("commit: cannot sync directory " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** Deletes {@code id}'s file if there is one; returns whether there was. */
  boolean delete(long id) throws StorageException {
    Path p = path(id);
    try {
      return Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new StorageException("delete: cannot delete blob file " + p + ": " + e.getMessage(), e);
    }
  }

  /**
   * Deletes every file whose id {@code keep} rejects; returns how many. One directory listing per
   * fan-out directory and no stat per file: the cost of a readdir of every blob file, once per open.
   */
  long sweep(LongPredicate keep) throws StorageException {
    long deleted = 0;
    for (int i = 0; i < FAN_OUT; i++) {
      Path dir = root.resolve(sub(i));
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
        for (Path f : files) {
          long id = parse(f.getFileName().toString());
          if (id >= 0 && !keep.test(id)) {
            Files.deleteIfExists(f);
            deleted++;
          }
        }
      } catch (NoSuchFileException e) {
        // Not created yet (a store that never held a blob file).
      } catch (IOException e) {
        throw new StorageException("open: cannot sweep " + dir + ": " + e.getMessage(), e);
      }
    }
    return deleted;
  }

  /** The id a file name encodes, or -1 for a name the tier never writes (left alone). */
  private static long parse(String name) {
    if (name.length() != 16) {
      return -1;
    }
    try {
      return HexFormat.fromHexDigitsToLong(name);
    } catch (IllegalArgumentException e) {
      return -1;
    }
  }

  /** Test hook: how many blob files exist. */
  long count() throws StorageException {
    long[] n = new long[1];
    sweep(id -> {
      n[0]++;
      return true;
    });
    return n[0];
  }
}
