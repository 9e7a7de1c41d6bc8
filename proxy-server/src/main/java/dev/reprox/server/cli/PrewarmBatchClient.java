package dev.reprox.server.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.reprox.server.lock.LockEntry;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import javax.net.ssl.SSLSocketFactory;

/**
 * {@code reprox prewarm}'s side of the batch form of the admin prewarm route ({@code POST
 * /-/api/admin/prewarm?jobs=N}, docs/api.md): every lockfile entry a JSON line of one streamed
 * request body, every outcome a JSON line of the streamed answer, matched by line number. One
 * HTTP/1.1 exchange over a plain socket, the body written by the caller's thread while a reader
 * thread takes the answers: the client shares the CPU with the server it drives, and a request
 * per entry through {@code java.net.http} cost it more than the server's own work.
 *
 * <p>Memory stays flat: at most {@value #WINDOW} entries are sent and not yet answered (the
 * writer waits for answers beyond that), and the server reads no further ahead than it runs.
 * Whatever goes wrong (reprox unreachable, a refusal such as a wrong token, the connection lost
 * half-way), every entry still gets an answer for the summary, as one request per entry gave.
 */
final class PrewarmBatchClient {
  /** Entries sent and not yet answered; far more than the server runs at once, so it never waits for the client. */
  static final int WINDOW = 512;
  private static final int CHUNK = 8 * 1024;
  private static final int CONNECT_TIMEOUT_MS = 10_000;
  private static final JsonFactory JSON = new JsonFactory();

  /** Where the answers go, on the reader's thread (or the caller's, for an entry that cannot be sent). */
  interface Listener {
    void answered(LockEntry entry, PrewarmSummary.Row row, String message);
  }

  private final URI base;
  private final String token;
  private final Map<String, String> defaultRoots;
  private final int jobs;

  /** @param defaultRoots per repository, the root an entry without one is looked up under */
  PrewarmBatchClient(URI base, String token, Map<String, String> defaultRoots, int jobs) {
    this.base = base;
    this.token = token;
    this.defaultRoots = defaultRoots;
    this.jobs = jobs;
  }

  /** Opens the batch: connects and sends the request head; a failure is kept and answered per entry. */
  Batch open(Listener listener) {
    Batch b = new Batch(listener);
    b.open();
    return b;
  }

  /** One batch request: {@link #send} each entry, then {@link #finish}. Not thread-safe (one writer). */
  final class Batch {
    private final Listener listener;
    private final Map<Long, LockEntry> pending = new ConcurrentHashMap<>();
    private final Semaphore window = new Semaphore(WINDOW);
    private final ByteArrayOutputStream chunk = new ByteArrayOutputStream(CHUNK + 1024);
    private final StringBuilder line = new StringBuilder(256);
    private Socket socket;
    private OutputStream out;
    private InputStream in;
    private Thread reader;
    private long sent;
    /** Why entries cannot be answered by the server: set once, then every entry is answered with it. */
    private volatile Failure failure;

    private Batch(Listener listener) {
      this.listener = listener;
    }

    private void open() {
      try {
        String host = base.getHost();
        boolean tls = "https".equalsIgnoreCase(base.getScheme());
        int port = base.getPort() > 0 ? base.getPort() : tls ? 443 : 80;
        socket = tls ? SSLSocketFactory.getDefault().createSocket() : new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
        out = new java.io.BufferedOutputStream(socket.getOutputStream(), CHUNK + 64);
        in = new java.io.BufferedInputStream(socket.getInputStream(), 16 * 1024);
        String prefix = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/$", "");
        StringBuilder head = new StringBuilder()
            .append("POST ").append(prefix).append("/-/api/admin/prewarm?jobs=").append(jobs).append(" HTTP/1.1\r\n")
            .append("Host: ").append(host).append(base.getPort() > 0 ? ":" + base.getPort() : "").append("\r\n")
            .append("Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n");
        if (token != null && !token.isEmpty()) {
          head.append("Authorization: Bearer ").append(token).append("\r\n");
        }
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        // The token and the route are checked before any entry is sent: a refusal answers at once.
        socket.setSoTimeout(60_000);
        Response r = Response.read(in);
        if (r.status() != 100) {
          refused(r);
          return;
        }
        socket.setSoTimeout(0); // an entry may take as long as its package's download
        reader = new Thread(this::readAnswers, "reprox-prewarm-answers");
        reader.setDaemon(true);
        reader.start();
      } catch (IOException | RuntimeException e) {
        fail(new Failure(PrewarmSummary.Row.UPSTREAM_FAILURE, "cannot reach reprox at " + base + ": " + e.getMessage()));
      }
    }

    private void refused(Response r) throws IOException {
      String body = r.body(in, 16 * 1024).strip();
      fail(new Failure(r.status() == 404 ? PrewarmSummary.Row.NOT_FOUND : PrewarmSummary.Row.UPSTREAM_FAILURE,
          "reprox answered " + r.status() + ": " + body));
    }

    /** Sends one entry (or answers it with the batch's failure); waits while {@value #WINDOW} are unanswered. */
    void send(LockEntry e) throws InterruptedException {
      if (failure != null) {
        listener.answered(e, failure.row(), failure.message());
        return;
      }
      if (!window.tryAcquire()) {
        flushChunk(); // the server must have what it is to answer before we wait for its answers
        window.acquire();
      }
      long number = ++sent;
      pending.put(number, e);
      if (failure != null) {
        // Failed while we waited: the reader may have answered the pending ones already.
        if (pending.remove(number) != null) {
          listener.answered(e, failure.row(), failure.message());
        }
        return;
      }
      line.setLength(0);
      String root = e.root() != null ? e.root() : defaultRoots.getOrDefault(e.repo(), "dists/stable/InRelease");
      line.append("{\"repo\":");
      quote(e.repo());
      line.append(",\"root\":");
      quote(root);
      line.append(",\"at\":").append(e.at().getEpochSecond());
      if (e.named() != null) {
        field("name", e.named().name());
        field("version", e.named().version());
        field("arch", e.named().arch());
      } else {
        field("path", e.path());
      }
      field("generation", e.generation());
      field("sha256", e.sha256());
      field("q1", e.q1());
      if (e.size() >= 0) {
        line.append(",\"size\":").append(e.size());
      }
      line.append("}\n");
      byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
      chunk.write(bytes, 0, bytes.length);
      if (chunk.size() >= CHUNK) {
        flushChunk();
      }
    }

    /** Ends the body and waits for every answer; entries the server did not answer are answered as failed. */
    void finish() throws InterruptedException {
      if (failure == null && out != null) {
        flushChunk();
        try {
          out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
        } catch (IOException e) {
          lost(e);
        }
      }
      if (reader != null) {
        reader.join();
      }
      close();
    }

    private void close() {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // nothing more will be read or written
        }
      }
    }

    private void flushChunk() {
      if (chunk.size() == 0 || failure != null) {
        chunk.reset();
        return;
      }
      try {
        out.write((Integer.toHexString(chunk.size()) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        chunk.writeTo(out);
        out.write('\r');
        out.write('\n');
        out.flush();
      } catch (IOException e) {
        lost(e);
      } finally {
        chunk.reset();
      }
    }

    private void field(String name, String value) {
      if (value != null) {
        line.append(",\"").append(name).append("\":");
        quote(value);
      }
    }

    private void quote(String s) {
      line.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\') {
          line.append('\\').append(c);
        } else if (c < 0x20) {
          line.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
        } else {
          line.append(c);
        }
      }
      line.append('"');
    }

    /** The reader thread: the final answer, then one outcome a line until the answer ends. */
    private void readAnswers() {
      try {
        Response r = Response.read(in);
        if (r.status() != 200) {
          refused(r);
          return;
        }
        InputStream body = r.chunked() ? new Chunked(in) : in;
        ByteArrayOutputStream lineBytes = new ByteArrayOutputStream(512);
        for (int b; (b = body.read()) >= 0; ) {
          if (b != '\n') {
            lineBytes.write(b);
            continue;
          }
          answer(lineBytes.toByteArray());
          lineBytes.reset();
        }
        if (!pending.isEmpty()) {
          fail(new Failure(PrewarmSummary.Row.UPSTREAM_FAILURE, "reprox ended its answer without this entry's"));
        }
      } catch (IOException | RuntimeException e) {
        lost(e);
      }
    }

    private void answer(byte[] bytes) throws IOException {
      long number = -1;
      String outcome = null;
      String message = "";
      try (JsonParser p = JSON.createParser(bytes)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.getCurrentName();
          p.nextToken();
          switch (name) {
            case "line" -> number = p.getLongValue();
            case "outcome" -> outcome = p.getText();
            case "message" -> message = p.getText();
            default -> p.skipChildren();
          }
        }
      }
      LockEntry e = pending.remove(number);
      if (e == null) {
        return; // not an entry of ours: nothing to count
      }
      window.release();
      listener.answered(e, outcome == null ? PrewarmSummary.Row.UPSTREAM_FAILURE : PrewarmSummary.parse(outcome),
          outcome == null ? "reprox answered no outcome" : "bad_request".equals(outcome) ? "reprox refused the entry: "
              + message : message);
    }

    private void lost(Exception e) {
      fail(new Failure(PrewarmSummary.Row.UPSTREAM_FAILURE, "lost the connection to reprox at " + base + ": "
          + e.getMessage()));
      close();
    }

    /** Records the failure (the first one) and answers with it every entry sent and not answered. */
    private void fail(Failure f) {
      synchronized (this) {
        if (failure == null) {
          failure = f;
        }
      }
      for (Long number : pending.keySet()) {
        LockEntry e = pending.remove(number);
        if (e != null) {
          window.release();
          listener.answered(e, failure.row(), failure.message());
        }
      }
    }
  }

  private record Failure(PrewarmSummary.Row row, String message) {}

  /** A response's status line and the headers that say how its body is framed. */
  private record Response(int status, boolean chunked, long length) {
    static Response read(InputStream in) throws IOException {
      String status = line(in);
      String[] parts = status.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
        throw new IOException("not an HTTP answer: " + status);
      }
      boolean chunked = false;
      long length = -1;
      for (String h; !(h = line(in)).isEmpty(); ) {
        int colon = h.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = h.substring(colon + 1).trim();
        if (name.equals("transfer-encoding")) {
          chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        } else if (name.equals("content-length")) {
          length = Long.parseLong(value);
        }
      }
      return new Response(Integer.parseInt(parts[1]), chunked, length);
    }

    /** The body of a refusal, at most {@code max} bytes of it. */
    String body(InputStream in, int max) throws IOException {
      InputStream b = chunked ? new Chunked(in) : length >= 0 ? new Bounded(in, length) : in;
      return new String(b.readNBytes(max), StandardCharsets.UTF_8);
    }
  }

  /** One CRLF-terminated line, as Latin-1. */
  static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int b; (b = in.read()) != '\n'; ) {
      if (b < 0) {
        throw new EOFException("the connection closed");
      }
      if (sb.length() > 16 * 1024) {
        throw new IOException("an HTTP line over 16 KiB");
      }
      if (b != '\r') {
        sb.append((char) b);
      }
    }
    return sb.toString();
  }

  /** At most {@code length} bytes of {@code in}. */
  private static final class Bounded extends InputStream {
    private final InputStream in;
    private long left;

    Bounded(InputStream in, long length) {
      this.in = in;
      this.left = length;
    }

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
  }

  /** A chunked body (RFC 9112 7.1), decoded; the trailer section is read and dropped. */
  private static final class Chunked extends InputStream {
    private final InputStream in;
    private long left;
    private boolean done;

    Chunked(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      if (done) {
        return -1;
      }
      if (left == 0) {
        String size = line(in);
        int semi = size.indexOf(';');
        left = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
        if (left == 0) {
          while (!line(in).isEmpty()) {
            // trailers: none that matter
          }
          done = true;
          return -1;
        }
      }
      int b = in.read();
      if (b < 0) {
        throw new EOFException("the connection closed inside a chunk");
      }
      if (--left == 0) {
        line(in); // the chunk's CRLF
      }
      return b;
    }
  }
}
