package dev.reprox.pinning;

import java.util.Objects;

/** No answer for (repo, root, T); the kind says why, the message names repo, root, T and the reason. */
public final class ResolveException extends Exception {
  private static final long serialVersionUID = 1L;

  public enum Kind {
    /** Policy {@code strict} and the candidate is not proven (→ 503 with the reason). Nothing pinned. */
    UNPROVEN,
    /**
     * No generation of the root is known at all and the snapshot server gave none: the proxy may
     * fetch the root live, record it and resolve again (offline → 503). Nothing pinned.
     */
    NO_GENERATION,
    /** A pin names a generation the store no longer has (store damage; → 500). */
    PIN_WITHOUT_GENERATION
  }

  private final Kind kind;

  public ResolveException(Kind kind, String message) {
    super(message);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public Kind kind() {
    return kind;
  }
}
