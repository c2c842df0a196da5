package dev.tollgate.iam;

import static java.util.Objects.requireNonNull;

import dev.tollgate.errors.TollgateException;
import java.util.Optional;

/**
 * Answers "may this principal do this here?" from the current snapshot only: no SQL, no IO.
 *
 * <p>Rules: a binding grants its role's permissions in its organization, in every project when it
 * has no project and only in its project otherwise, and only for its entity when it names one.
 * A service account acts only in its own organization; a project-bound token only in its
 * project. Organizations the caller is not a member of do not exist for it (404), so ids of
 * other tenants cannot be probed.
 */
public final class Authorizer {
  /** The answer, with the binding that granted it (for {@code explain}). */
  public record Decision(boolean allowed, RoleBinding grantedBy, String reason) {
    static Decision deny(String reason) {
      return new Decision(false, null, reason);
    }
  }

  private final IamState state;

  public Authorizer(IamState state) {
    this.state = requireNonNull(state, "state");
  }

  public Decision decide(Principal principal, String permission, String organizationId, String projectId, String entity) {
    IamSnapshot s = state.current();
    if (principal == null || permission == null || organizationId == null) {
      return Decision.deny("incomplete request");
    }
    if (!isMember(s, principal, organizationId)) {
      return Decision.deny("not a member of the organization");
    }
    if (projectId != null) {
      Optional<Project> p = s.project(projectId);
      if (p.isEmpty() || !p.get().organizationId().equals(organizationId)) {
        return Decision.deny("project is not in the organization");
      }
    }
    if (principal.tokenProjectId() != null && !principal.tokenProjectId().equals(projectId)) {
      return Decision.deny("the token is bound to project " + principal.tokenProjectId());
    }
    for (RoleBinding b : s.bindings(organizationId, principal.subject().value())) {
      if (!b.appliesTo(projectId, entity)) {
        continue;
      }
      Optional<Role> role = s.role(organizationId, b.role());
      if (role.isPresent() && role.get().permissions().contains(permission)) {
        return new Decision(true, b, "granted");
      }
    }
    return Decision.deny("no role binding grants " + permission);
  }

  public boolean allowed(Principal principal, String permission, String organizationId, String projectId) {
    return decide(principal, permission, organizationId, projectId, null).allowed();
  }

  /**
   * Throws unless allowed: NOT_FOUND when the organization (or the project in it) is unknown to
   * the caller, PERMISSION_DENIED naming the permission otherwise.
   */
  public void require(Principal principal, String permission, String organizationId, String projectId, String entity) {
    IamSnapshot s = state.current();
    if (s.organization(organizationId).isEmpty() || !isMember(s, principal, organizationId)) {
      throw TollgateException.notFound("organization");
    }
    if (projectId != null) {
      Optional<Project> p = s.project(projectId);
      if (p.isEmpty() || !p.get().organizationId().equals(organizationId)) {
        throw TollgateException.notFound("project");
      }
    }
    Decision d = decide(principal, permission, organizationId, projectId, entity);
    if (!d.allowed()) {
      throw TollgateException.permissionDenied(permission);
    }
  }

  public void require(Principal principal, String permission, String organizationId) {
    require(principal, permission, organizationId, null, null);
  }

  /** Throws NOT_FOUND unless the organization exists and the caller is a member of it. */
  public void requireMember(Principal principal, String organizationId) {
    IamSnapshot s = state.current();
    if (s.organization(organizationId).isEmpty() || !isMember(s, principal, organizationId)) {
      throw TollgateException.notFound("organization");
    }
  }

  /** Resolves a project the caller can see at all (any binding in its organization), else 404. */
  public Project visibleProject(Principal principal, String projectId) {
    IamSnapshot s = state.current();
    Optional<Project> p = s.project(projectId);
    if (p.isEmpty() || !isMember(s, principal, p.get().organizationId())) {
      throw TollgateException.notFound("project");
    }
    return p.get();
  }

  /** Members are the organization's own service accounts and subjects with at least one binding in it. */
  public boolean isMember(Principal principal, String organizationId) {
    return isMember(state.current(), principal, organizationId);
  }

  private static boolean isMember(IamSnapshot s, Principal principal, String organizationId) {
    if (principal == null || organizationId == null) {
      return false;
    }
    if (principal.organizationId() != null) {
      return principal.organizationId().equals(organizationId);
    }
    return !s.bindings(organizationId, principal.subject().value()).isEmpty();
  }
}
