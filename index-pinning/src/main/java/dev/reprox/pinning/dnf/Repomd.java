package dev.reprox.pinning.dnf;

import dev.reprox.pinning.IndexParseException;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * A parsed {@code repodata/repomd.xml}. Parse with {@link #parse}; verify its detached signature
 * with {@link RepomdVerifier}. Immutable.
 *
 * @param revision the {@code <revision>} text, or empty when absent
 * @param entries the {@code <data>} elements in document order
 */
public record Repomd(String revision, List<RepomdEntry> entries) {
  static final String NS = "http://linux.duke.edu/metadata/repo";
  /** Revisions and timestamps before this are not publication times (a revision like {@code 8}). */
  private static final Instant PLAUSIBLE_AFTER = Instant.parse("2000-01-01T00:00:00Z");
  /** Far enough ahead to refuse a revision that is a version number or a date in another format. */
  private static final Instant PLAUSIBLE_BEFORE = Instant.parse("2200-01-01T00:00:00Z");

  public Repomd {
    entries = List.copyOf(entries);
  }

  /** The first entry of {@code type}, e.g. {@code primary}. */
  public Optional<RepomdEntry> entry(String type) {
    return entries.stream().filter(e -> e.type().equals(type)).findFirst();
  }

  /**
   * The publication time: {@code <revision>} when it is a plausible Unix time (createrepo_c's
   * default), else the greatest {@code <timestamp>}; empty when neither exists.
   */
  public Optional<Instant> publishedAt() {
    Optional<Instant> fromRevision = plausibleEpoch(revision);
    if (fromRevision.isPresent()) {
      return fromRevision;
    }
    return entries.stream().flatMap(e -> e.timestamp().stream()).max(Comparator.naturalOrder());
  }

  /** Parses {@code xml}; {@code what} names it in errors (repository and path). */
  public static Repomd parse(byte[] xml, String what) throws IndexParseException {
    try {
      XMLStreamReader r = SafeXml.open(new ByteArrayInputStream(xml));
      try {
        return read(r, what);
      } finally {
        r.close();
      }
    } catch (XMLStreamException | RuntimeException e) {
      throw new IndexParseException("parse " + what + ": " + e.getMessage(), e);
    }
  }

  private static Repomd read(XMLStreamReader r, String what) throws XMLStreamException, IndexParseException {
    String revision = "";
    List<RepomdEntry> entries = new ArrayList<>();
    boolean root = false;
    while (r.hasNext()) {
      int event = r.next();
      SafeXml.refuseDtd(r);
      if (event != XMLStreamConstants.START_ELEMENT) {
        continue;
      }
      if (!root) {
        if (!NS.equals(r.getNamespaceURI()) || !r.getLocalName().equals("repomd")) {
          throw new IndexParseException("parse " + what + ": root element is {" + r.getNamespaceURI() + "}"
              + r.getLocalName() + ", not repomd");
        }
        root = true;
      } else if (NS.equals(r.getNamespaceURI()) && r.getLocalName().equals("revision")) {
        revision = r.getElementText().strip();
      } else if (NS.equals(r.getNamespaceURI()) && r.getLocalName().equals("data")) {
        entries.add(data(r, what));
      }
    }
    if (!root) {
      throw new IndexParseException("parse " + what + ": no repomd element");
    }
    return new Repomd(revision, entries);
  }

  /** Reads one {@code <data>} element; the reader stands on its start and ends on its end. */
  private static RepomdEntry data(XMLStreamReader r, String what) throws XMLStreamException, IndexParseException {
    String type = r.getAttributeValue(null, "type");
    String where = "parse " + what + ": data " + type;
    if (type == null) {
      throw new IndexParseException("parse " + what + ": data element without type");
    }
    RpmChecksum checksum = null;
    RpmChecksum open = null;
    String href = null;
    long size = -1;
    long openSize = -1;
    Instant timestamp = null;
    while (r.nextTag() == XMLStreamConstants.START_ELEMENT) {
      String name = r.getLocalName();
      switch (name) {
        case "checksum" -> checksum = RpmChecksum.parse(r.getAttributeValue(null, "type"), r.getElementText(), where);
        case "open-checksum" -> open = RpmChecksum.parse(r.getAttributeValue(null, "type"), r.getElementText(), where);
        case "location" -> {
          href = r.getAttributeValue(null, "href");
          skip(r);
        }
        case "size" -> size = number(r.getElementText(), where + " size");
        case "open-size" -> openSize = number(r.getElementText(), where + " open-size");
        case "timestamp" -> timestamp = Instant.ofEpochSecond(number(r.getElementText(), where + " timestamp"));
        default -> skip(r);
      }
    }
    if (checksum == null || href == null || href.isEmpty() || size < 0) {
      throw new IndexParseException(where + ": needs checksum, location href and size");
    }
    if (href.startsWith("/") || href.contains("://") || List.of(href.split("/")).contains("..")) {
      throw new IndexParseException(where + ": location " + href + " leaves the repository");
    }
    return new RepomdEntry(type, href, checksum, size, Optional.ofNullable(open), openSize, Optional.ofNullable(timestamp));
  }

  /** Skips the element the reader stands on, children included. */
  static void skip(XMLStreamReader r) throws XMLStreamException {
    int depth = 1;
    while (depth > 0) {
      int event = r.next();
      if (event == XMLStreamConstants.START_ELEMENT) {
        depth++;
      } else if (event == XMLStreamConstants.END_ELEMENT) {
        depth--;
      }
    }
  }

  private static long number(String text, String where) throws IndexParseException {
    try {
      long v = Long.parseLong(text.strip());
      if (v < 0) {
        throw new NumberFormatException("negative");
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IndexParseException(where + " is not a number: " + text.strip());
    }
  }

  private static Optional<Instant> plausibleEpoch(String text) {
    if (text.isEmpty() || text.length() > 12 || !text.chars().allMatch(Character::isDigit)) {
      return Optional.empty();
    }
    Instant t = Instant.ofEpochSecond(Long.parseLong(text));
    return t.isBefore(PLAUSIBLE_AFTER) || t.isAfter(PLAUSIBLE_BEFORE) ? Optional.empty() : Optional.of(t);
  }
}
