package dev.tollgate.db;

import com.zaxxer.hikari.HikariDataSource;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.testing.Backend;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Backend.class)
class DatabaseTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  @Test
  void migratesAnEmptyDatabase_andReopensWithoutChanges() {
    DatabaseUrl url = backend.newDatabaseUrl(dir);
    try (Database db = Database.open(url)) {
      assertThat(db.isReachable()).isTrue();
      db.jdbi().useHandle(h -> h.execute(
          "INSERT INTO audit_log(organization_id, at, actor, action) VALUES ('o', 1, 'a', 'x')"));
    }
    try (Database db = Database.open(url)) {
      long n = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM audit_log").mapTo(Long.class).one());
      assertThat(n).isEqualTo(1);
    }
  }

  @Test
  void failedStatement_messageNamesTheSqlButNoBoundValue() {
    try (Database db = Database.open(backend.newDatabaseUrl(dir))) {
      String insert = "INSERT INTO users(id, email, password_hash, created_at) VALUES (:id, :email, :hash, 1)";
      db.jdbi().useHandle(h -> h.createUpdate(insert).bind("id", "u1").bind("email", "dup@example.com")
          .bind("hash", "$argon2id$secret-hash-one").execute());
      assertThatThrownBy(() -> db.jdbi().useHandle(h -> h.createUpdate(insert).bind("id", "u2")
          .bind("email", "dup@example.com").bind("hash", "$argon2id$secret-hash-two").execute()))
          .isInstanceOf(StatementException.class)
          .satisfies(e -> assertThat(e.getMessage()).contains("INSERT INTO users")
              .doesNotContain("secret-hash").doesNotContain("dup@example.com").doesNotContain("u2"));
    }
  }

  @Test
  void profileSummaryMigration_summarizesWhatWasStoredBefore() {
    DatabaseUrl url = backend.newDatabaseUrl(dir);
    try (HikariDataSource ds = migratedTo(url, "6")) {
      Jdbi jdbi = Jdbi.create(ds);
      String insert = "INSERT INTO profiles (id, project_id, series_id, labels, profile_types, kind, received_at,"
          + " segment, byte_offset, byte_length, size, source_id, source_name, node) VALUES (?, 'p1', ?, ?, ?,"
          + " 'PPROF', ?, 'seg', 0, 10, ?, 'tok', 'serviceaccount:s / k', ?)";
      jdbi.useHandle(h -> {
        h.execute(insert, "a", "s1", "{\"__name__\":\"cpu\"}", "[\"cpu:a\",\"cpu:b\"]", 1000L, 5L, "n1");
        h.execute(insert, "b", "s1", "{\"__name__\":\"cpu\"}", "[\"cpu:a\"]", 3000L, 7L, "n2");
        h.execute(insert, "c", "s2", "{\"__name__\":\"mem\"}", "[\"mem:c\"]", 2000L, 11L, null);
      });
    }
    try (Database db = Database.open(url)) {
      Jdbi jdbi = db.jdbi();
      assertThat(rows(jdbi, "SELECT series_id || ':' || first_seen || ':' || last_seen || ':'"
          + " || profiles FROM series ORDER BY series_id"))
          .containsExactly("s1:1000:3000:2", "s2:2000:2000:1");
      assertThat(rows(jdbi, "SELECT s.series_id || ' ' || t.profile_type || ' ' || t.profiles FROM series_types t"
          + " JOIN series s ON s.series_no = t.series_no ORDER BY s.series_id, t.profile_type"))
          .containsExactly("s1 cpu:a 2", "s1 cpu:b 1", "s2 mem:c 1");
      assertThat(rows(jdbi, "SELECT kind || ' ' || total_key || ' ' || profiles || ' ' || bytes"
          + " || ' ' || last_received FROM profile_totals ORDER BY kind, total_key"))
          .containsExactly("NODE n1 1 5 1000", "NODE n2 1 7 3000", "SOURCE tok 3 23 3000");
    }
  }

  @Test
  void seriesNumberMigration_numbersSeriesByFirstArrival_andCountsEachBlobsBytesOnce() {
    DatabaseUrl url = backend.newDatabaseUrl(dir);
    try (HikariDataSource ds = migratedTo(url, "10")) {
      Jdbi jdbi = Jdbi.create(ds);
      String insert = "INSERT INTO profiles (id, project_id, series_id, labels, profile_types, kind, received_at,"
          + " segment, byte_offset, byte_length, size, source_id, source_name, node, stored_by) VALUES (?, 'p1', ?,"
          + " '{}', '[\"cpu:a\"]', ?, ?, 'seg', ?, 10, ?, 'agent', 'serviceaccount:a / k', 'n1', 'node-a')";
      jdbi.useHandle(h -> {
        // one WriteArrow blob (offset 0, 700 bytes) with three label sets, then one pprof (offset 10, 30 bytes)
        h.execute(insert, "a", "late", "ARROW", 2000L, 0L, 700L);
        h.execute(insert, "b", "early", "ARROW", 2000L, 0L, 700L);
        h.execute(insert, "c", "middle", "ARROW", 2000L, 0L, 700L);
        h.execute(insert, "d", "early", "PPROF", 3000L, 10L, 30L);
        String summary = "INSERT INTO series_summary (project_id, series_id, labels, first_seen, last_seen, profiles)"
            + " VALUES ('p1', ?, '{}', ?, ?, ?)";
        h.execute(summary, "late", 2000L, 2000L, 1L);
        h.execute(summary, "early", 1000L, 3000L, 2L);
        h.execute(summary, "middle", 1500L, 2000L, 1L);
        h.execute("INSERT INTO series_profile_types (project_id, series_id, profile_type, profiles)"
            + " VALUES ('p1', 'early', 'cpu:a', 2)");
        h.execute("INSERT INTO profile_totals (project_id, kind, total_key, name, profiles, bytes, last_received)"
            + " VALUES ('p1', 'SOURCE', 'agent', 'serviceaccount:a / k', 4, 2130, 3000),"
            + " ('p1', 'NODE', 'n1', 'n1', 4, 2130, 3000)");
      });
    }
    try (Database db = Database.open(url)) {
      Jdbi jdbi = db.jdbi();
      assertThat(rows(jdbi, "SELECT series_id FROM series ORDER BY series_no"))
          .containsExactly("early", "middle", "late");
      assertThat(rows(jdbi, "SELECT p.id || ' ' || s.series_id || ' ' || p.series_group FROM profiles p"
          + " JOIN series s ON s.series_no = p.series_no ORDER BY p.id"))
          .containsExactly("a late 0", "b early 0", "c middle 0", "d early 0");
      assertThat(rows(jdbi, "SELECT s.series_id || ' ' || t.profile_type || ' ' || t.profiles FROM series_types t"
          + " JOIN series s ON s.series_no = t.series_no"))
          .containsExactly("early cpu:a 2");
      assertThat(rows(jdbi, "SELECT kind || ' ' || profiles || ' ' || bytes FROM profile_totals ORDER BY kind"))
          .containsExactly("NODE 4 730", "SOURCE 4 730");
    }
  }

  /** A database migrated only up to {@code version}, to store data the way an older server did. */
  private static HikariDataSource migratedTo(DatabaseUrl url, String version) {
    HikariDataSource ds = new HikariDataSource();
    ds.setJdbcUrl(url.jdbcUrl());
    ds.setUsername(url.user());
    ds.setPassword(url.password());
    try {
      Database.migrate(ds, url.dialect(), version);
      return ds;
    } catch (RuntimeException e) {
      ds.close();
      throw e;
    }
  }

  private static List<String> rows(Jdbi jdbi, String sql) {
    return jdbi.withHandle(h -> h.createQuery(sql).mapTo(String.class).list());
  }

  @Test
  void parsesPostgresUrls() {
    DatabaseUrl u = DatabaseUrl.parse("postgresql://bob:s%40cret@db.example:6543/tg?sslmode=require", dir);
    assertThat(u.dialect()).isEqualTo(Dialect.POSTGRESQL);
    assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/tg?sslmode=require");
    assertThat(u.user()).isEqualTo("bob");
    assertThat(u.password()).isEqualTo("s@cret");
    assertThat(u.toString()).doesNotContain("s@cret");
  }
}
