package dev.reprox.pinning.apt;

import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The content of an apt Release file (or an InRelease's cleartext).
 *
 * @param fields every field, names lower-cased, multi-line values as in {@link Deb822}
 * @param publishedAt the {@code Date:} field
 * @param validUntil the {@code Valid-Until:} field, when present
 * @param suite the {@code Suite:} field, or empty
 * @param codename the {@code Codename:} field, or empty
 * @param acquireByHash {@code Acquire-By-Hash: yes}
 * @param files the {@code SHA256:} table, path relative to the Release's directory → the file with
 *     its SHA-256, size and the MD5/SHA-1/SHA-512 of the same path and size as aliases; paths that
 *     only weaker tables list are left out, because reprox (like apt) checks with SHA-256
 */
public record ReleaseFile(Map<String, String> fields, Instant publishedAt, Optional<Instant> validUntil,
    String suite, String codename, boolean acquireByHash, Map<String, ListedFile> files) {

  public ReleaseFile {
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
  }

  private record Row(String hex, long size) {}

  /** Parses Release bytes; any malformed input is an {@link IndexParseException}. */
  public static ReleaseFile parse(byte[] content) throws IndexParseException {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(content)).toString();
    } catch (CharacterCodingException e) {
      throw new IndexParseException("parse Release: not UTF-8 text", e);
    }
    Map<String, String> fields = Deb822.parseStanza(text, "Release");
    String date = fields.get("date");
    if (date == null) {
      throw new IndexParseException("parse Release: no Date field");
    }
    Instant publishedAt = ReleaseDates.parse("Date", date);
    Optional<Instant> validUntil = fields.containsKey("valid-until")
        ? Optional.of(ReleaseDates.parse("Valid-Until", fields.get("valid-until"))) : Optional.empty();
    Map<String, Row> md5 = table(fields, "MD5Sum", 32);
    Map<String, Row> sha1 = table(fields, "SHA1", 40);
    Map<String, Row> sha256 = table(fields, "SHA256", 64);
    Map<String, Row> sha512 = table(fields, "SHA512", 128);
    Map<String, ListedFile> files = new LinkedHashMap<>();
    for (Map.Entry<String, Row> e : sha256.entrySet()) {
      String path = e.getKey();
      long size = e.getValue().size();
      List<Alias> aliases = new ArrayList<>(3);
      addAlias(aliases, Alias.Kind.MD5, md5.get(path), size);
      addAlias(aliases, Alias.Kind.SHA1, sha1.get(path), size);
      addAlias(aliases, Alias.Kind.SHA512, sha512.get(path), size);
      files.put(path, new ListedFile(path, size, Digest.sha256(e.getValue().hex()), aliases));
    }
    return new ReleaseFile(fields, publishedAt, validUntil, fields.getOrDefault("suite", ""),
        fields.getOrDefault("codename", ""), "yes".equalsIgnoreCase(fields.get("acquire-by-hash")), files);
  }

  private static void addAlias(List<Alias> aliases, Alias.Kind kind, Row row, long size) {
    if (row != null && row.size() == size) {
      aliases.add(Alias.ofHex(kind, row.hex()));
    }
  }

  private static Map<String, Row> table(Map<String, String> fields, String name, int hexLength)
      throws IndexParseException {
    String value = fields.get(name.toLowerCase(Locale.ROOT));
    if (value == null) {
      return Map.of();
    }
    Map<String, Row> rows = new HashMap<>();
    for (String line : value.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] parts = line.strip().split("\\s+");
      if (parts.length != 3 || parts[0].length() != hexLength || !isHex(parts[0])) {
        throw new IndexParseException("parse Release " + name + " table: bad row \"" + line + "\"");
      }
      long size;
      try {
        size = Long.parseLong(parts[1]);
      } catch (NumberFormatException e) {
        throw new IndexParseException("parse Release " + name + " table: bad size in \"" + line + "\"", e);
      }
      if (size < 0) {
        throw new IndexParseException("parse Release " + name + " table: negative size in \"" + line + "\"");
      }
      rows.put(parts[2], new Row(parts[0].toLowerCase(Locale.ROOT), size));
    }
    return rows;
  }

  static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  }
}
