package dev.tollgate.iam;

import static java.util.Objects.requireNonNull;

import dev.tollgate.errors.TollgateException;
import dev.tollgate.crypto.Sha256;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Invites: an owner invites with a role (and optional project), valid 7 days by default, and
 * may expire it early. Whoever opens the link sets a password and becomes a user with that
 * binding (or, with an existing account, proves it with their password and gains the binding).
 * Creating an invite needs {@code invite.create} and every permission of its role at its scope,
 * as creating the binding directly would.
 */
public final class Invites {
  public static final Duration DEFAULT_VALIDITY = Duration.ofDays(7);
  static final String FOR_ANOTHER_EMAIL = "this invite is for another email address; sign in with the address it was"
      + " sent to, or ask for a new invite";

  /** A new invite; {@code code} is the secret part of the link, returned only here. */
  public record Created(Invite invite, String code) {
    @Override
    public String toString() {
      return "Created[" + invite.id() + ", code=<secret>]";
    }
  }

  /** Who accepted and when. */
  public record Acceptance(String userId, String email, Instant acceptedAt) {}

  private final IamStore store;
  private final IamState state;
  private final Authorizer authorizer;
  private final RoleBindings roleBindings;
  private final Passwords passwords;
  private final PasswordAttempts attempts;
  private final SecureRandom random;
  private final InstantSource clock;

  public Invites(IamStore store, IamState state, Authorizer authorizer, RoleBindings roleBindings, Passwords passwords,
      PasswordAttempts attempts, SecureRandom random, InstantSource clock) {
    this.store = requireNonNull(store, "store");
    this.state = requireNonNull(state, "state");
    this.authorizer = requireNonNull(authorizer, "authorizer");
    this.roleBindings = requireNonNull(roleBindings, "roleBindings");
    this.passwords = requireNonNull(passwords, "passwords");
    this.attempts = requireNonNull(attempts, "attempts");
    this.random = requireNonNull(random, "random");
    this.clock = requireNonNull(clock, "clock");
  }

  public List<Invite> list(Caller caller, String organizationId) {
    authorizer.require(caller.principal(), "invite.list", organizationId);
    return store.inTransaction(tx -> tx.invitesOf(organizationId));
  }

  /** @param email the only address that may accept it, or null for anyone holding the link */
  public Created create(Caller caller, String organizationId, String role, String projectId, Instant expiresAt,
      String email) {
    String project = projectId == null || projectId.isBlank() ? null : Names.uuid("projectId", projectId).toString();
    String mail = email == null ? null : Names.email(email);
    authorizer.require(caller.principal(), "invite.create", organizationId, project, null);
    return issue(caller, organizationId, role, project, expiresAt, mail);
  }

  /**
   * Creates an invite without checking {@code invite.create}, for a caller whose own permission
   * {@link Members#add} already checked; every other check is {@link #create}'s. {@code forEmail}
   * (normalized, or null for anyone) is the only address that may accept it.
   */
  Created issue(Caller caller, String organizationId, String role, String project, Instant expiresAt, String forEmail) {
    Instant now = clock.instant();
    // Validates role and project exactly as a binding would be validated.
    roleBindings.validated(organizationId, "user:local:invitee@invite", project, null, role, caller.actor(), now);
    // Accepting creates the binding with the inviter's authority, so the inviter must be able to grant it.
    authorizer.requireMayGrant(caller.principal(), organizationId, role.trim(), project, null);
    Instant expiry = expiresAt == null ? now.plus(DEFAULT_VALIDITY) : expiresAt;
    if (!expiry.isAfter(now)) {
      throw TollgateException.invalid("expiresAt", "expiresAt must be in the future");
    }
    byte[] b = new byte[24];
    random.nextBytes(b);
    String code = HexFormat.of().formatHex(b);
    Invite invite = new Invite(UUID.randomUUID().toString(), organizationId, role.trim(), project, caller.actor(), expiry,
        now, null, null, 0, forEmail);
    store.inTransaction(tx -> {
      tx.insertInvite(invite, Sha256.hex(code));
      tx.audit(AuditEntry.of(organizationId, now, caller.actor(), "invite.create", "invite:" + invite.id(),
          caller.clientIp(), role + (project == null ? "" : " in project " + project) + " until " + expiry
              + (forEmail == null ? "" : " for " + forEmail)));
      return null;
    });
    return new Created(invite, code);
  }

  public void expire(Caller caller, String organizationId, String inviteId) {
    authorizer.require(caller.principal(), "invite.expire", organizationId);
    Instant now = clock.instant();
    store.inTransaction(tx -> {
      Invite i = tx.invitesOf(organizationId).stream().filter(x -> x.id().equals(inviteId)).findFirst()
          .orElseThrow(() -> TollgateException.notFound("invite"));
      if (i.expiredAt() == null) {
        tx.expireInvite(i.id(), now, caller.actor());
        tx.audit(AuditEntry.of(organizationId, now, caller.actor(), "invite.expire", "invite:" + i.id(),
            caller.clientIp(), null));
      }
      return null;
    });
  }

  public List<Acceptance> acceptances(Caller caller, String organizationId, String inviteId) {
    authorizer.require(caller.principal(), "invite.list", organizationId);
    return store.inTransaction(tx -> {
      tx.invitesOf(organizationId).stream().filter(x -> x.id().equals(inviteId)).findFirst()
          .orElseThrow(() -> TollgateException.notFound("invite"));
      return tx.acceptancesOf(inviteId);
    });
  }

  /** What an invite link shows before accepting: organization name, role, project. Unknown or closed -> 404. */
  public Invite lookup(String code) {
    Invite i = find(code);
    if (!i.isOpen(clock.instant())) {
      throw TollgateException.notFound("invite");
    }
    requireCreatorMayStillGrant(i);
    return i;
  }

  /** An invite grants with its creator's authority: none left, nothing granted (409). */
  private void requireCreatorMayStillGrant(Invite i) {
    if (!authorizer.mayStillGrant(i.createdBy(), i.organizationId(), i.roleId(), i.projectId())) {
      throw TollgateException.failedPrecondition("this invite no longer works: " + i.createdBy()
          + " who created it may no longer grant " + i.roleId() + "; ask for a new invite");
    }
  }

  /**
   * Accepts: a new email becomes a user with this password; an existing user must give their
   * own password. Either way the invite's binding is created. Returns the user.
   */
  public User accept(String code, String email, String password, String clientIp) {
    String mail = Names.email(email);
    // Checked before looking the email up, so the answer does not tell whether it has an account.
    Passwords.requirePolicy(password);
    // Throttled like a login, known email or not: whoever holds an invite code could otherwise
    // guess any user's password here without limit.
    attempts.begin(mail, clientIp);
    Instant now = clock.instant();
    User user = store.inTransaction(tx -> {
      Invite i = tx.inviteByTokenSha256(code == null ? "" : Sha256.hex(code)).filter(x -> x.isOpen(now))
          .orElseThrow(() -> TollgateException.notFound("invite"));
      requireCreatorMayStillGrant(i);
      if (!i.admits(mail)) {
        // Before the account is looked up: the answer is the same whether this address has one.
        throw TollgateException.forbidden(FOR_ANOTHER_EMAIL);
      }
      User u = tx.userByEmail(mail).orElse(null);
      if (u == null) {
        u = new User(UUID.randomUUID().toString(), mail, now);
        tx.insertUser(u, passwords.hash(password));
        tx.audit(AuditEntry.of(i.organizationId(), now, u.subject().value(), "user.create", "user:" + u.id(), clientIp,
            "via invite " + i.id()));
      } else if (!passwords.verify(password, tx.passwordHash(u.id()).orElse(""))) {
        throw TollgateException.unauthenticated(Passwords.BAD_CREDENTIALS);
      }
      RoleBinding b = roleBindings.validated(i.organizationId(), u.subject().value(), i.projectId(), null, i.roleId(),
          "invite:" + i.id(), now);
      tx.insertBinding(b);
      tx.insertAcceptance(UUID.randomUUID().toString(), i.id(), u.id(), now);
      tx.audit(AuditEntry.of(i.organizationId(), now, u.subject().value(), "invite.accept", "invite:" + i.id(), clientIp,
          RoleBindings.describe(b)));
      return u;
    });
    attempts.succeeded(mail, clientIp);
    state.reload();
    return user;
  }

  private Invite find(String code) {
    if (code == null || code.length() != 48) {
      throw TollgateException.notFound("invite");
    }
    return store.inTransaction(tx -> tx.inviteByTokenSha256(Sha256.hex(code)))
        .orElseThrow(() -> TollgateException.notFound("invite"));
  }
}
