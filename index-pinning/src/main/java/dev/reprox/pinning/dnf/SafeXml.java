package dev.reprox.pinning.dnf;

import java.io.InputStream;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * StAX readers with DTDs and external entities off. rpm-md never uses a DOCTYPE, so one is refused
 * outright ({@link #refuseDtd}) rather than half-processed: no XXE, no entity expansion bombs.
 */
final class SafeXml {
  private static final XMLInputFactory FACTORY = factory();

  private SafeXml() {}

  private static XMLInputFactory factory() {
    XMLInputFactory f = XMLInputFactory.newDefaultFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    f.setProperty(XMLInputFactory.IS_COALESCING, true);
    return f;
  }

  static XMLStreamReader open(InputStream in) throws XMLStreamException {
    return FACTORY.createXMLStreamReader(in);
  }

  /** Throws when the reader stands on a DTD event. */
  static void refuseDtd(XMLStreamReader r) throws XMLStreamException {
    if (r.getEventType() == XMLStreamReader.DTD) {
      throw new XMLStreamException("DOCTYPE declarations are refused", r.getLocation());
    }
  }
}
