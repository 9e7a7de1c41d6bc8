package dev.reprox.server.trust;

import dev.reprox.pinning.Resolution;
import dev.reprox.pinning.ResolveException;
import dev.reprox.pinning.Resolver;
import dev.reprox.pinning.RootGroup;
import dev.reprox.pinning.RootIndex;
import dev.reprox.server.fetch.FetchException;
import dev.reprox.server.fetch.FetchRequest;
import dev.reprox.server.fetch.PinReporter;
import dev.reprox.server.fetch.Provenance;
import dev.reprox.server.fetch.SignedRepository;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which generation of a root answers a request: live (the revalidated root) or at T (resolved
 * and pinned, counted by {@link PinReporter}), with the provenance its response carries; and which
 * observed roots could name a path. Blocking (storage, verification, a live round when T names no
 * known generation): call it off the event loop.
 */
public final class Generations {
  /** A generation chosen for a request, with the headers it gives the response. */
  public record Gen(String root, RootIndex index, Digest signature, Provenance provenance) {}

  private final Storage storage;
  private final Roots roots;
  private final Resolver resolver;
  private final PinReporter pins;

  public Generations(Storage storage, Roots roots, Resolver resolver, PinReporter pins) {
    this.storage = storage;
    this.roots = roots;
    this.resolver = resolver;
    this.pins = pins;
  }

  /** The generation of {@code root} for {@code at} (empty: live), with its headers. */
  public Gen of(SignedRepository r, String root, Optional<Instant> at) throws IOException {
    return at.isEmpty() ? liveGen(r, root) : at(r, root, at.get());
  }

  private Gen liveGen(SignedRepository r, String root) throws IOException {
    Roots.Live live = roots.liveBlocking(r, root, false);
    return new Gen(root, live.index(), live.signature(), liveProvenance(live.index()));
  }

  /** The generation of {@code root} at {@code t}, pinned (live when T is after now). */
  public Gen at(SignedRepository r, String root, Instant t) throws IOException {
    Resolution res;
    try {
      res = resolve(r, root, t);
    } catch (FetchException e) {
      if (e.kind() == FetchException.Kind.UNPROVEN) {
        pins.refused(r.name());
      }
      throw e;
    }
    pins.answered(res); // here, where a resolution becomes an answer: counted, and warned about once
    if (res.status() == Resolution.Status.LIVE) {
      return liveGen(r, root); // T after now: not knowable yet, never pinned
    }
    Digest digest = res.generation().orElseThrow().digest();
    RootIndex index = roots.loadOrRefetchBlocking(r, root, digest, Optional.of(t));
    Provenance p = new Provenance(Optional.of(digest), Optional.of(index.publishedAt()),
        Optional.of(res.headerValue()), true, false, Optional.of(r.name() + "/" + root));
    return new Gen(root, index, roots.signatureOf(r, root, digest).orElse(null), p);
  }

  public Resolution resolve(SignedRepository r, String root, Instant t) throws IOException {
    try {
      return resolver.resolve(r.name(), root, t, r.policy());
    } catch (ResolveException e) {
      switch (e.kind()) {
        case UNPROVEN -> throw new FetchException(FetchException.Kind.UNPROVEN, e.getMessage());
        case PIN_WITHOUT_GENERATION -> throw new FetchException(FetchException.Kind.PIN_BROKEN, e.getMessage()
            + "; restore that generation (import a bundle holding it) to answer T again");
        default -> { }
      }
      if (roots.offline(r)) {
        throw new FetchException(FetchException.Kind.OFFLINE, e.getMessage() + "; repository " + r.name()
            + " is offline");
      }
      roots.liveBlocking(r, root, true); // observe the live root once, then ask again
      try {
        return resolver.resolve(r.name(), root, t, r.policy());
      } catch (ResolveException again) {
        boolean unproven = again.kind() == ResolveException.Kind.UNPROVEN;
        throw new FetchException(unproven ? FetchException.Kind.UNPROVEN : FetchException.Kind.NOT_FOUND,
            again.getMessage(), unproven ? null : "No generation known at T");
      }
    }
  }

  public static Provenance liveProvenance(RootIndex index) {
    return new Provenance(Optional.of(index.digest()), Optional.of(index.publishedAt()), Optional.of("live"), false,
        false);
  }

  /**
   * {@link #primaryRoots}, except that none at all while offline is a 503, not a 404: nothing says
   * the path does not exist, reprox has only never seen an index that would list it.
   */
  public List<String> knownRoots(SignedRepository r, FetchRequest request, String path) throws IOException {
    List<String> out = primaryRoots(r, path);
    if (out.isEmpty() && roots.offline(r)) {
      throw FetchException.offline(request, "no root index of repository " + r.name() + " that could list it was"
          + " ever fetched, and " + roots.offlineSwitch(r));
    }
    return out;
  }

  /**
   * The roots to consult for {@code path} (null: any, for packages): observed roots whose
   * directory contains the path, with the inline root of a group standing for the whole group.
   */
  public List<String> primaryRoots(SignedRepository r, String path) throws IOException {
    List<String> observed = storage.observations().roots(r.name());
    List<String> out = new ArrayList<>();
    for (String root : observed) {
      Optional<RootGroup> g = r.format().rootGroup(root);
      Optional<String> inline = g.flatMap(RootGroup::inline);
      if (inline.isPresent() && !inline.get().equals(root) && observed.contains(inline.get())) {
        continue;
      }
      int slash = root.lastIndexOf('/');
      String dir = slash < 0 ? "" : root.substring(0, slash + 1);
      if (path == null || path.startsWith(dir)) {
        out.add(root);
      }
    }
    return out;
  }
}
