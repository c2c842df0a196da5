package dev.tollgate.iam;

/** Stores a user's new password and ends the user's sessions; implemented by {@code session.Sessions}. */
@FunctionalInterface
public interface PasswordSetter {
  /** @return how many sessions ended */
  int setPassword(User user, String newPassword);
}
