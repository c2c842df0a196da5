package dev.tollgate.db;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.files.PrivateFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementException;
import org.jdbi.v3.core.statement.StatementExceptions;
import org.sqlite.SQLiteConfig;

/**
 * A pooled, migrated database. Owns the pool; close it on shutdown.
 *
 * <p>SQLite runs in WAL mode with a busy timeout, and every transaction starts with
 * {@code BEGIN IMMEDIATE} so two writers never deadlock on a read-to-write upgrade; the
 * quota checks rely on that serialization. PostgreSQL gets the same SQL; quota checks there
 * serialize on a row lock of the parent (see the repositories).
 */
public final class Database implements AutoCloseable {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Database.class);
  private final DatabaseUrl url;
  private final HikariDataSource dataSource;
  private final Jdbi jdbi;

  private Database(DatabaseUrl url, HikariDataSource dataSource) {
    this.url = url;
    this.dataSource = dataSource;
    this.jdbi = Jdbi.create(dataSource);
    // A failed statement's message names its SQL but never the bound values: those include
    // password hashes and private keys, and exception messages end up in logs.
    jdbi.getConfig(StatementExceptions.class).setMessageRendering(Database::withoutArguments);
  }

  private static String withoutArguments(StatementException e) {
    StatementContext ctx = e.getStatementContext();
    String sql = ctx == null ? null : ctx.getRenderedSql();
    return sql == null ? e.getShortMessage() : e.getShortMessage() + " [statement:\"" + sql + "\"]";
  }

  /** Opens the pool and applies pending migrations. */
  public static Database open(DatabaseUrl url) {
    requireNonNull(url, "url");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url.jdbcUrl());
    config.setPoolName("tollgate-db");
    if (url.user() != null) {
      config.setUsername(url.user());
    }
    if (url.password() != null) {
      config.setPassword(url.password());
    }
    if (url.dialect() == Dialect.SQLITE) {
      createParentDirectory(url.jdbcUrl());
      SQLiteConfig sqlite = new SQLiteConfig();
      sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
      sqlite.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
      sqlite.setBusyTimeout(30_000);
      sqlite.enforceForeignKeys(true);
      sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
      config.setDataSourceProperties(sqlite.toProperties());
      config.setMaximumPoolSize(8);
      // The wait is only for a free pooled connection of this process.
      config.setConnectionTimeout(30_000);
    } else {
      config.setMaximumPoolSize(16);
      // One multi-row INSERT per batch instead of one statement per row: an agent's call brings
      // hundreds of index rows.
      config.addDataSourceProperty("reWriteBatchedInserts", "true");
      // PostgreSQL's error detail quotes row values ("Key (email)=(...) already exists"); keep
      // them out of exception messages for the same reason as the bound values above.
      config.addDataSourceProperty("logServerErrorDetail", "false");
      // A database that cannot be reached answers UNAVAILABLE within a client's deadline (agents
      // retry that) instead of holding the call for Hikari's default 30 s: a new connection gets 5 s
      // to connect, a request 5 s to get one from the pool.
      config.addDataSourceProperty("connectTimeout", "5");
      config.setConnectionTimeout(5_000);
    }
    HikariDataSource ds = new HikariDataSource(config);
    try {
      migrate(ds, url.dialect(), "latest");
    } catch (RuntimeException e) {
      ds.close();
      throw e;
    }
    return new Database(url, ds);
  }

  /** Applies the migrations up to {@code target} ("latest", or a version such as "6" for tests of a migration). */
  static void migrate(javax.sql.DataSource ds, Dialect dialect, String target) {
    Flyway.configure()
        .dataSource(ds)
        .locations("classpath:db/migration")
        .placeholders(Placeholders.of(dialect))
        .target(target)
        .load()
        .migrate();
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  public Dialect dialect() {
    return url.dialect();
  }

  public DatabaseUrl url() {
    return url;
  }

  /** True when a connection can be taken and answers within two seconds; used by {@code /readyz}. */
  public boolean isReachable() {
    try (Connection c = dataSource.getConnection()) {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public void close() {
    dataSource.close();
  }

  private static void createParentDirectory(String jdbcUrl) {
    String file = jdbcUrl.substring("jdbc:sqlite:".length());
    int q = file.indexOf('?');
    if (q >= 0) {
      file = file.substring(0, q);
    }
    if (file.isEmpty() || file.startsWith(":memory:") || file.startsWith("file:")) {
      return;
    }
    Path db = Path.of(file).toAbsolutePath();
    Path parent = db.getParent();
    try {
      PrivateFiles.createDirectories(parent);
      // Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the mode of the
      // database file. A file from an older version (or umask 022) is narrowed, with a warning.
      PrivateFiles.createFileIfMissing(db);
      for (String suffix : new String[] {"", "-wal", "-shm"}) {
        PrivateFiles.restrict(Path.of(db + suffix)).ifPresent(r -> log.warn(
            "{} was accessible to other users ({}); changed to {}", r.path(), r.before(), r.after()));
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot create the database directory " + parent, e);
    }
  }
}
