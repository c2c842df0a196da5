package dev.tollgate.iam;

import java.time.Instant;

/** A human who logs in with email and password. The password hash never leaves the store. */
public record User(String id, String email, Instant createdAt) {
  public Subject.User subject() {
    return Subject.User.local(email);
  }
}
