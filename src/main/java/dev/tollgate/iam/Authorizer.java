package dev.tollgate.iam;

import static java.util.Objects.requireNonNull;

import dev.tollgate.errors.TollgateException;
import java.util.Collection;
import java.util.Optional;

/**
 * Answers "may this principal do this here?" from the current snapshot only: no SQL, no IO.
 *
 * <p>Rules: a binding grants its role's permissions in its organization, in every project when it
 * has no project and only in its project otherwise, and only for its entity when it names one.
 * A service account acts only in its own organization; a project-bound token only in its
 * project. Organizations the caller is not a member of do not exist for it (404), so ids of
 * other tenants cannot be probed.
 *
 * <p>Nobody may hand out more than they hold: whoever creates a binding or an invite must hold
 * every permission of its role at its scope ({@link #requireMayGrant}), and whoever mints a
 * credential must hold every permission it carries ({@link #requireHoldsAll},
 * {@link #requireHoldsAllOf}). Owners hold every permission, so nothing changes for them.
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

  /**
   * Throws PERMISSION_DENIED unless the principal holds every one of {@code permissions} at this
   * scope (org-wide when {@code projectId} is null, else in the project; for {@code entity} when
   * given; a broader binding of the principal counts). The message names what was refused, the
   * first missing permission and the scope: "cannot {@code what}: you lack X in project P".
   * The caller has already resolved the organization and project (404s are its business).
   */
  public void requireHoldsAll(Principal principal, Collection<String> permissions, String organizationId,
      String projectId, String entity, String what) {
    for (String permission : permissions) {
      if (!decide(principal, permission, organizationId, projectId, entity).allowed()) {
        throw TollgateException.forbidden("cannot " + what + ": you lack " + permission + " " + scope(projectId, entity));
      }
    }
  }

  /**
   * The grant rule for bindings and invites: the principal must hold every permission of
   * {@code roleId} at the binding's scope ("cannot grant R: you lack X in this organization").
   * An unknown role is refused too (callers validate it first, so that is a 400 before here).
   */
  public void requireMayGrant(Principal principal, String organizationId, String roleId, String projectId,
      String entity) {
    String what = "grant " + roleId;
    Role role = state.current().role(organizationId, roleId)
        .orElseThrow(() -> TollgateException.forbidden("cannot " + what + ": unknown role " + roleId));
    requireHoldsAll(principal, role.permissions(), organizationId, projectId, entity, what);
  }

  /**
   * The rule for minting a token for {@code account}: the principal must hold every permission
   * the account holds, at each scope it holds it. For a token bound to {@code tokenProjectId}
   * only what the account holds in that project counts: its bindings there and its org-wide
   * ones, each checked in that project; bindings of other projects are out of the token's reach.
   */
  public void requireHoldsAllOf(Principal principal, ServiceAccount account, String tokenProjectId) {
    IamSnapshot s = state.current();
    String org = account.organizationId();
    String what = "create a token for " + account.subject().value();
    for (RoleBinding b : s.bindings(org, account.subject().value())) {
      if (tokenProjectId != null && b.projectId() != null && !b.projectId().equals(tokenProjectId)) {
        continue;
      }
      Optional<Role> role = s.role(org, b.role());
      if (role.isEmpty()) {
        continue; // grants nothing (roles in use cannot be deleted, so this is a race at most)
      }
      requireHoldsAll(principal, role.get().permissions(), org, tokenProjectId != null ? tokenProjectId : b.projectId(),
          b.entity(), what);
    }
  }

  /**
   * Whether {@code creator} (a subject as recorded in {@code created_by}) may still grant
   * {@code roleId} at this scope. An invite carries its creator's authority until it is accepted,
   * so it stops working once the creator is removed from the organization, is a disabled or
   * deleted service account, or lost a permission of the role.
   */
  public boolean mayStillGrant(String creator, String organizationId, String roleId, String projectId) {
    Optional<Principal> principal = principalOf(creator, organizationId);
    Optional<Role> role = state.current().role(organizationId, roleId);
    if (principal.isEmpty() || role.isEmpty()) {
      return false;
    }
    return role.get().permissions().stream()
        .allMatch(p -> decide(principal.get(), p, organizationId, projectId, null).allowed());
  }

  /** The principal a recorded subject stands for now; empty for a gone or disabled service account. */
  private Optional<Principal> principalOf(String subject, String organizationId) {
    Subject parsed;
    try {
      parsed = Subject.parse(subject);
    } catch (TollgateException e) {
      return Optional.empty();
    }
    return switch (parsed) {
      // Decisions for users read only the subject (its bindings); the id is not consulted.
      case Subject.User u -> Optional.of(new Principal(u, subject, null, null, null));
      case Subject.ServiceAccount sa -> state.current().serviceAccountByName(organizationId, sa.name())
          .filter(a -> !a.disabled())
          .map(a -> new Principal(a.subject(), a.id(), organizationId, null, null));
    };
  }

  private static String scope(String projectId, String entity) {
    String where = projectId == null ? "in this organization" : "in project " + projectId;
    return entity == null ? where : "for " + entity + " " + where;
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
