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

  /** Stores a new password hash for the user. */
  void setPassword(String userId, String passwordHash);

  /** Ends every session of the user except {@code keepIdSha256} (null: all); returns the hashes ended. */
  java.util.List<String> deleteOfUser(String userId, String keepIdSha256);

  /** A user and the stored Argon2id hash of their password. */
  record UserCredentials(dev.tollgate.iam.User user, String passwordHash) {}
}
