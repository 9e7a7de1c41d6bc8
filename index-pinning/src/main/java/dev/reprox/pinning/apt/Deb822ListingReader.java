package dev.reprox.pinning.apt;

import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Streams a Packages or Sources file stanza by stanza, looking only at the fields that name files
 * and their hashes. Packages: {@code Filename}, {@code Size}, {@code SHA256}, {@code SHA1},
 * {@code MD5sum}, {@code SHA512}. Sources: {@code Directory} plus the rows of
 * {@code Checksums-Sha256}, {@code Checksums-Sha1}, {@code Checksums-Sha512} and {@code Files}
 * (MD5). Memory is one line buffer plus one stanza's hashes.
 */
final class Deb822ListingReader implements ListingReader {
  private static final int MAX_LINE = 1 << 20;

  private enum Table { NONE, MD5, SHA1, SHA256, SHA512 }

  private final ByteLines lines;
  private final InputStream in;
  private final boolean sources;
  private final String name;
  private final ArrayDeque<ListedFile> ready = new ArrayDeque<>();
  private boolean done;

  // Current stanza.
  private long stanzaLine;
  private String filename;
  private String directory;
  private long size = -1;
  private final Map<Table, String> hashes = new HashMap<>();
  private Table table = Table.NONE;
  /** Sources rows: file name → (table → hex), and file name → size. */
  private final Map<String, Map<Table, String>> rowHashes = new HashMap<>();
  private final Map<String, Long> rowSizes = new HashMap<>();

  Deb822ListingReader(InputStream in, boolean sources, String name) {
    this.in = in;
    this.lines = new ByteLines(in, MAX_LINE);
    this.sources = sources;
    this.name = name;
  }

  @Override
  public ListedFile next() throws IOException, IndexParseException {
    while (ready.isEmpty() && !done) {
      boolean more;
      try {
        more = lines.next();
      } catch (IOException e) {
        // Decompressors throw bare EOFExceptions; name the operation and the file.
        throw new IOException("read " + name + " near line " + lines.number + ": " + e, e);
      }
      if (!more) {
        done = true;
        endStanza();
        break;
      }
      if (lines.isBlank()) {
        endStanza();
      } else if (lines.at(0) == ' ' || lines.at(0) == '\t') {
        if (table != Table.NONE) {
          row();
        }
      } else {
        field();
      }
    }
    return ready.poll();
  }

  private void field() throws IndexParseException {
    if (stanzaLine == 0) {
      stanzaLine = lines.number;
    }
    table = Table.NONE;
    if (sources) {
      if (lines.startsWithIgnoreCase("Directory:")) {
        directory = lines.string(10);
      } else if (lines.startsWithIgnoreCase("Checksums-Sha256:")) {
        table = Table.SHA256;
      } else if (lines.startsWithIgnoreCase("Checksums-Sha1:")) {
        table = Table.SHA1;
      } else if (lines.startsWithIgnoreCase("Checksums-Sha512:")) {
        table = Table.SHA512;
      } else if (lines.startsWithIgnoreCase("Files:")) {
        table = Table.MD5;
      }
      return;
    }
    if (lines.startsWithIgnoreCase("Filename:")) {
      filename = lines.string(9);
    } else if (lines.startsWithIgnoreCase("Size:")) {
      size = parseSize(lines.string(5));
    } else if (lines.startsWithIgnoreCase("SHA256:")) {
      hashes.put(Table.SHA256, hex(lines.string(7), 64));
    } else if (lines.startsWithIgnoreCase("SHA1:")) {
      hashes.put(Table.SHA1, hex(lines.string(5), 40));
    } else if (lines.startsWithIgnoreCase("MD5sum:")) {
      hashes.put(Table.MD5, hex(lines.string(7), 32));
    } else if (lines.startsWithIgnoreCase("SHA512:")) {
      hashes.put(Table.SHA512, hex(lines.string(7), 128));
    }
  }

  private void row() throws IndexParseException {
    String[] parts = lines.string(0).split("\\s+");
    if (parts.length != 3) {
      throw error("checksum row is not 'hash size name'");
    }
    int length = switch (table) {
      case MD5 -> 32;
      case SHA1 -> 40;
      case SHA256 -> 64;
      default -> 128;
    };
    rowHashes.computeIfAbsent(parts[2], k -> new HashMap<>()).put(table, hex(parts[0], length));
    long s = parseSize(parts[1]);
    Long previous = rowSizes.putIfAbsent(parts[2], s);
    if (previous != null && previous != s) {
      throw error("file " + parts[2] + " listed with sizes " + previous + " and " + s);
    }
  }

  private void endStanza() throws IndexParseException {
    if (sources) {
      if (!rowSizes.isEmpty()) {
        if (directory == null) {
          throw error("Sources stanza without Directory");
        }
        for (Map.Entry<String, Long> e : rowSizes.entrySet()) {
          ready.add(file(directory + "/" + e.getKey(), e.getValue(), rowHashes.get(e.getKey())));
        }
      }
    } else if (filename != null) {
      if (size < 0) {
        throw error("stanza for " + filename + " has no Size");
      }
      ready.add(file(filename, size, hashes));
    }
    stanzaLine = 0;
    filename = null;
    directory = null;
    size = -1;
    hashes.clear();
    table = Table.NONE;
    rowHashes.clear();
    rowSizes.clear();
  }

  private ListedFile file(String listedPath, long fileSize, Map<Table, String> h) throws IndexParseException {
    String path = listedPath;
    while (path.startsWith("./")) {
      path = path.substring(2); // flat repositories write "./foo.deb"; the request path has no "./"
    }
    if (path.isEmpty() || path.startsWith("/") || ("/" + path + "/").contains("/../")) {
      throw error("unsafe path \"" + path + "\"");
    }
    List<Alias> aliases = new ArrayList<>(3);
    if (h.containsKey(Table.SHA1)) {
      aliases.add(Alias.ofHex(Alias.Kind.SHA1, h.get(Table.SHA1)));
    }
    if (h.containsKey(Table.SHA512)) {
      aliases.add(Alias.ofHex(Alias.Kind.SHA512, h.get(Table.SHA512)));
    }
    if (h.containsKey(Table.MD5)) {
      aliases.add(Alias.ofHex(Alias.Kind.MD5, h.get(Table.MD5)));
    }
    String sha256 = h.get(Table.SHA256);
    if (sha256 == null && aliases.isEmpty()) {
      throw error("no checksum for " + path);
    }
    return new ListedFile(path, fileSize, sha256 == null ? null : Digest.sha256(sha256), aliases);
  }

  private long parseSize(String s) throws IndexParseException {
    try {
      long v = Long.parseLong(s);
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw error("bad size \"" + s + "\"");
  }

  private String hex(String s, int length) throws IndexParseException {
    if (s.length() != length || !ReleaseFile.isHex(s)) {
      throw error("bad checksum \"" + s + "\"");
    }
    return s;
  }

  private IndexParseException error(String why) {
    long at = stanzaLine == 0 ? lines.number : stanzaLine;
    return new IndexParseException("parse " + name + ": " + why + " (stanza at line " + at + ")");
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
