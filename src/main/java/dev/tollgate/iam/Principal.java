package dev.tollgate.iam;

import static java.util.Objects.requireNonNull;

/**
 * An authenticated caller: a logged-in user, or a service account through one of its tokens.
 *
 * @param organizationId for service accounts the one organization they live in; null for users
 * @param tokenId the token that authenticated a service account, else null
 * @param tokenProjectId the project a project-bound token is limited to, else null
 */
public record Principal(
    Subject subject, String id, String organizationId, String tokenId, String tokenProjectId) {

  public Principal {
    requireNonNull(subject, "subject");
    requireNonNull(id, "id");
  }

  public static Principal user(User user) {
    return new Principal(user.subject(), user.id(), null, null, null);
  }

  public static Principal serviceAccount(ServiceAccount sa, ServiceAccountToken token) {
    return new Principal(sa.subject(), sa.id(), sa.organizationId(), token.id(), token.projectId());
  }

  public boolean isUser() {
    return subject instanceof Subject.User;
  }

  /** How the audit log and {@code created_by} fields name this caller. */
  public String display() {
    return subject.value();
  }
}
