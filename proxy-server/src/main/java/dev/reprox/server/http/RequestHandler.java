package dev.reprox.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's requests, one at a time: each goes to {@link Routes} (guard clauses that each
 * end in an error response, then one call into the fetch chain), then the response. Requests a client pipelines while one
 * is in progress wait in a queue with reading paused (backpressure: the rest stay unread in the
 * socket), and reading resumes when the queue has been answered. Request bodies are never read
 * into memory: methods that could carry one are refused and the connection closed.
 */
final class RequestHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(RequestHandler.class);
  // The queue holds what one socket read decoded (reading pauses at the first queued request), so
  // the read size bounds it (dev.reprox.server.ServerInitializer): this cap is a last resort.
  private static final int MAX_PIPELINED = 4096;
  /**
   * How many queued requests have their lookup started ahead of their turn ({@link
   * Routes#prepare}): apt pipelines ten; a deeper pipeline waits its turn for the rest, so one
   * connection cannot start hundreds of lookups (or upstream fills) at once.
   */
  static final int PREPARE_AHEAD = 16;

  /** A request waiting its turn, with its lookup when one was started. */
  private static final class Queued {
    final HttpRequest request;
    PassThrough.Prepared prepared;

    Queued(HttpRequest request) {
      this.request = request;
    }
  }

  private final ServingContext sc;
  private final Routes routes;
  private final ArrayDeque<Queued> pending = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private Exchange current;
  /** The one pending head-timeout check, or null; see {@link #armHeadTimer()}. */
  private ScheduledFuture<?> headTimer;
  /** Waiting for a request head since {@link #headSince} (the event loop's ticker). */
  private boolean awaitingHead;
  private long headSince;
  private boolean tunnelled;

  /** {@code healthOnly}: accepted past max-connections, into the reserve: health checks only, then close. */
  RequestHandler(ServingContext sc, boolean healthOnly) {
    this.sc = sc;
    this.routes = new Routes(sc, healthOnly);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    armHeadTimer();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (!(msg instanceof HttpRequest request) || tunnelled) {
        if (!tunnelled && msg instanceof io.netty.handler.codec.http.HttpContent piece && current != null
            && current.upload != null) {
          current.upload.offer(piece); // an import's body: the only request body reprox reads
        }
        return; // request body pieces: GET/HEAD carry none worth reading; or HTTP is over
      }
      disarmHeadTimer();
      if (current == null && pending.isEmpty()) {
        handle(request);
      } else if (pending.size() < MAX_PIPELINED) {
        ReferenceCountUtil.retain(request);
        pending.add(new Queued(request));
        ctx.channel().config().setAutoRead(false);
        prepareAhead();
      } else {
        ctx.close();
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (current != null && current.upload != null) {
      current.upload.readComplete();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (current != null && current.body != null) {
      current.body.writabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelHeadTimer();
    releasePending();
    if (current != null) {
      if (current.upload != null) {
        current.upload.cut();
      }
      current.cut();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent && current != null && current.upload != null) {
      return; // an import verifying or publishing: quiet on the wire, not idle
    }
    if (evt instanceof IdleStateEvent) {
      log.debug("closing idle connection {}", ctx.channel().remoteAddress());
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  private void handle(HttpRequest request) {
    handle(request, null);
  }

  private void handle(HttpRequest request, PassThrough.Prepared prepared) {
    Exchange ex = new Exchange(this, ctx, request);
    ex.prepared = prepared;
    current = ex;
    sc.inFlight.begin();
    routes.route(ex, this);
    if (ex.prepared != null) {
      ex.prepared.discard(); // routed elsewhere after all: nobody reads it
      ex.prepared = null;
    }
  }

  /** Starts the lookups of the first {@link #PREPARE_AHEAD} queued requests that have none yet. */
  private void prepareAhead() {
    int n = 0;
    for (Queued q : pending) {
      if (n++ >= PREPARE_AHEAD) {
        return;
      }
      if (q.prepared == null) {
        q.prepared = routes.prepare(q.request, ctx);
      }
    }
  }

  /** The response to {@code ex} has ended: account for it and take the next request. */
  void finished(Exchange ex, String outcome, long bytes) {
    long nanos = System.nanoTime() - ex.startNanos;
    RequestLog.request(ex, outcome, bytes, nanos);
    if (sc.accessLog) {
      RequestLog.access(ex, outcome, bytes, nanos, sc.structuredLog);
    }
    sc.metrics.record(ex.repository, outcome, ex.kind, ex.status, nanos);
    sc.metrics.served(ex.repository, ex.cache == null ? "none" : ex.cache, bytes);
    sc.inFlight.end();
    if (current == ex) {
      current = null;
    }
    if (tunnelled || !ctx.channel().isActive()) {
      return;
    }
    Queued next = pending.poll();
    if (next != null) {
      try {
        handle(next.request, next.prepared);
      } finally {
        ReferenceCountUtil.release(next.request);
      }
      prepareAhead();
      return;
    }
    ctx.channel().config().setAutoRead(true);
    armHeadTimer();
  }

  private void releasePending() {
    for (Queued q; (q = pending.poll()) != null; ) {
      if (q.prepared != null) {
        q.prepared.discard();
      }
      ReferenceCountUtil.release(q.request);
    }
  }

  /**
   * {@code ex} became a tunnel ({@link Tunnels}): it ends as a request, and this handler, about to
   * leave the pipeline, takes no further requests and never turns reading back on.
   */
  void tunnelled(Exchange ex) {
    tunnelled = true;
    releasePending();
    cancelHeadTimer();
    ex.status = 200;
    ex.end("tunnel", 0);
  }

  /**
   * Starts the wait for a request head. The pending check is left in place across requests and
   * moves its own deadline when it fires early, rather than being cancelled and scheduled again
   * for every request of a keep-alive connection (a timer task each, seen in a warm hit's profile).
   */
  private void armHeadTimer() {
    awaitingHead = true;
    headSince = ctx.executor().ticker().nanoTime();
    if (headTimer == null) {
      scheduleHeadCheck(sc.requestHeadTimeout.toNanos());
    }
  }

  /** A request head arrived: a pending check finds nothing to do and lapses. */
  private void disarmHeadTimer() {
    awaitingHead = false;
  }

  private void cancelHeadTimer() {
    awaitingHead = false;
    if (headTimer != null) {
      headTimer.cancel(false);
      headTimer = null;
    }
  }

  private void scheduleHeadCheck(long delayNanos) {
    headTimer = ctx.executor().schedule(this::checkHead, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void checkHead() {
    headTimer = null;
    if (!awaitingHead || current != null) {
      return; // the next arm schedules a check again
    }
    long left = headSince + sc.requestHeadTimeout.toNanos() - ctx.executor().ticker().nanoTime();
    if (left > 0) {
      scheduleHeadCheck(left); // the wait began after this check was scheduled
      return;
    }
    log.debug("closing {}: no complete request within {}", ctx.channel().remoteAddress(), sc.requestHeadTimeout);
    ctx.close();
  }
}
