package dev.reprox.pinning.pgp;

import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.pinning.SignatureInvalidException.Kind;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The parts of a clearsigned file (RFC 4880 §7): the cleartext as published, the exact bytes that
 * were signed, and the armored signature block. Parsed here rather than with Bouncy Castle's
 * armored reader so that dash-escaping, trailing whitespace and the final line ending are handled
 * in one visible place: the signed text is every cleartext line with its trailing spaces and tabs
 * removed, joined by CRLF, without the line ending that precedes the signature armor.
 */
record ClearsignedMessage(byte[] cleartext, byte[] signedText, byte[] signatureBlock) {
  private static final String BEGIN_MESSAGE = "-----BEGIN PGP SIGNED MESSAGE-----";
  private static final String BEGIN_SIGNATURE = "-----BEGIN PGP SIGNATURE-----";
  private static final String END_SIGNATURE = "-----END PGP SIGNATURE-----";

  static ClearsignedMessage parse(byte[] file) throws SignatureInvalidException {
    Lines lines = new Lines(file);
    if (!lines.next() || !lines.trimmedEquals(BEGIN_MESSAGE)) {
      throw malformed("does not start with " + BEGIN_MESSAGE);
    }
    while (true) { // armor headers ("Hash: SHA512") up to an empty line
      if (!lines.next()) {
        throw malformed("no empty line after the armor headers");
      }
      if (lines.trimmedLength() == 0) {
        break;
      }
      if (lines.indexOf(':') < 0) {
        throw malformed("bad armor header at line " + lines.number);
      }
    }
    ByteArrayOutputStream cleartext = new ByteArrayOutputStream(file.length);
    ByteArrayOutputStream signed = new ByteArrayOutputStream(file.length);
    boolean first = true;
    while (true) {
      if (!lines.next()) {
        throw malformed("no " + BEGIN_SIGNATURE + " line");
      }
      if (lines.trimmedEquals(BEGIN_SIGNATURE)) {
        break;
      }
      int from = lines.start;
      if (file[from] == '-' ) {
        if (lines.end - from < 2 || file[from + 1] != ' ') {
          throw malformed("line " + lines.number + " starts with a dash but is not dash-escaped");
        }
        from += 2;
      }
      cleartext.write(file, from, lines.next - from);
      if (!first) {
        signed.write('\r');
        signed.write('\n');
      }
      first = false;
      signed.write(file, from, Math.max(0, lines.trimmedEnd() - from));
    }
    int blockStart = lines.start;
    while (true) {
      if (!lines.next()) {
        throw malformed("no " + END_SIGNATURE + " line (truncated signature?)");
      }
      if (lines.trimmedEquals(END_SIGNATURE)) {
        break;
      }
    }
    int blockEnd = lines.next;
    for (int i = blockEnd; i < file.length; i++) {
      if (!isSpace(file[i]) && file[i] != '\r' && file[i] != '\n') {
        throw malformed("data after " + END_SIGNATURE);
      }
    }
    return new ClearsignedMessage(cleartext.toByteArray(), signed.toByteArray(),
        Arrays.copyOfRange(file, blockStart, blockEnd));
  }

  private static SignatureInvalidException malformed(String why) {
    return new SignatureInvalidException(Kind.MALFORMED, "parse clearsigned file: " + why);
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t';
  }

  /** A cursor over LF-terminated lines; {@code end} excludes the LF, {@code next} is after it. */
  private static final class Lines {
    private final byte[] b;
    int start;
    int end;
    int next;
    int number;

    Lines(byte[] b) {
      this.b = b;
    }

    boolean next() {
      if (next >= b.length) {
        return false;
      }
      start = next;
      int i = start;
      while (i < b.length && b[i] != '\n') {
        i++;
      }
      end = i;
      next = i < b.length ? i + 1 : i;
      number++;
      return true;
    }

    /** End of the line without trailing CR, spaces and tabs. */
    int trimmedEnd() {
      int e = end;
      while (e > start && (b[e - 1] == '\r' || isSpace(b[e - 1]))) {
        e--;
      }
      return e;
    }

    int trimmedLength() {
      return trimmedEnd() - start;
    }

    boolean trimmedEquals(String s) {
      byte[] want = s.getBytes(StandardCharsets.US_ASCII);
      return trimmedLength() == want.length && Arrays.equals(b, start, start + want.length, want, 0, want.length);
    }

    int indexOf(char c) {
      for (int i = start; i < end; i++) {
        if (b[i] == c) {
          return i;
        }
      }
      return -1;
    }
  }
}
