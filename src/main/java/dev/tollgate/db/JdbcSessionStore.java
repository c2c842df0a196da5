package dev.tollgate.db;

import dev.tollgate.session.Session;
import dev.tollgate.session.SessionStore;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** {@link SessionStore} over JDBC. */
public final class JdbcSessionStore implements SessionStore {
  private final Jdbi jdbi;
  private final Dialect dialect;

  public JdbcSessionStore(Database db) {
    this.jdbi = db.jdbi();
    this.dialect = db.dialect();
  }

  @Override
  public void insert(Session s, java.time.Instant createdAt) {
    jdbi.useHandle(h -> h.createUpdate(
            "INSERT INTO sessions(id_hash, user_id, csrf_sha256, created_at, expires_at) VALUES (:id, :user, :csrf, :at, :exp)")
        .bind("id", s.idSha256()).bind("user", s.user().id()).bind("csrf", s.csrfSha256())
        .bind("at", createdAt.toEpochMilli()).bind("exp", s.expiresAt().toEpochMilli())
        .execute());
  }

  @Override
  public Optional<Session> find(String idSha256) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT s.id_hash, s.csrf_sha256, s.expires_at, u.id, u.email, u.created_at "
                + "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = :id")
        .bind("id", idSha256)
        .map((rs, c) -> new Session(rs.getString("id_hash"), JdbcIamStore.user(rs), rs.getString("csrf_sha256"),
            JdbcIamStore.instant(rs, "expires_at")))
        .findOne());
  }

  @Override
  public void delete(String idSha256) {
    // A revoked session: servers that cached it drop their session caches on the new version.
    jdbi.useTransaction(h -> {
      IamVersion.bump(h, dialect);
      h.createUpdate("DELETE FROM sessions WHERE id_hash = :id").bind("id", idSha256).execute();
    });
  }

  @Override
  public int deleteExpired(Instant now) {
    return jdbi.withHandle(h -> h.createUpdate("DELETE FROM sessions WHERE expires_at <= :now")
        .bind("now", now.toEpochMilli()).execute());
  }

  @Override
  public Optional<UserCredentials> credentials(String email) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM users WHERE email = :email").bind("email", email)
        .map((rs, c) -> new UserCredentials(JdbcIamStore.user(rs), rs.getString("password_hash")))
        .findOne());
  }

  @Override
  public void setPassword(String userId, String passwordHash) {
    // A user changed: an IAM change like any other.
    jdbi.useTransaction(h -> {
      IamVersion.bump(h, dialect);
      h.createUpdate("UPDATE users SET password_hash = :hash WHERE id = :id")
          .bind("id", userId).bind("hash", passwordHash).execute();
    });
  }

  @Override
  public java.util.List<String> deleteOfUser(String userId, String keepIdSha256) {
    return jdbi.inTransaction(h -> {
      IamVersion.bump(h, dialect);
      java.util.List<String> ids = h.createQuery("SELECT id_hash FROM sessions WHERE user_id = :user")
          .bind("user", userId).mapTo(String.class).list().stream()
          .filter(id -> !id.equals(keepIdSha256)).toList();
      for (String id : ids) {
        h.createUpdate("DELETE FROM sessions WHERE id_hash = :id").bind("id", id).execute();
      }
      return ids;
    });
  }
}
