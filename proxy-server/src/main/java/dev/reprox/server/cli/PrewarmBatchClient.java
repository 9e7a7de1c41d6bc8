package dev.reprox.server.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.reprox.server.lock.LockEntry;
import dev.reprox.server.upstream.LazyTls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code reprox prewarm}'s side of the batch form of the admin prewarm route ({@code POST
 * /-/api/admin/prewarm?jobs=N}, docs/api.md), on {@code java.net.http}: the lockfile's entries go
 * in requests of {@value #BATCH} JSON lines each, every outcome comes back as a JSON line of the
 * streamed answer, matched to its entry by its line number within the batch. A batch's body is
 * built whole before it is sent ({@code java.net.http} does not promise to read an answer while
 * the body is still being sent), and at most {@value #IN_FLIGHT} batches are in flight, so the
 * server has the next batch while the answers of one drain; the server's {@code jobs} bounds
 * what runs inside a batch.
 *
 * <p>Memory stays flat: the caller streams the lockfile, and only the batches in flight and the
 * one being built are held. Whatever goes wrong (reprox unreachable, a refusal such as a wrong
 * token, the connection lost half-way), every entry still gets an answer for the summary: the
 * entries of the batch the server did not answer get the reason, and so do all the entries after
 * (the first failure sticks, as one request for the whole lockfile did).
 *
 * <p>A server from before the batch form answers its request as any admin request with a body:
 * {@code 400} "admin actions take no request body" (after the token check; a proxy in front may
 * say {@code 404} or {@code 405}). Then the whole run falls back to the per-entry route, {@code
 * POST /-/api/admin/prewarm/<repo>?root=&at=&path=…}, at most {@code jobs} at once, and says so
 * once: the entries get the same outcomes, so the summary and exit code are the same. Any other
 * answer (a {@code 500}, a refusal of the token) is an error, never a reason to fall back.
 */
final class PrewarmBatchClient {
  /** Entries a request: a few times what the server runs at once, 256 × ~300 bytes of body. */
  static final int BATCH = 256;
  /** Batch requests at once: the server works on one while the client reads the other's answers. */
  static final int IN_FLIGHT = 2;
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** One entry of the per-entry route: a large package from a slow upstream. */
  private static final Duration ENTRY_TIMEOUT = Duration.ofMinutes(30);
  /** What a server from before the batch form answers a request body under {@code /-/api/admin/}. */
  static final String OLD_SERVER_REFUSAL = "admin actions take no request body";
  private static final JsonFactory JSON = new JsonFactory();

  /**
   * Where the answers go, on a batch's thread (or the caller's, once a failure sticks; or the HTTP
   * client's, per entry, from an older server).
   */
  interface Listener {
    void answered(LockEntry entry, PrewarmSummary.Row row, String message);
  }

  private final URI base;
  private final String token;
  private final Map<String, String> defaultRoots;
  private final int jobs;
  private final int batchSize;

  /** @param defaultRoots per repository, the root an entry without one is looked up under */
  PrewarmBatchClient(URI base, String token, Map<String, String> defaultRoots, int jobs) {
    this(base, token, defaultRoots, jobs, BATCH);
  }

  PrewarmBatchClient(URI base, String token, Map<String, String> defaultRoots, int jobs, int batchSize) {
    this.base = base;
    this.token = token;
    this.defaultRoots = defaultRoots;
    this.jobs = jobs;
    this.batchSize = batchSize;
  }

  /** Starts a run: {@link Run#send} each entry, then {@link Run#finish}. */
  Run open(Listener listener) {
    return open(listener, notice -> { });
  }

  /** @param notices told once when the server is older than the batch form and the run falls back */
  Run open(Listener listener, Consumer<String> notices) {
    return new Run(listener, notices);
  }

  /** One prewarm run, any number of batch requests. Not thread-safe (one caller sends). */
  final class Run {
    private final Listener listener;
    private final Consumer<String> notices;
    private final HttpClient http;
    private final ExecutorService batches;
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
    private final URI uri;
    private List<LockEntry> entries = new ArrayList<>();
    private ByteArrayOutputStream body = new ByteArrayOutputStream();
    /** Why entries cannot be answered by the server: set once, then every later entry is answered with it. */
    private volatile Failure failure;
    /** The server knows only the per-entry route: every batch from then on goes entry by entry. */
    private volatile boolean perEntry;
    private final AtomicBoolean told = new AtomicBoolean();
    /** Per-entry requests in flight, over both batch threads: the server's {@code jobs} no longer bounds them. */
    private final Semaphore entrySlots;

    private Run(Listener listener, Consumer<String> notices) {
      this.listener = listener;
      this.notices = notices;
      this.entrySlots = new Semaphore(jobs);
      this.batches = Executors.newFixedThreadPool(IN_FLIGHT, r -> {
        Thread t = new Thread(r, "reprox-prewarm-batch");
        t.setDaemon(true);
        return t;
      });
      // HTTP/1.1: the server speaks nothing else, and an h2c upgrade would only cost a round trip.
      this.http = LazyTls.onFirstUse(HttpClient.newBuilder()).proxy(HttpClient.Builder.NO_PROXY)
          .version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
          .build(); // its own executor: ours block in send()
      String prefix = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/$", "");
      this.uri = base.resolve(prefix + "/-/api/admin/prewarm?jobs=" + jobs);
    }

    /** Adds one entry to the batch being built (or answers it with the failure); sends a full batch. */
    void send(LockEntry e) throws InterruptedException {
      if (failure != null) {
        listener.answered(e, failure.row(), failure.message());
        return;
      }
      entries.add(e);
      write(e);
      if (entries.size() >= batchSize) {
        dispatch();
      }
    }

    /** Sends the last batch and waits for every answer. */
    void finish() throws InterruptedException {
      if (!entries.isEmpty()) {
        dispatch();
      }
      inFlight.acquire(IN_FLIGHT); // every batch answered
      inFlight.release(IN_FLIGHT);
      batches.shutdown();
    }

    private String root(LockEntry e) {
      return e.root() != null ? e.root() : defaultRoots.getOrDefault(e.repo(), "dists/stable/InRelease");
    }

    private void write(LockEntry e) {
      String root = root(e);
      try (JsonGenerator g = JSON.createGenerator(body)) {
        g.writeStartObject();
        g.writeStringField("repo", e.repo());
        g.writeStringField("root", root);
        g.writeNumberField("at", e.at().getEpochSecond());
        if (e.named() != null) {
          field(g, "name", e.named().name());
          field(g, "version", e.named().version());
          field(g, "arch", e.named().arch());
        } else {
          field(g, "path", e.path());
        }
        field(g, "generation", e.generation());
        field(g, "sha256", e.sha256());
        field(g, "q1", e.q1());
        if (e.size() >= 0) {
          g.writeNumberField("size", e.size());
        }
        g.writeEndObject();
      } catch (IOException x) {
        throw new UncheckedIOException(x); // a ByteArrayOutputStream does not fail
      }
      body.write('\n');
    }

    private static void field(JsonGenerator g, String name, String value) throws IOException {
      if (value != null) {
        g.writeStringField(name, value);
      }
    }

    /** Hands the batch built so far to a batch thread once fewer than {@value #IN_FLIGHT} are in flight. */
    private void dispatch() throws InterruptedException {
      List<LockEntry> batch = entries;
      byte[] bytes = body.toByteArray();
      entries = new ArrayList<>(batchSize);
      body = new ByteArrayOutputStream();
      inFlight.acquire();
      if (failure != null) {
        inFlight.release();
        answerAll(batch, new boolean[batch.size()], failure);
        return;
      }
      batches.execute(() -> {
        try {
          exchange(batch, bytes);
        } finally {
          inFlight.release();
        }
      });
    }

    /** One batch request on a batch thread: every entry of it answered, by the server or with the failure. */
    private void exchange(List<LockEntry> batch, byte[] bytes) {
      boolean[] answered = new boolean[batch.size()];
      if (perEntry) {
        perEntry(batch, answered);
        return;
      }
      HttpRequest.Builder request = HttpRequest.newBuilder(uri).expectContinue(true)
          .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
      if (token != null && !token.isEmpty()) {
        request.header("Authorization", "Bearer " + token);
      }
      HttpResponse<Stream<String>> r;
      try {
        // With 100-continue a refusal (a wrong token) comes before the body is sent.
        r = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
      } catch (IOException | RuntimeException x) {
        answerAll(batch, answered, fail(PrewarmSummary.Row.UPSTREAM_FAILURE, "cannot reach reprox at " + base
            + ": " + reason(x)));
        return;
      } catch (InterruptedException x) {
        Thread.currentThread().interrupt();
        answerAll(batch, answered, fail(PrewarmSummary.Row.UPSTREAM_FAILURE, "interrupted"));
        return;
      }
      try (Stream<String> lines = r.body()) {
        if (r.statusCode() != 200) {
          StringBuilder why = new StringBuilder();
          for (Iterator<String> i = lines.iterator(); i.hasNext() && why.length() < 16 * 1024; ) {
            why.append(i.next()).append('\n');
          }
          if (olderServer(r.statusCode(), why.toString())) {
            if (told.compareAndSet(false, true)) {
              notices.accept("prewarm: " + base + " has no batch route (it answered " + r.statusCode() + ": "
                  + why.toString().strip() + "); sending one request per entry instead");
            }
            perEntry = true;
            perEntry(batch, answered);
            return;
          }
          answerAll(batch, answered, fail(r.statusCode() == 404 ? PrewarmSummary.Row.NOT_FOUND
              : PrewarmSummary.Row.UPSTREAM_FAILURE, "reprox answered " + r.statusCode() + ": " + why.toString()
              .strip()));
          return;
        }
        for (Iterator<String> i = lines.iterator(); i.hasNext(); ) {
          answer(batch, answered, i.next());
        }
      } catch (IOException | RuntimeException x) {
        answerAll(batch, answered, fail(PrewarmSummary.Row.UPSTREAM_FAILURE, "lost the connection to reprox at "
            + base + ": " + reason(x)));
        return;
      }
      // Not sticky: the server ended this answer early, the next batch may fare better.
      answerAll(batch, answered, new Failure(PrewarmSummary.Row.UPSTREAM_FAILURE,
          "reprox ended its answer without this entry's"));
    }

    /**
     * The batch on an older server: each entry through {@code POST /-/api/admin/prewarm/<repo>?…},
     * at most {@code jobs} at once; returns when every one is answered.
     */
    private void perEntry(List<LockEntry> batch, boolean[] answered) {
      List<CompletableFuture<Void>> pending = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        LockEntry e = batch.get(i);
        answered[i] = true;
        Failure f = failure;
        if (f != null) {
          listener.answered(e, f.row(), f.message());
          continue;
        }
        try {
          entrySlots.acquire();
        } catch (InterruptedException x) {
          Thread.currentThread().interrupt();
          listener.answered(e, PrewarmSummary.Row.UPSTREAM_FAILURE, "interrupted");
          continue;
        }
        CompletableFuture<HttpResponse<String>> sent;
        try {
          sent = http.sendAsync(entryRequest(e), HttpResponse.BodyHandlers.ofString());
        } catch (RuntimeException x) {
          sent = CompletableFuture.failedFuture(x);
        }
        pending.add(sent.handle((r, x) -> {
          try {
            Failure answer = entryAnswer(r, x);
            listener.answered(e, answer.row(), answer.message());
          } finally {
            entrySlots.release();
          }
          return null;
        }));
      }
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
    }

    private HttpRequest entryRequest(LockEntry e) {
      StringBuilder q = new StringBuilder("/-/api/admin/prewarm/").append(enc(e.repo()))
          .append("?root=").append(enc(root(e))).append("&at=").append(e.at().getEpochSecond());
      if (e.named() != null) {
        q.append("&name=").append(enc(e.named().name())).append("&version=").append(enc(e.named().version()))
            .append("&arch=").append(enc(e.named().arch()));
      } else {
        q.append("&path=").append(enc(e.path()));
      }
      if (e.generation() != null) {
        q.append("&generation=").append(enc(e.generation()));
      }
      if (e.sha256() != null) {
        q.append("&sha256=").append(enc(e.sha256()));
      }
      if (e.q1() != null) {
        q.append("&q1=").append(enc(e.q1()));
      }
      if (e.size() >= 0) {
        q.append("&size=").append(e.size());
      }
      return AdminClient.request(base, q.toString(), token).timeout(ENTRY_TIMEOUT)
          .POST(HttpRequest.BodyPublishers.noBody()).build();
    }

    /**
     * One entry's answer from the per-entry route: its outcome as the batch form's line would give
     * it. Unreachable and refused (401, 403) stick, as a batch's would; other statuses are the entry's.
     */
    private Failure entryAnswer(HttpResponse<String> r, Throwable x) {
      if (x != null) {
        Throwable cause = x instanceof java.util.concurrent.CompletionException && x.getCause() != null
            ? x.getCause() : x;
        return fail(PrewarmSummary.Row.UPSTREAM_FAILURE, "cannot reach reprox at " + base + ": "
            + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()));
      }
      if (r.statusCode() != 200) {
        String message = "reprox answered " + r.statusCode() + ": " + r.body().strip();
        if (r.statusCode() == 401 || r.statusCode() == 403) {
          return fail(PrewarmSummary.Row.UPSTREAM_FAILURE, message);
        }
        return new Failure(r.statusCode() == 404 ? PrewarmSummary.Row.NOT_FOUND
            : PrewarmSummary.Row.UPSTREAM_FAILURE, message);
      }
      AnswerLine a;
      try {
        a = AnswerLine.parse(r.body());
      } catch (IOException e) {
        a = null;
      }
      return a == null || a.outcome() == null
          ? new Failure(PrewarmSummary.Row.UPSTREAM_FAILURE, "reprox answered no outcome")
          : new Failure(PrewarmSummary.parse(a.outcome()), a.message());
    }

    /** One answer line: its entry by the line number within the batch; anything else is not ours to count. */
    private void answer(List<LockEntry> batch, boolean[] answered, String text) throws IOException {
      AnswerLine a = AnswerLine.parse(text);
      if (a == null) {
        return;
      }
      long number = a.line();
      String outcome = a.outcome();
      String message = a.message();
      if (number < 1 || number > batch.size() || answered[(int) number - 1]) {
        return;
      }
      answered[(int) number - 1] = true;
      listener.answered(batch.get((int) number - 1), outcome == null ? PrewarmSummary.Row.UPSTREAM_FAILURE
          : PrewarmSummary.parse(outcome), outcome == null ? "reprox answered no outcome"
          : "bad_request".equals(outcome) ? "reprox refused the entry: " + message : message);
    }

    /** Records the failure (the first one sticks, for the entries after) and returns it for this batch. */
    private Failure fail(PrewarmSummary.Row row, String message) {
      Failure f = new Failure(row, message);
      synchronized (this) {
        if (failure == null) {
          failure = f;
        }
      }
      return f;
    }

    private void answerAll(List<LockEntry> batch, boolean[] answered, Failure f) {
      for (int i = 0; i < batch.size(); i++) {
        if (!answered[i]) {
          answered[i] = true;
          listener.answered(batch.get(i), f.row(), f.message());
        }
      }
    }
  }

  /**
   * Whether a refusal of the batch request says the server has no batch route: an older reprox's
   * {@value #OLD_SERVER_REFUSAL} ({@code 400}), or {@code 404}/{@code 405} that are not the batch
   * route's own (those say "admin prewarm: …": no store, an unknown repository).
   */
  static boolean olderServer(int status, String body) {
    if (body.contains("admin prewarm:")) {
      return false;
    }
    return status == 404 || status == 405 || (status == 400 && body.contains(OLD_SERVER_REFUSAL));
  }

  private static String enc(String s) {
    return AdminClient.encode(s);
  }

  /**
   * One answer object of the prewarm route, the batch form's line or the per-entry route's body:
   * its {@code line} (-1 when absent), {@code outcome} (null when absent) and {@code message}.
   */
  private record AnswerLine(long line, String outcome, String message) {
    /** Null when {@code text} is not a JSON object. */
    static AnswerLine parse(String text) throws IOException {
      long line = -1;
      String outcome = null;
      String message = "";
      try (JsonParser p = JSON.createParser(text)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          return null;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          switch (name) {
            case "line" -> line = p.getLongValue();
            case "outcome" -> outcome = p.getText();
            case "message" -> message = p.getText();
            default -> p.skipChildren();
          }
        }
      }
      return new AnswerLine(line, outcome, message);
    }
  }

  private static String reason(Exception x) {
    Throwable t = x instanceof UncheckedIOException u ? u.getCause() : x;
    return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
  }

  private record Failure(PrewarmSummary.Row row, String message) {}
}
