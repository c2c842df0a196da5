package dev.tollgate.iam;

import static java.util.Objects.requireNonNull;

/**
 * Holds the current {@link IamSnapshot}. Every IAM change calls {@link #reload()} after its
 * transaction commits and before it answers, so the next request on this node sees the change.
 * Changes made by other nodes arrive through the IAM change feed, which also reloads; while the
 * feed cannot confirm the snapshot is current ({@link Freshness}), {@link #current()} refuses
 * rather than answer from rules that may have been revoked.
 */
public final class IamState {
  private final IamStore store;
  private final Freshness freshness;
  private volatile IamSnapshot current = IamSnapshot.empty();

  public IamState(IamStore store) {
    this(store, Freshness.ALWAYS);
  }

  public IamState(IamStore store, Freshness freshness) {
    this.store = requireNonNull(store, "store");
    this.freshness = requireNonNull(freshness, "freshness");
  }

  /**
   * The snapshot every authorization decision reads.
   *
   * @throws dev.tollgate.errors.TollgateException UNAVAILABLE when it cannot be confirmed current
   */
  public IamSnapshot current() {
    freshness.requireCurrent();
    return current;
  }

  /** The last snapshot loaded, unchecked: for tests and tooling, never for a decision. */
  public IamSnapshot lastLoaded() {
    return current;
  }

  public Freshness freshness() {
    return freshness;
  }

  /**
   * Loads everything again. Serialized, so the snapshot published last was loaded after the
   * last committed change that asked for it.
   */
  public synchronized IamSnapshot reload() {
    current = new IamSnapshot(store.loadAll());
    return current;
  }
}
