package dev.tollgate.iam;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.UUID;

/**
 * First start on an empty database: organization {@code default}, project {@code default}, an
 * admin user and its org-wide owner binding, in one transaction. Later starts find an
 * organization and do nothing, so a restart never bootstraps twice.
 */
public final class Bootstrap {
  /** What the first start created; {@code generatedPassword} is set only when none was given. */
  public record Result(Organization organization, Project project, User admin, String generatedPassword) {}

  private final IamStore store;
  private final Passwords passwords;
  private final InstantSource clock;

  public Bootstrap(IamStore store, Passwords passwords, InstantSource clock) {
    this.store = requireNonNull(store, "store");
    this.passwords = requireNonNull(passwords, "passwords");
    this.clock = requireNonNull(clock, "clock");
  }

  /** Returns what was created, or empty when the database already had an organization. */
  public Optional<Result> runIfEmpty(String adminEmail, String adminPassword) {
    String email = Names.email(adminEmail == null ? "admin@localhost" : adminEmail);
    String password = adminPassword == null || adminPassword.isEmpty() ? null : adminPassword;
    String generated = password == null ? passwords.randomPassword() : null;
    String hash = passwords.hash(password == null ? generated : password);
    return store.inTransaction(tx -> {
      if (tx.anyOrganization()) {
        return Optional.empty();
      }
      Instant now = clock.instant();
      Organization org = new Organization(UUID.randomUUID().toString(), "default", now, null, false);
      Project project = new Project(UUID.randomUUID().toString(), org.id(), "default", now);
      User admin = tx.userByEmail(email).orElse(null);
      tx.insertOrganization(org);
      tx.insertProject(project);
      if (admin == null) {
        admin = new User(UUID.randomUUID().toString(), email, now);
        tx.insertUser(admin, hash);
      }
      tx.insertBinding(new RoleBinding(UUID.randomUUID().toString(), admin.subject().value(), org.id(), null, null,
          SystemRole.OWNER.id(), "system:bootstrap", now));
      tx.audit(AuditEntry.of(org.id(), now, "system:bootstrap", "bootstrap", "organization:" + org.id(), null,
          "admin " + email));
      return Optional.of(new Result(org, project, admin, generated));
    });
  }
}
