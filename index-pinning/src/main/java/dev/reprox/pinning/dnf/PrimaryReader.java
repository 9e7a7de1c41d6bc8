package dev.reprox.pinning.dnf;

import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Streams {@code primary.xml} with StAX, one {@code <package>} at a time: only the fields needed
 * to check a package are kept, so heap use does not grow with the file (the CentOS Stream 9
 * AppStream primary is 52 MB of XML). The stream may be gzip, xz, zstd, bzip2 or plain. As a
 * {@link ListingReader} it yields {@code <prefix><href>} with the pkgid checksum and size.
 * Not thread-safe.
 */
public final class PrimaryReader implements ListingReader {
  static final String NS = "http://linux.duke.edu/metadata/common";

  private final InputStream in;
  private final XMLStreamReader xml;
  private final String prefix;
  private final String what;
  private boolean rootSeen;

  private PrimaryReader(InputStream in, XMLStreamReader xml, String prefix, String what) {
    this.in = in;
    this.xml = xml;
    this.prefix = prefix;
    this.what = what;
  }

  /**
   * Opens a reader over {@code raw} (any supported compression); {@code prefix} goes before each
   * href in the listed files; {@code what} names the file in errors. The reader owns the stream.
   */
  public static PrimaryReader open(InputStream raw, String prefix, String what) throws IOException, IndexParseException {
    InputStream in = MetadataDecompression.open(raw);
    try {
      return new PrimaryReader(in, SafeXml.open(in), prefix, what);
    } catch (XMLStreamException e) {
      in.close();
      throw new IndexParseException("parse " + what + ": " + e.getMessage(), e);
    }
  }

  /** The next package, or null at the end of the document. */
  public PrimaryEntry nextEntry() throws IOException, IndexParseException {
    try {
      while (xml.hasNext()) {
        int event = xml.next();
        SafeXml.refuseDtd(xml);
        if (event != XMLStreamConstants.START_ELEMENT) {
          continue;
        }
        if (!rootSeen) {
          if (!NS.equals(xml.getNamespaceURI()) || !xml.getLocalName().equals("metadata")) {
            throw new IndexParseException("parse " + what + ": root element is " + xml.getLocalName() + ", not metadata");
          }
          rootSeen = true;
        } else if (NS.equals(xml.getNamespaceURI()) && xml.getLocalName().equals("package")) {
          return pkg();
        } else {
          Repomd.skip(xml);
        }
      }
      if (!rootSeen) {
        throw new IndexParseException("parse " + what + ": no metadata element");
      }
      return null;
    } catch (XMLStreamException | RuntimeException e) {
      throw new IndexParseException("parse " + what + ": " + e.getMessage(), e);
    }
  }

  /** Reads one {@code <package>}; the reader stands on its start and ends on its end. */
  private PrimaryEntry pkg() throws XMLStreamException, IndexParseException {
    int line = xml.getLocation().getLineNumber();
    String name = null;
    String arch = null;
    String evr = null;
    String href = null;
    RpmChecksum checksum = null;
    long size = -1;
    while (xml.nextTag() == XMLStreamConstants.START_ELEMENT) {
      if (!NS.equals(xml.getNamespaceURI())) {
        Repomd.skip(xml);
        continue;
      }
      switch (xml.getLocalName()) {
        case "name" -> name = xml.getElementText().strip();
        case "arch" -> arch = xml.getElementText().strip();
        case "version" -> {
          String epoch = xml.getAttributeValue(null, "epoch");
          evr = (epoch == null || epoch.equals("0") ? "" : epoch + ":") + xml.getAttributeValue(null, "ver") + "-"
              + xml.getAttributeValue(null, "rel");
          Repomd.skip(xml);
        }
        case "checksum" -> checksum = RpmChecksum.parse(xml.getAttributeValue(null, "type"), xml.getElementText(),
            "parse " + what + ": package at line " + line);
        case "size" -> {
          size = size(xml.getAttributeValue(null, "package"), line);
          Repomd.skip(xml);
        }
        case "location" -> {
          href = xml.getAttributeValue(null, "href");
          Repomd.skip(xml);
        }
        default -> Repomd.skip(xml);
      }
    }
    if (href == null || href.isEmpty() || checksum == null || size < 0) {
      throw new IndexParseException("parse " + what + ": package " + name + " at line " + line
          + " needs location href, checksum and size package");
    }
    if (href.startsWith("/") || href.contains("://") || List.of(href.split("/")).contains("..")) {
      throw new IndexParseException("parse " + what + ": package " + name + " location " + href + " leaves the repository");
    }
    return new PrimaryEntry(name, arch, evr, href, checksum, size);
  }

  private long size(String text, int line) throws IndexParseException {
    try {
      long v = text == null ? -1 : Long.parseLong(text.strip());
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IndexParseException("parse " + what + ": package at line " + line + " has size package=" + text);
  }

  @Override
  public ListedFile next() throws IOException, IndexParseException {
    PrimaryEntry e = nextEntry();
    if (e == null) {
      return null;
    }
    RpmChecksum c = e.checksum();
    return new ListedFile(prefix + e.href(), e.size(), c.sha256(), c.alias() == null ? List.of() : List.of(c.alias()));
  }

  @Override
  public void close() throws IOException {
    try {
      xml.close();
    } catch (XMLStreamException e) {
      // closing the stream below is what matters
    }
    in.close();
  }
}
