package dev.tollgate.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.jdbi.v3.core.Handle;

/**
 * The IAM version row ({@code iam_version}, see {@code V13__iam_version.sql}): raised inside every
 * IAM-changing transaction, read by the servers that keep a snapshot of IAM state in memory.
 */
public final class IamVersion {
  /** The PostgreSQL channel the new version is announced on after each commit. */
  public static final String CHANNEL = "tollgate_iam";

  static final String SELECT = "SELECT version FROM iam_version WHERE id = 1";

  private IamVersion() {}

  /**
   * Raises the version in the transaction of {@code h}. On PostgreSQL also queues a notification
   * carrying the new version: {@code pg_notify} inside the transaction is delivered on commit only,
   * so a rolled-back change announces nothing. The update takes the row's lock until commit, so
   * concurrent IAM changes commit one after the other with increasing versions.
   */
  static void bump(Handle h, Dialect dialect) {
    h.createUpdate("UPDATE iam_version SET version = version + 1 WHERE id = 1").execute();
    if (dialect == Dialect.POSTGRESQL) {
      h.createQuery("SELECT pg_notify('" + CHANNEL + "', CAST(version AS TEXT)) FROM iam_version WHERE id = 1")
          .mapTo(String.class).one();
    }
  }

  /** The committed version, read on {@code h}. */
  public static long read(Handle h) {
    return h.createQuery(SELECT).mapTo(Long.class).one();
  }

  /** The committed version, read on a plain JDBC connection (the listener's own). */
  public static long read(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(SELECT)) {
      if (!rs.next()) {
        throw new SQLException("iam_version has no row");
      }
      return rs.getLong(1);
    }
  }
}
