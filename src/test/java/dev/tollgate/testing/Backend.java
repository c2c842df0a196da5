package dev.tollgate.testing;

import dev.tollgate.db.DatabaseUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The two databases every storage-touching test runs on. Use with JUnit's
 * {@code @ParameterizedClass @EnumSource(Backend.class)}.
 *
 * <p>PostgreSQL is one embedded server per test JVM (started on first use, stopped at exit);
 * each call to {@link #newDatabaseUrl(Path)} gets a fresh, empty database in it.
 */
public enum Backend {
  SQLITE {
    @Override
    public DatabaseUrl newDatabaseUrl(Path dir) {
      return DatabaseUrl.sqliteFile(dir.resolve("tollgate-" + UUID.randomUUID() + ".db"));
    }
  },
  POSTGRESQL {
    @Override
    public DatabaseUrl newDatabaseUrl(Path dir) {
      EmbeddedPostgres pg = EmbeddedPg.get();
      String name = "t_" + UUID.randomUUID().toString().replace("-", "");
      try (Connection c = pg.getPostgresDatabase().getConnection();
          Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE " + name);
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
      return DatabaseUrl.parse(
          "postgresql://postgres:postgres@localhost:" + pg.getPort() + "/" + name, dir);
    }
  };

  /** A URL of a new, empty database of this kind; SQLite files go under {@code dir}. */
  public abstract DatabaseUrl newDatabaseUrl(Path dir);

  private static final class EmbeddedPg {
    private static EmbeddedPostgres instance;

    static synchronized EmbeddedPostgres get() {
      if (instance == null) {
        try {
          instance = EmbeddedPostgres.builder().start();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        EmbeddedPostgres started = instance;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            started.close();
          } catch (IOException ignored) {
            // the JVM is exiting; the temp directory goes with target/
          }
        }));
      }
      return instance;
    }
  }
}
