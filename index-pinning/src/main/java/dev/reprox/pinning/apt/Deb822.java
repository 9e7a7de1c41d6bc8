package dev.reprox.pinning.apt;

import dev.reprox.pinning.IndexParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One deb822 stanza ("Field: value" lines, continuation lines starting with a space or tab) as
 * an ordered map from lower-cased field name to value; a multi-line value keeps its continuation
 * lines, each after a '\n', with the leading whitespace removed. Enough for Release files, which
 * are a single stanza; Packages files are parsed by the streaming {@link ListingParser} instead.
 */
final class Deb822 {
  private Deb822() {}

  static Map<String, String> parseStanza(String text, String what) throws IndexParseException {
    Map<String, String> fields = new LinkedHashMap<>();
    String current = null;
    StringBuilder value = null;
    int lineNo = 0;
    for (String line : text.split("\n", -1)) {
      lineNo++;
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.isBlank()) {
        if (current != null) {
          break; // a blank line ends the stanza; a Release file has one, so the rest is ignored
        }
        continue;
      }
      if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
        if (current == null) {
          throw new IndexParseException("parse " + what + ": continuation line " + lineNo + " before any field");
        }
        value.append('\n').append(line.strip());
        continue;
      }
      if (line.charAt(0) == '#') {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new IndexParseException("parse " + what + ": line " + lineNo + " is not 'Field: value'");
      }
      if (current != null) {
        fields.put(current, value.toString());
      }
      current = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      if (fields.containsKey(current)) {
        throw new IndexParseException("parse " + what + ": field " + line.substring(0, colon) + " repeated at line " + lineNo);
      }
      value = new StringBuilder(line.substring(colon + 1).strip());
    }
    if (current != null) {
      fields.put(current, value.toString());
    }
    if (fields.isEmpty()) {
      throw new IndexParseException("parse " + what + ": no fields");
    }
    return fields;
  }
}
