package dev.reprox.server.http;

import dev.reprox.config.RepositoryConfig;
import dev.reprox.pinning.TimeSpec;
import dev.reprox.pinning.TimeSpecException;
import dev.reprox.server.fetch.FetchRequest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Mirror mode's request shape: {@code /<repo>/<path>} (live) or {@code /<repo>/@<T>/<path>} (the
 * repository as it was at T). Produces the same {@link FetchRequest} value forward mode will.
 */
final class MirrorPath {
  private MirrorPath() {}

  /** Thrown for an unparseable T; the message names the accepted forms. */
  static final class BadTime extends Exception {
    private static final long serialVersionUID = 1L;

    BadTime(String message) {
      super(message);
    }
  }

  /** The request below {@code repository}; an empty path comes back as {@code ""}. */
  static FetchRequest parse(RepositoryConfig repository, RequestPath path) throws BadTime {
    List<String> segments = path.segments();
    if (segments.size() < 2 || !segments.get(1).startsWith("@")) {
      return new FetchRequest(repository, path.rest());
    }
    Instant at;
    try {
      at = TimeSpec.parse(segments.get(1).substring(1));
    } catch (TimeSpecException e) {
      throw new BadTime("bad time in /" + repository.name() + "/" + segments.get(1) + "/: " + e.getMessage());
    }
    String rest = segments.size() <= 2 ? "" : String.join("/", segments.subList(2, segments.size()));
    return new FetchRequest(repository, rest, Optional.of(at), null, null);
  }
}
