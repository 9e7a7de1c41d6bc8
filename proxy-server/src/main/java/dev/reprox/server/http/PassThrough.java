package dev.reprox.server.http;

import dev.reprox.server.fetch.Content;
import dev.reprox.server.fetch.FetchException;
import dev.reprox.server.fetch.FetchRequest;
import dev.reprox.server.fetch.Fetched;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@code GET|HEAD /<repo>/<path>}: one call into the fetch chain, then the body response. The
 * chain's answer arrives on another thread; opening a reader touches storage, so it runs there
 * when that thread may block (a stored hit), else on the storage executor; everything that
 * touches the channel goes back to its event loop.
 */
final class PassThrough {
  private final ServingContext sc;

  PassThrough(ServingContext sc) {
    this.sc = sc;
  }

  void serve(Exchange ex, FetchRequest request) {
    Prepared prepared = ex.prepared;
    if (prepared != null) {
      ex.prepared = null;
      if (prepared.request.equals(request)) {
        servePrepared(ex, prepared);
        return;
      }
      prepared.discard();
    }
    serve(ex, request, true);
  }

  /**
   * A pipelined GET's lookup and open, started while the responses before it on its connection
   * still go out ({@link RequestHandler}): apt sends ten requests at once and reads the answers
   * in order, so without this each answer's lookup and thread hops began only once the previous
   * answer had gone out, with the client idle meanwhile (3-5 ms a package under load, issue 14).
   * Nothing is written here: the response is sent at the request's turn ({@link #serve}). Null
   * for a kept answer ({@link HotAnswers}).
   */
  Prepared prepare(FetchRequest request, io.netty.util.concurrent.EventExecutor loop) {
    if (sc.hotAnswers.get(request) != null) {
      return null; // kept: answered on the loop at its turn, without a lookup to hide
    }
    CompletableFuture<Opened> opened = new CompletableFuture<>();
    try {
      sc.fetcher.fetch(request).whenComplete((fetched, error) -> {
        if (error != null) {
          opened.completeExceptionally(error);
          return;
        }
        Runnable open = () -> {
          try {
            Opened o = openFound(request, fetched);
            opened.complete(o.fetched().outcome() == Fetched.Outcome.HIT // stored: lending cannot wait for a fill
                ? new Opened(o.fetched(), PrelentContent.of(o.content(), o.fetched().length())) : o);
          } catch (Exception e) {
            opened.completeExceptionally(new OpenFailed(e));
          }
        };
        if (mayBlockHere(loop)) {
          open.run(); // as in serve: a stored hit completes on a thread that may block
          return;
        }
        try {
          sc.storageExecutor.execute(open);
        } catch (RejectedExecutionException e) {
          fetched.noReader();
          opened.completeExceptionally(new FetchException(FetchException.Kind.OVERLOADED, "server busy"));
        }
      });
    } catch (RuntimeException e) {
      opened.completeExceptionally(e);
    }
    return new Prepared(request, opened);
  }

  /** {@code prepared}'s answer, at its turn: the same responses {@link #serve} gives. */
  private void servePrepared(Exchange ex, Prepared prepared) {
    FetchRequest request = prepared.request;
    ex.kind = kind(null, request);
    prepared.opened.whenComplete((o, error) -> {
      Runnable answer = () -> {
        if (error == null) {
          pinned(ex, o.fetched());
          new BodyResponse(ex, sc).send(o.fetched(), o.content());
          return;
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof OpenFailed failed) {
          openFailed(ex, request, (Exception) failed.getCause(), true);
          return;
        }
        ex.fail(FetchException.of(cause, request).naming(request), false);
      };
      if (ex.ctx().executor().inEventLoop()) {
        answer.run();
      } else if (!onLoop(ex, answer) && o != null) {
        o.content().close();
      }
    });
  }

  /** A prepared request's body, opened. */
  record Opened(Fetched fetched, Content content) {}

  /** Opening a found body failed (as opposed to the lookup): answered by {@link #openFailed}. */
  private static final class OpenFailed extends RuntimeException {
    OpenFailed(Exception cause) {
      super(cause);
    }
  }

  /** A pipelined request's lookup under way ({@link #prepare}); discarded when it is not served. */
  static final class Prepared {
    final FetchRequest request;
    final CompletableFuture<Opened> opened;

    Prepared(FetchRequest request, CompletableFuture<Opened> opened) {
      this.request = request;
      this.opened = opened;
    }

    /** Not to be served (the connection closed): its reader, once open, is closed. */
    void discard() {
      opened.whenComplete((o, e) -> {
        if (o != null) {
          o.content().close();
        }
      });
    }
  }

  /** {@code mayRefetch}: a blob that is gone when opened sends the request down the chain once more. */
  private void serve(Exchange ex, FetchRequest request, boolean mayRefetch) {
    HotAnswers.Answer hot = sc.hotAnswers.get(request, () -> refresh(request));
    ex.kind = kind(hot, request);
    if (hot != null) {
      // Answered before: stored, immutable, its reader open. All on this event loop.
      Content content = null;
      if (!ex.head) {
        try {
          content = hot.fetched.open(); // a kept answer's open never blocks
        } catch (Exception e) {
          content = null;
        }
      }
      if (ex.head || content != null) {
        pinned(ex, hot.fetched);
        new BodyResponse(ex, sc).send(hot.fetched, content, hot);
        return;
      }
    }
    sc.fetcher.fetch(request).whenComplete((fetched, error) -> {
      if (error != null) {
        // An offline 503 names this request even when an inner one (its root index) failed.
        FetchException f = FetchException.of(error, request).naming(request);
        onLoop(ex, () -> ex.fail(f, false));
        return;
      }
      pinned(ex, fetched);
      if (ex.head) {
        fetched.noReader(); // a relayed body lets its upstream go: nobody will read it
        onLoop(ex, () -> new BodyResponse(ex, sc).send(fetched, null));
        return;
      }
      if (mayBlockHere(ex)) {
        // A stored hit completes on a storage or work thread: open right here, one hop fewer.
        open(ex, request, fetched, mayRefetch);
        return;
      }
      try {
        sc.storageExecutor.execute(() -> open(ex, request, fetched, mayRefetch));
      } catch (RejectedExecutionException e) {
        onLoop(ex, () -> ex.fail(FetchException.Kind.OVERLOADED, "server busy", false));
      }
    });
  }

  /**
   * Looks a kept live answer up again in the background and keeps what the chain answers now
   * ({@link HotAnswers#get(FetchRequest, Runnable)}). Nobody waits for it: a failure only lets the
   * kept answer expire as usual, and the next request's own lookup says what is wrong.
   */
  private void refresh(FetchRequest request) {
    try {
      sc.fetcher.fetch(request).whenComplete((fetched, error) -> {
        if (error == null) {
          try {
            sc.storageExecutor.execute(() -> keep(request, fetched));
          } catch (RejectedExecutionException e) {
            fetched.noReader(); // busy: the kept answer expires and the next request looks up
          }
        }
      });
    } catch (RuntimeException e) {
      // As a failed lookup: the kept answer expires and the next request looks up itself.
    }
  }

  /** Keeps a refreshed answer (opening its reader blocks); one not kept has no reader coming. */
  private void keep(FetchRequest request, Fetched fetched) {
    try {
      if (sc.hotAnswers.offer(request, fetched) == fetched) {
        fetched.noReader();
      }
    } catch (java.io.IOException | RuntimeException e) {
      fetched.noReader();
    }
  }

  private void open(Exchange ex, FetchRequest request, Fetched found, boolean mayRefetch) {
    Opened o;
    try {
      o = openFound(request, found);
    } catch (Exception e) {
      openFailed(ex, request, e, mayRefetch);
      return;
    }
    if (!onLoop(ex, () -> new BodyResponse(ex, sc).send(o.fetched(), o.content()))) {
      o.content().close();
    }
  }

  /** Keeps {@code found} when it may be ({@link HotAnswers#offer}) and opens its reader; may block. */
  private Opened openFound(FetchRequest request, Fetched found) throws Exception {
    Fetched fetched = sc.hotAnswers.offer(request, found);
    return new Opened(fetched, fetched.open());
  }

  /** A found body whose open failed ({@code e}); any thread. */
  private void openFailed(Exchange ex, FetchRequest request, Exception e, boolean mayRefetch) {
    FetchException f = FetchException.of(e, request);
    if (f.kind() == FetchException.Kind.NOT_FOUND && mayRefetch) {
      // The blob went between the chain's lookup and this open: now the lookup misses and the
      // chain fetches (and checks) the bytes again, or answers why it cannot.
      serve(ex, request, false);
      return;
    }
    FetchException answered = f.kind() == FetchException.Kind.NOT_FOUND ? f
        : new FetchException(FetchException.Kind.STORAGE, "open " + request + ": " + e.getMessage(), e);
    onLoop(ex, () -> ex.fail(answered, false));
  }

  /**
   * The kind of path for the request metrics; a kept answer's is classified once (classifying a
   * path against the format's rules showed in a warm hit's profile).
   */
  private String kind(HotAnswers.Answer hot, FetchRequest request) {
    String kind = hot == null ? null : hot.kind;
    if (kind == null) {
      kind = Routes.kind(sc, request);
      if (hot != null) {
        hot.kind = kind; // the same for every request of the answer's key; a race classifies twice
      }
    }
    return kind;
  }

  /** A labelled build's record keeps the worst pin status of its answers and the roots not proven. */
  private void pinned(Exchange ex, Fetched fetched) {
    if (ex.build != null) {
      fetched.provenance().pin().ifPresent(pin -> sc.builds.pinned(ex.build, pin, fetched.provenance().pinnedRoot()));
      if (sc.records != null && ex.fetched != null) {
        sc.records.served(ex.build, ex.fetched, fetched,
            sc.fetchers != null && sc.fetchers.isPackage(ex.repository, ex.fetched.path()));
      }
    }
  }

  /** Event-loop threads (Netty's own thread class) must never wait on storage. */
  private static boolean mayBlockHere(Exchange ex) {
    return mayBlockHere(ex.ctx().executor());
  }

  /** Neither an event loop nor a Netty thread: a storage or work thread, where an open may block. */
  private static boolean mayBlockHere(io.netty.util.concurrent.EventExecutor loop) {
    return !(Thread.currentThread() instanceof FastThreadLocalThread) && !loop.inEventLoop();
  }

  private static boolean onLoop(Exchange ex, Runnable task) {
    try {
      ex.ctx().executor().execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }
}
