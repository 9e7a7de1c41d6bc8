package dev.reprox.server.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, so requests reach reprox exactly as written (no client-side
 * normalisation of paths, headers or framing), and a reader that parses the responses the server
 * sends back one after another, noting whether the server closed the connection afterwards.
 */
final class RawHttp {
  private RawHttp() {}

  record Response(int status, Map<String, String> headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** Every response read before the server closed or went quiet, and whether it closed. */
  record Exchange(List<Response> responses, boolean closedByServer) {}

  static Exchange send(String host, int port, byte[] request, int quietMillis) throws IOException {
    try (Socket socket = new Socket(host, port)) {
      socket.setSoTimeout(quietMillis);
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      return readAll(socket.getInputStream());
    }
  }

  static Exchange send(String host, int port, String request, int quietMillis) throws IOException {
    return send(host, port, request.getBytes(StandardCharsets.ISO_8859_1), quietMillis);
  }

  /** Reads exactly one response (the connection stays open unless the server closes it). */
  static Response readOne(InputStream in) throws IOException {
    String statusLine = line(in);
    if (statusLine == null) {
      throw new IOException("connection closed before a response");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (String h; !(h = line(in)).isEmpty(); ) {
      int colon = h.indexOf(':');
      headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
    }
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    byte[] body = headers.containsKey("content-length")
        ? in.readNBytes(Integer.parseInt(headers.get("content-length")))
        : "chunked".equalsIgnoreCase(headers.get("transfer-encoding")) ? chunked(in) : in.readAllBytes();
    return new Response(status, headers, body);
  }

  /** Reads responses until the server closes (closed) or sends nothing for the socket timeout. */
  static Exchange readAll(InputStream in) throws IOException {
    List<Response> responses = new ArrayList<>();
    try {
      while (true) {
        String statusLine = line(in);
        if (statusLine == null) {
          return new Exchange(responses, true);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h; !(h = line(in)).isEmpty(); ) {
          int colon = h.indexOf(':');
          headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        byte[] body;
        if (headers.containsKey("content-length")) {
          body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
          body = chunked(in);
        } else {
          body = in.readAllBytes();
        }
        responses.add(new Response(status, headers, body));
        if ("close".equalsIgnoreCase(headers.get("connection"))) {
          return new Exchange(responses, in.read() < 0);
        }
      }
    } catch (SocketTimeoutException e) {
      return new Exchange(responses, false);
    } catch (java.net.SocketException e) {
      return new Exchange(responses, true); // reset by the server counts as closing
    }
  }

  private static byte[] chunked(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
      if (size == 0) {
        while (!line(in).isEmpty()) {
          // trailers
        }
        return out.toByteArray();
      }
      out.write(in.readNBytes(size));
      line(in);
    }
  }

  /** One CRLF-terminated line, or null at the end of the stream before any byte. */
  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c; (c = in.read()) >= 0; ) {
      if (c == '\n') {
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(c);
    }
    if (b.size() == 0) {
      return null;
    }
    throw new IOException("connection closed inside a line: " + b.toString(StandardCharsets.ISO_8859_1));
  }
}
