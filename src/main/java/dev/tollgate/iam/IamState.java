package dev.tollgate.iam;

import static java.util.Objects.requireNonNull;

/**
 * Holds the current {@link IamSnapshot}. Every IAM change calls {@link #reload()} after its
 * transaction commits and before it answers, so the next request on this node sees the change.
 */
public final class IamState {
  private final IamStore store;
  private volatile IamSnapshot current = IamSnapshot.empty();

  public IamState(IamStore store) {
    this.store = requireNonNull(store, "store");
  }

  public IamSnapshot current() {
    return current;
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
