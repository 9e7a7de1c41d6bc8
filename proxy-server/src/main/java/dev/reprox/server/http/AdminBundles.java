package dev.reprox.server.http;

import static dev.reprox.server.LogSafe.escape;

import dev.reprox.server.bundle.BundleException;
import dev.reprox.server.bundle.BundleExport;
import dev.reprox.server.bundle.BundleImport;
import dev.reprox.server.bundle.ImportReportJson;
import dev.reprox.server.fetch.FetchException;
import dev.reprox.server.fetch.FetchException.Kind;
import dev.reprox.storage.BuildEntry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /-/api/admin/import} (the request body is a bundle, streamed into the store as it
 * arrives) and {@code GET /-/api/admin/export?repo=R&at=T…} (the bundle streamed as the response).
 * Both run on a thread of their own, never on the event loop, and move the bytes with
 * backpressure through a few MiB ({@link BundleUpload}, {@link ChannelOutput}). One import at a
 * time: a second one is answered 409 while the first runs.
 */
final class AdminBundles {
  private static final Logger log = LoggerFactory.getLogger(AdminBundles.class);

  private final ServingContext sc;
  private final AtomicBoolean importing = new AtomicBoolean();
  private final Executor worker;
  /** The batch form of the prewarm route: a request body streamed on the same workers. */
  final PrewarmBatch prewarm;

  AdminBundles(ServingContext sc, Executor worker) {
    this.sc = sc;
    this.worker = worker;
    this.prewarm = new PrewarmBatch(sc, worker);
  }

  /** Starts reading the body of {@code ex} into an import; the answer comes when it is done. */
  void importBundle(Exchange ex, ChannelHandlerContext ctx) {
    if (sc.fetchers == null) {
      ex.reply(RepositoryApi.error(Kind.NO_STORE, "admin: no store to import into",
          ex.head), "admin", true);
      return;
    }
    if (!importing.compareAndSet(false, true)) {
      ex.reply(RepositoryApi.error(Kind.IMPORT_RUNNING,
          "admin: an import is running; try again when it is done", ex.head), "admin", true);
      return;
    }
    BundleUpload upload = new BundleUpload(ctx);
    ex.upload = upload;
    if (io.netty.handler.codec.http.HttpUtil.is100ContinueExpected(ex.request)) {
      ctx.writeAndFlush(new io.netty.handler.codec.http.DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
    }
    try {
      worker.execute(() -> {
        FullHttpResponse r;
        try {
          BundleImport.Report report = new BundleImport(sc.fetchers.storage(), sc.fetchers.formats(), sc.clock)
              .read(upload);
          log.info("admin: imported a bundle from {}: {} blobs new, {} pins added, {} conflicts{}",
              ctx.channel().remoteAddress(), report.blobsNew(), report.pinsAdded(), report.conflicts().size(),
              report.changed() ? "" : " (nothing changed)");
          r = Responses.full(HttpResponseStatus.OK, "application/json", ImportReportJson.write(report) + "\n", ex.head);
        } catch (BundleException e) {
          log.warn("admin: import from {} refused: {}", ctx.channel().remoteAddress(), escape(e.getMessage()));
          r = RepositoryApi.error(kind(e), e.getMessage(), ex.head);
        } catch (IOException | RuntimeException e) {
          log.warn("admin: import from {} failed: {}", ctx.channel().remoteAddress(), escape(e.toString()));
          r = RepositoryApi.error(FetchException.unlessUnavailable(Kind.FAILED, e), "import failed: " + e, ex.head);
        } finally {
          importing.set(false);
        }
        // A body not read to its end cannot leave the connection reusable.
        boolean close = !upload.complete();
        upload.close();
        FullHttpResponse response = r;
        ctx.executor().execute(() -> ex.reply(response, "admin", close));
      });
    } catch (RejectedExecutionException e) {
      importing.set(false);
      ex.reply(RepositoryApi.error(Kind.OVERLOADED, "server busy", ex.head),
          "overloaded", true);
      return;
    }
    upload.start();
  }

  /** Streams the bundle of {@code ?repo=R&at=T[&at=T2…]} and/or {@code ?label=L} ({@link ExportQuery}). */
  void exportBundle(Exchange ex, ChannelHandlerContext ctx, QueryStringDecoder query) {
    if (sc.fetchers == null) {
      ex.reply(RepositoryApi.error(Kind.NO_STORE, "admin: no store to export",
          ex.head), "admin", false);
      return;
    }
    try {
      worker.execute(() -> {
        // A label is read from the persisted build records (storage): here, off the event loop.
        List<BundleExport.Selection> selections;
        try {
          selections = ExportQuery.selections(ex.request.uri(), this::recordedEntries);
        } catch (IllegalArgumentException e) {
          replyOnLoop(ex, ctx, RepositoryApi.error(Kind.BAD_REQUEST, e.getMessage(), ex.head));
          return;
        } catch (UncheckedIOException e) {
          replyOnLoop(ex, ctx, RepositoryApi.error(FetchException.unlessUnavailable(Kind.FAILED, e),
              "export: read build records: " + e.getCause().getMessage(), ex.head));
          return;
        }
        BundleExport.Prepared prepared;
        try {
          prepared = new BundleExport(sc.fetchers.storage(), sc.fetchers.formats(), sc.clock).prepare(selections);
        } catch (BundleException e) {
          Kind kind = kind(e);
          replyOnLoop(ex, ctx, kind == Kind.STORAGE_UNAVAILABLE ? RepositoryApi.error(kind, e.getMessage(), ex.head)
              : RepositoryApi.error(kind, e.kind().name().toLowerCase(java.util.Locale.ROOT), e.getMessage(), ex.head));
          return;
        } catch (IOException | RuntimeException e) {
          replyOnLoop(ex, ctx, RepositoryApi.error(FetchException.unlessUnavailable(Kind.FAILED, e),
              "export failed: " + e, ex.head));
          return;
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/zstd");
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        ex.status = 200;
        if (ex.head) {
          ctx.executor().execute(() -> {
            head.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
            ctx.write(head);
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> ex.end("admin", 0));
          });
          return;
        }
        ctx.writeAndFlush(head);
        ChannelOutput out = new ChannelOutput(ctx);
        try {
          BundleExport.Summary s = prepared.writeTo(out);
          out.flush();
          ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> {
            if (!f.isSuccess()) {
              ctx.close();
            }
            ctx.executor().execute(() -> ex.end(f.isSuccess() ? "admin" : "aborted", out.written()));
          });
          log.info("admin: exported {} pins, {} blobs ({} bytes) to {}", s.pins(), s.blobs(), out.written(),
              ctx.channel().remoteAddress());
        } catch (IOException | RuntimeException e) {
          // The head is sent: a cut connection is all that can say it failed (import refuses a cut bundle).
          log.warn("admin: export to {} failed after {} bytes: {}", ctx.channel().remoteAddress(), out.written(),
              escape(e.toString()));
          ctx.close();
          ctx.executor().execute(() -> ex.end("aborted", out.written()));
        }
      });
    } catch (RejectedExecutionException e) {
      ex.reply(RepositoryApi.error(Kind.OVERLOADED, "server busy", ex.head),
          "overloaded", false);
    }
  }

  /** Answers an export before its head was sent (a worker thread hands the reply to the loop). */
  private static void replyOnLoop(Exchange ex, ChannelHandlerContext ctx, FullHttpResponse r) {
    ctx.executor().execute(() -> ex.reply(r, "admin", false));
  }

  /** The persisted entries of {@code label}; unknown (or no record store): IllegalArgumentException. Blocks. */
  private List<BuildEntry> recordedEntries(String label) {
    try {
      return (sc.records == null ? java.util.Optional.<List<BuildEntry>>empty() : sc.records.entries(label))
          .orElseThrow(() -> new IllegalArgumentException("export: no build label \"" + label + "\" recorded"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The answer's kind; a store that is down (the shared store's PostgreSQL or S3) is a 503 whatever the step. */
  private static Kind kind(BundleException e) {
    return FetchException.unlessUnavailable(switch (e.kind()) {
      case USAGE -> Kind.USAGE;
      case NOT_FOUND -> Kind.NOT_FOUND;
      case INTEGRITY -> Kind.REFUSED;
      case STORE -> Kind.STORE;
    }, e);
  }
}
