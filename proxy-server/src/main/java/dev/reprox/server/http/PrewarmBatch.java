package dev.reprox.server.http;

import static dev.reprox.server.LogSafe.escape;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reprox.server.fetch.FetchException.Kind;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /-/api/admin/prewarm[/<repo>][?jobs=N]} with a body of JSON lines (issue 11,
 * {@code reprox prewarm --server}): one lockfile entry a line, with the single form's fields
 * ({@link PrewarmEntry}), run at most {@code jobs} at once; the answer is a 200 whose body streams
 * one JSON line per entry as each completes ({@code line}, {@code repo}, {@code entry}, then the
 * single form's {@code outcome}, {@code message}, {@code generation}). A line that is not an entry
 * is answered {@code bad_request} naming its line; the batch goes on.
 *
 * <p>Memory stays flat in the number of entries: the body is read through a {@link BundleUpload}
 * of {@value #READ_AHEAD} bytes (socket reads stop while the reader is that far ahead), and the
 * reader takes the next line only while fewer than {@code jobs} entries run and fewer than {@value
 * #MAX_UNFLUSHED} answer bytes wait for the socket (a client that stops reading stops the batch).
 * The reader is a worker thread; the event loop only moves bytes. A connection that closes stops
 * the batch: the entries not started are dropped, the running ones end as they would (a fill
 * commits whole or not at all).
 */
final class PrewarmBatch {
  /** Entries at once when the request names no {@code jobs}, as {@code reprox prewarm --jobs}. */
  static final int DEFAULT_JOBS = 4;
  /** The server's cap on {@code jobs}: upstream politeness is the fetcher's, this bounds one client's share. */
  static final int MAX_JOBS = 64;
  /** Batches at once; each holds a worker thread while it runs. */
  static final int MAX_BATCHES = 8;
  static final int MAX_LINE = 64 * 1024;
  static final long READ_AHEAD = 64 * 1024;
  static final long MAX_UNFLUSHED = 256 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(AdminActions.class);

  private final ServingContext sc;
  private final Executor worker;
  private final AtomicInteger batches = new AtomicInteger();

  PrewarmBatch(ServingContext sc, Executor worker) {
    this.sc = sc;
    this.worker = worker;
  }

  /**
   * Event loop: checks what can be checked before the body is read (the token was, by {@link
   * AdminRoute}), then hands the body to a worker. {@code repo}: the path's repository, the lines'
   * default, or null when each line names its own.
   */
  void start(Exchange ex, ChannelHandlerContext ctx, String repo) {
    if (repo != null) {
      ex.repository = repo;
    }
    if (sc.fetchers == null || (repo != null && !sc.config.repositories().containsKey(repo))) {
      ex.reply(RepositoryApi.error(Kind.NOT_FOUND, sc.fetchers == null ? "admin prewarm: this server has no store"
          : "admin prewarm: unknown repository \"" + repo + "\"", ex.head), "not_found", true);
      return;
    }
    int jobs;
    try {
      List<String> j = new QueryStringDecoder(ex.request.uri()).parameters().get("jobs");
      jobs = j == null ? DEFAULT_JOBS : Math.min(MAX_JOBS, Integer.parseInt(j.get(0)));
      if (jobs < 1) {
        throw new NumberFormatException(j.get(0));
      }
    } catch (NumberFormatException e) {
      ex.reply(RepositoryApi.error(Kind.BAD_REQUEST, "admin prewarm: jobs must be a positive number",
          ex.head), "bad_request", true);
      return;
    }
    if (batches.incrementAndGet() > MAX_BATCHES) {
      batches.decrementAndGet();
      ex.reply(RepositoryApi.error(Kind.OVERLOADED, "admin prewarm: " + MAX_BATCHES + " batches are running",
          ex.head), "overloaded", true);
      return;
    }
    BundleUpload upload = new BundleUpload(ctx, READ_AHEAD);
    ex.upload = upload;
    if (HttpUtil.is100ContinueExpected(ex.request)) {
      ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
          Unpooled.EMPTY_BUFFER));
    }
    Run run = new Run(ex, ctx, upload, repo, jobs);
    try {
      worker.execute(run::run);
    } catch (RejectedExecutionException e) {
      batches.decrementAndGet();
      ex.upload = null;
      upload.close();
      ex.reply(RepositoryApi.error(Kind.OVERLOADED, "server busy", ex.head), "overloaded", true);
      return;
    }
    upload.start();
  }

  /** One batch, on its worker thread; the fields under this object's monitor are shared with completions. */
  private final class Run {
    private final Exchange ex;
    private final ChannelHandlerContext ctx;
    private final BundleUpload upload;
    private final String repo;
    private final int jobs;
    private final long startNanos = System.nanoTime();
    private int running;
    private long unflushed;
    private long written;
    private boolean cut;
    private long entries;
    private long stored;

    Run(Exchange ex, ChannelHandlerContext ctx, BundleUpload upload, String repo, int jobs) {
      this.ex = ex;
      this.ctx = ctx;
      this.upload = upload;
      this.repo = repo;
      this.jobs = jobs;
    }

    void run() {
      try {
        ctx.channel().closeFuture().addListener(f -> cut());
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-ndjson");
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        ctx.writeAndFlush(head);
        ctx.executor().execute(() -> ex.status = 200);
        Lines lines = new Lines(upload);
        try {
          for (byte[] line; (line = lines.next()) != null; ) {
            if (!slot()) {
              break;
            }
            entry(lines.number(), line);
          }
        } catch (IOException e) {
          cut(); // the client went away (or the upload was closed): the entries not started are dropped
        }
        finish();
      } catch (RuntimeException e) {
        log.warn("admin: prewarm batch from {} failed: {}", ctx.channel().remoteAddress(), escape(e.toString()));
        ctx.close();
      } finally {
        upload.close();
        batches.decrementAndGet();
      }
    }

    /** Waits until another entry may start; false when the connection is gone. */
    private synchronized boolean slot() {
      while (!cut && (running >= jobs || unflushed > MAX_UNFLUSHED)) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          cut = true;
        }
      }
      if (cut) {
        return false;
      }
      running++;
      entries++;
      return true;
    }

    private synchronized void cut() {
      cut = true;
      notifyAll();
    }

    /** Starts the entry of {@code line}; its answer is written when it completes. */
    private void entry(long number, byte[] line) {
      ObjectNode o = JSON.createObjectNode();
      o.put("line", number);
      PrewarmEntry entry;
      try {
        if (line == Lines.TOO_LONG) {
          throw new IllegalArgumentException("longer than " + MAX_LINE + " bytes");
        }
        JsonNode node = JSON.readTree(line);
        if (node == null || !node.isObject()) {
          throw new IllegalArgumentException("not a JSON object");
        }
        entry = PrewarmEntry.parse(repo, k -> text(node, k));
      } catch (IOException | RuntimeException e) {
        o.put("outcome", "bad_request");
        o.put("message", "line " + number + ": " + e.getMessage());
        answer(o);
        return;
      }
      o.put("repo", entry.repo());
      o.put("entry", entry.what());
      if (!sc.config.repositories().containsKey(entry.repo())) {
        o.put("outcome", "not_found");
        o.put("message", "admin prewarm: unknown repository \"" + entry.repo() + "\"");
        answer(o);
        return;
      }
      entry.run(sc.fetchers).whenComplete((r, e) -> {
        entry.answer(o, r, e);
        answer(o);
      });
    }

    /** Any thread: one entry's answer line onto the response; its slot is free again. */
    private void answer(ObjectNode o) {
      byte[] bytes = (o + "\n").getBytes(StandardCharsets.UTF_8);
      int n = bytes.length;
      // Written under the monitor that finish() waits on, so that the last chunk cannot overtake
      // an answer: from outside the event loop a write is only queued to it, in call order.
      synchronized (this) {
        running--;
        if ("stored".equals(o.path("outcome").asText())) {
          stored++;
        }
        notifyAll();
        if (cut) {
          return;
        }
        unflushed += n;
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes))).addListener(f -> {
          synchronized (this) {
            unflushed -= n;
            if (f.isSuccess()) {
              written += n;
            }
            notifyAll();
          }
        });
      }
    }

    /** The body has ended (or the connection): waits for the running entries, then ends the response. */
    private void finish() {
      synchronized (this) {
        while (!cut && running > 0) {
          try {
            wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cut = true;
          }
        }
      }
      long ms = (System.nanoTime() - startNanos) / 1_000_000;
      boolean gone;
      synchronized (this) {
        gone = cut;
      }
      if (gone) {
        // The exchange ended when the connection closed (RequestHandler): nothing more to write.
        log.info("admin: prewarm batch from {} cut after {} entries started ({} stored) in {} ms",
            ctx.channel().remoteAddress(), entries, stored, ms);
        return;
      }
      log.info("admin: prewarm batch from {}: {} entries ({} stored) in {} ms, {} at once",
          ctx.channel().remoteAddress(), entries, stored, ms, jobs);
      // A body not read to its end cannot leave the connection reusable.
      boolean close = !upload.complete() || !HttpUtil.isKeepAlive(ex.request);
      ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> {
        if (close || !f.isSuccess()) {
          ctx.close();
        }
        long bytes;
        synchronized (this) {
          bytes = written;
        }
        ctx.executor().execute(() -> ex.end(f.isSuccess() ? "admin" : "aborted", bytes));
      });
    }
  }

  /** A field of a line as the single form's query would give it: text, a number as its digits, else absent. */
  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isValueNode()) {
      throw new IllegalArgumentException(field + " must be a string or a number");
    }
    return v.asText();
  }

  /** The body's lines, read from the upload; a line over {@link #MAX_LINE} bytes is skipped to its end. */
  static final class Lines {
    static final byte[] TOO_LONG = new byte[0];

    private final java.io.InputStream in;
    private final byte[] buf = new byte[16 * 1024];
    private int pos;
    private int end;
    private long number;
    private boolean eof;

    Lines(java.io.InputStream in) {
      this.in = in;
    }

    long number() {
      return number;
    }

    /** The next line that is not blank (without its end of line), {@link #TOO_LONG}, or null at the end. */
    byte[] next() throws IOException {
      while (true) {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        boolean tooLong = false;
        boolean any = false;
        while (true) {
          if (pos == end) {
            if (eof) {
              break;
            }
            int n = in.read(buf, 0, buf.length);
            if (n < 0) {
              eof = true;
              break;
            }
            pos = 0;
            end = n;
          }
          any = true;
          int nl = -1;
          for (int i = pos; i < end; i++) {
            if (buf[i] == '\n') {
              nl = i;
              break;
            }
          }
          int stop = nl < 0 ? end : nl;
          if (!tooLong && line.size() + (stop - pos) <= MAX_LINE) {
            line.write(buf, pos, stop - pos);
          } else {
            tooLong = true;
          }
          pos = nl < 0 ? end : nl + 1;
          if (nl >= 0) {
            break;
          }
        }
        if (!any) {
          return null;
        }
        number++;
        if (tooLong) {
          return TOO_LONG;
        }
        byte[] b = line.toByteArray();
        int len = b.length;
        while (len > 0 && (b[len - 1] == '\r' || b[len - 1] == ' ' || b[len - 1] == '\t')) {
          len--;
        }
        if (len == 0) {
          continue; // a blank line (the body's last newline too) is no entry
        }
        return len == b.length ? b : java.util.Arrays.copyOf(b, len);
      }
    }
  }
}
