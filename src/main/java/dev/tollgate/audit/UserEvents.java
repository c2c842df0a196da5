package dev.tollgate.audit;

import static java.util.Objects.requireNonNull;

import dev.tollgate.iam.AuditEntry;
import dev.tollgate.iam.IamSnapshot;
import dev.tollgate.iam.IamState;
import dev.tollgate.iam.Organization;
import dev.tollgate.iam.Subject;
import dev.tollgate.session.SessionEvents;
import java.time.Instant;
import java.util.List;

/**
 * Files a user's session events (log-in, failed log-in, log-out, password change) in the audit
 * log of every organization the user is a member of, so each organization's owners see them; an
 * event of no known account, or of a user of no organization, goes to the operator's organization.
 * Written asynchronously, like refused tokens: a flood of failed log-ins costs batched inserts.
 */
public final class UserEvents implements SessionEvents {
  private final AuditLog audit;
  private final IamState iam;

  public UserEvents(AuditLog audit, IamState iam) {
    this.audit = requireNonNull(audit, "audit");
    this.iam = requireNonNull(iam, "iam");
  }

  @Override
  public void record(Instant at, String email, String action, String clientIp, String detail) {
    String actor = email == null ? "anonymous" : Subject.User.local(email).value();
    String target = email == null ? null : actor;
    for (String org : organizationsOf(iam.current(), actor, email != null)) {
      audit.appendAsync(AuditEntry.of(org, at, actor, action, target, clientIp, detail));
    }
  }

  /** The organizations where {@code subject} has a binding; a list holding null (operator's) if none. */
  static List<String> organizationsOf(IamSnapshot s, String subject, boolean known) {
    List<String> orgs = known
        ? s.organizations().stream().map(Organization::id).filter(o -> !s.bindings(o, subject).isEmpty()).toList()
        : List.of();
    return orgs.isEmpty() ? java.util.Collections.singletonList(null) : orgs;
  }
}
