package dev.reprox.server.http;

import dev.reprox.server.fetch.Content;
import dev.reprox.server.fetch.FetchException;
import dev.reprox.server.fetch.FetchRequest;
import dev.reprox.server.fetch.Fetched;
import io.netty.util.concurrent.FastThreadLocalThread;
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
    serve(ex, request, true);
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
    Content content;
    Fetched fetched = found;
    try {
      fetched = sc.hotAnswers.offer(request, found);
      content = fetched.open();
    } catch (Exception e) {
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
      return;
    }
    Fetched answer = fetched;
    if (!onLoop(ex, () -> new BodyResponse(ex, sc).send(answer, content))) {
      content.close();
    }
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
    return !(Thread.currentThread() instanceof FastThreadLocalThread) && !ex.ctx().executor().inEventLoop();
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
