package dev.tollgate.session;

import java.util.Optional;

/** Persistence of sessions, implemented over JDBC in {@code db}. */
public interface SessionStore {
  void insert(Session session, java.time.Instant createdAt);

  Optional<Session> find(String idSha256);

  void delete(String idSha256);

  /** Deletes every session that expired at or before {@code now}; returns how many. */
  int deleteExpired(java.time.Instant now);

  /** Looks a user and their password hash up by email, for the password check. */
  Optional<UserCredentials> credentials(String email);

  /** A user and the stored Argon2id hash of their password. */
  record UserCredentials(dev.tollgate.iam.User user, String passwordHash) {}
}
