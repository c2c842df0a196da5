package dev.tollgate.db;

import static org.assertj.core.api.Assertions.assertThat;

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
  void parsesPostgresUrls() {
    DatabaseUrl u = DatabaseUrl.parse("postgresql://bob:s%40cret@db.example:6543/tg?sslmode=require", dir);
    assertThat(u.dialect()).isEqualTo(Dialect.POSTGRESQL);
    assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/tg?sslmode=require");
    assertThat(u.user()).isEqualTo("bob");
    assertThat(u.password()).isEqualTo("s@cret");
    assertThat(u.toString()).doesNotContain("s@cret");
  }
}
