package dev.tollgate.iam;

import dev.tollgate.errors.TollgateException;

/**
 * Whether the in-memory IAM snapshot may be trusted right now. A single server (SQLite) is always
 * current: its own changes reload it synchronously. Servers sharing PostgreSQL learn of other
 * servers' changes from the IAM change feed and trust their snapshot only while the feed has
 * confirmed it recently enough.
 */
public interface Freshness {
  /** The answer every request gets while the snapshot cannot be confirmed; constant. */
  String STALE_MESSAGE = "this server cannot confirm that its access rules are current "
      + "(the database is unreachable); retry";

  /** A server alone on its database. */
  Freshness ALWAYS = new Freshness() {
    @Override
    public boolean isCurrent() {
      return true;
    }

    @Override
    public void requireCurrent() {}
  };

  /** True when the snapshot was confirmed current within the staleness bound; never blocks. */
  boolean isCurrent();

  /**
   * Returns when the snapshot may be trusted, after confirming it against the database if it is
   * older than the bound; otherwise throws {@link TollgateException} UNAVAILABLE with
   * {@link #STALE_MESSAGE}.
   */
  void requireCurrent();

  static TollgateException stale() {
    return TollgateException.unavailable(STALE_MESSAGE);
  }
}
