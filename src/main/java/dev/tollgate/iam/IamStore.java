package dev.tollgate.iam;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * What IAM needs from persistent storage. Implemented over JDBC in {@code db}; every change
 * runs inside {@link #inTransaction} together with its audit entry.
 */
public interface IamStore {

  /** Loads all IAM state, for a new snapshot. */
  IamSnapshot.Data loadAll();

  <T> T inTransaction(Function<Tx, T> work);

  /**
   * Runs {@code steps} in one database transaction: every {@code inTransaction} of any store on
   * the same database that the steps call joins it, so either all their changes commit or none
   * do. Snapshots reloaded inside the steps may show changes that are later rolled back: the
   * caller reloads them again once this returns or throws.
   */
  <T> T atomically(java.util.function.Supplier<T> steps);

  /** Reads and writes inside one transaction. */
  interface Tx {
    boolean anyOrganization();

    void insertOrganization(Organization o);

    void updateOrganization(Organization o);

    /**
     * Takes the organization's row lock (a no-op update), so quota checks that follow in this
     * transaction serialize with every other one on the same organization, on both databases.
     */
    boolean lockOrganization(String organizationId);

    void insertProject(Project p);

    void renameProject(String projectId, String name);

    void deleteProject(String projectId);

    Optional<User> userByEmail(String email);

    Optional<String> passwordHash(String userId);

    void insertUser(User u, String passwordHash);

    void setPassword(String userId, String passwordHash);

    /** Row lock on the user, so the per-user organization cap serializes across servers. */
    boolean lockUser(String userId);

    /** Organizations whose org-wide owner binding {@code subject} gave itself (see {@code Organizations#create}). */
    long countOrganizationsCreatedBy(String subject);

    void insertRole(Role r, java.time.Instant createdAt);

    void deleteRole(String roleId);

    long countBindingsWithRole(String roleId);

    void insertBinding(RoleBinding b);

    void deleteBinding(String bindingId);

    List<RoleBinding> bindingsOf(String organizationId);

    long countServiceAccounts(String organizationId);

    void insertServiceAccount(ServiceAccount sa);

    /** Deletes the account, its tokens and the bindings whose subject it is. */
    void deleteServiceAccount(ServiceAccount sa);

    void setServiceAccountDisabled(String serviceAccountId, boolean disabled);

    /** Row lock on the account, so token quota checks serialize per account. */
    boolean lockServiceAccount(String serviceAccountId);

    long countTokens(String serviceAccountId);

    void insertToken(ServiceAccountToken token);

    boolean deleteToken(String tokenId);

    void insertInvite(Invite invite, String tokenSha256);

    java.util.Optional<Invite> inviteByTokenSha256(String tokenSha256);

    List<Invite> invitesOf(String organizationId);

    void expireInvite(String inviteId, java.time.Instant at, String by);

    void insertAcceptance(String id, String inviteId, String userId, java.time.Instant at);

    /** (user email, accepted at) of each acceptance, oldest first. */
    List<Invites.Acceptance> acceptancesOf(String inviteId);

    /** Appends one audit entry in the same transaction as the change it describes. */
    void audit(AuditEntry entry);
  }
}
