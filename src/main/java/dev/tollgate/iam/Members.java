package dev.tollgate.iam;

import static java.util.Objects.requireNonNull;

import dev.tollgate.errors.TollgateException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Organization members: users plus their role bindings in that organization. */
public final class Members {
  /** A user and the bindings that make it a member. */
  public record Member(User user, List<RoleBinding> bindings) {}

  private final IamStore store;
  private final IamState state;
  private final Authorizer authorizer;
  private final RoleBindings roleBindings;
  private final Passwords passwords;
  private final Invites invites;
  private final InstantSource clock;

  public Members(IamStore store, IamState state, Authorizer authorizer, RoleBindings roleBindings,
      Passwords passwords, Invites invites, InstantSource clock) {
    this.invites = requireNonNull(invites, "invites");
    this.store = requireNonNull(store, "store");
    this.state = requireNonNull(state, "state");
    this.authorizer = requireNonNull(authorizer, "authorizer");
    this.roleBindings = requireNonNull(roleBindings, "roleBindings");
    this.passwords = requireNonNull(passwords, "passwords");
    this.clock = requireNonNull(clock, "clock");
  }

  public List<Member> list(Caller caller, String organizationId) {
    authorizer.require(caller.principal(), "rolebinding.list", organizationId);
    return members(organizationId);
  }

  /** The members, without a permission check: for callers that checked their own. */
  private List<Member> members(String organizationId) {
    Map<String, List<RoleBinding>> bySubject = new LinkedHashMap<>();
    for (RoleBinding b : state.current().bindingsOf(organizationId)) {
      if (b.subject().startsWith("user:local:")) {
        bySubject.computeIfAbsent(b.subject().substring("user:local:".length()), k -> new ArrayList<>()).add(b);
      }
    }
    return store.inTransaction(tx -> {
      List<Member> out = new ArrayList<>();
      bySubject.forEach((email, bindings) -> tx.userByEmail(email)
          .ifPresent(u -> out.add(new Member(u, List.copyOf(bindings)))));
      return out;
    });
  }

  /**
   * Adds a member by email. The answer is the same whether the email has an account or not, so
   * it tells nobody who uses this server, and nobody becomes a member without agreeing: every
   * call creates an invite for the role (valid {@link Invites#DEFAULT_VALIDITY}), whose link the
   * caller hands on; an existing user joins by accepting it with their own password. Only for an
   * email without an account, and with {@code password}, is the user created at once with the
   * binding (the admin-made account of a first setup). Needs {@code rolebinding.create} and every
   * permission of the role at the binding's scope, as a binding created directly does.
   */
  public Invites.Created add(Caller caller, String organizationId, String email, String password, String role,
      String projectId) {
    String project = projectId == null || projectId.isBlank() ? null : Names.uuid("projectId", projectId).toString();
    authorizer.require(caller.principal(), "rolebinding.create", organizationId, project, null);
    String mail = Names.email(email);
    if (password != null) {
      // Checked whether or not the email has an account, so a refusal says nothing about it.
      Passwords.requirePolicy(password);
    }
    Instant now = clock.instant();
    RoleBinding binding = roleBindings.validated(organizationId, Subject.User.local(mail).value(), project, null,
        role, caller.actor(), now);
    authorizer.requireMayGrant(caller.principal(), organizationId, binding.role(), binding.projectId(), null);
    if (password != null) {
      String hash = passwords.hash(password);
      store.inTransaction(tx -> {
        if (tx.userByEmail(mail).isPresent()) {
          return null; // an account of its own: it joins through the invite, if its owner wants to
        }
        User u = new User(UUID.randomUUID().toString(), mail, now);
        tx.insertUser(u, hash);
        tx.audit(AuditEntry.of(organizationId, now, caller.actor(), "user.create", "user:" + u.id(), caller.clientIp(), mail));
        tx.insertBinding(binding);
        tx.audit(AuditEntry.of(organizationId, now, caller.actor(), "rolebinding.create", "rolebinding:" + binding.id(),
            caller.clientIp(), RoleBindings.describe(binding)));
        return null;
      });
      state.reload();
    }
    return invites.issue(caller, organizationId, binding.role(), project, null, mail);
  }

  /** Removes the user from the organization: all their bindings there go, in one transaction. */
  public void remove(Caller caller, String organizationId, String userId) {
    authorizer.require(caller.principal(), "rolebinding.delete", organizationId);
    Member m = members(organizationId).stream()
        .filter(x -> x.user().id().equals(userId))
        .findFirst()
        .orElseThrow(() -> TollgateException.notFound("user"));
    roleBindings.deleteAll(caller, organizationId, m.bindings(), "member.remove");
  }

  /** A reset: the member and their new password, shown once. */
  public record Reset(User user, String password, int sessionsEnded) {
    @Override
    public String toString() {
      return "Reset[" + user.email() + "]";
    }
  }

  /**
   * Gives a member a new random password (shown once, in the answer) and ends all their
   * sessions. Whoever learns the password can act as the member everywhere, so the caller needs
   * {@code rolebinding.create} in this organization and must hold every permission of each of the
   * member's bindings, in every organization, at its scope ("cannot reset the password of X: you
   * lack P ..."); a member of no binding here is a 404.
   */
  public Reset resetPassword(Caller caller, String organizationId, String userId, PasswordSetter setter) {
    authorizer.require(caller.principal(), "rolebinding.create", organizationId);
    Member m = members(organizationId).stream()
        .filter(x -> x.user().id().equals(userId))
        .findFirst()
        .orElseThrow(() -> TollgateException.notFound("user"));
    String subject = m.user().subject().value();
    IamSnapshot s = state.current();
    for (Organization o : s.organizations()) {
      for (RoleBinding b : s.bindings(o.id(), subject)) {
        Role role = s.role(o.id(), b.role()).orElse(null);
        if (role != null) {
          authorizer.requireHoldsAll(caller.principal(), role.permissions(), o.id(), b.projectId(), b.entity(),
              "reset the password of " + m.user().email() + (o.id().equals(organizationId) ? "" : " (a member of "
                  + o.name() + " too)"));
        }
      }
    }
    String password = passwords.randomPassword();
    int ended = setter.setPassword(m.user(), password);
    store.inTransaction(tx -> {
      tx.audit(AuditEntry.of(organizationId, clock.instant(), caller.actor(), "user.password.reset",
          "user:" + m.user().id(), caller.clientIp(), m.user().email() + "; " + ended + " session"
              + (ended == 1 ? "" : "s") + " ended"));
      return null;
    });
    return new Reset(m.user(), password, ended);
  }
}
