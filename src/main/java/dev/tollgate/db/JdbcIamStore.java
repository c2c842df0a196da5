package dev.tollgate.db;

import static java.util.Objects.requireNonNull;

import dev.tollgate.iam.AuditEntry;
import dev.tollgate.iam.IamSnapshot;
import dev.tollgate.iam.IamStore;
import dev.tollgate.iam.Invite;
import dev.tollgate.iam.Invites;
import dev.tollgate.iam.Organization;
import dev.tollgate.iam.Project;
import dev.tollgate.iam.Role;
import dev.tollgate.iam.RoleBinding;
import dev.tollgate.iam.ServiceAccount;
import dev.tollgate.iam.ServiceAccountToken;
import dev.tollgate.iam.User;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** {@link IamStore} over JDBC; the same SQL on SQLite and PostgreSQL. */
public final class JdbcIamStore implements IamStore {
  private final Jdbi jdbi;
  private final Dialect dialect;

  public JdbcIamStore(Database db) {
    this.jdbi = requireNonNull(db, "db").jdbi();
    this.dialect = db.dialect();
  }

  @Override
  public IamSnapshot.Data loadAll() {
    return jdbi.inTransaction(h -> new IamSnapshot.Data(
        h.createQuery("SELECT * FROM organizations ORDER BY created_at, id").map((rs, c) -> organization(rs)).list(),
        h.createQuery("SELECT * FROM projects ORDER BY created_at, id").map((rs, c) -> project(rs)).list(),
        h.createQuery("SELECT * FROM roles ORDER BY created_at, id").map((rs, c) -> role(rs)).list(),
        h.createQuery("SELECT * FROM role_bindings ORDER BY created_at, id").map((rs, c) -> binding(rs)).list(),
        h.createQuery("SELECT * FROM service_accounts ORDER BY created_at, id").map((rs, c) -> serviceAccount(rs)).list(),
        h.createQuery("SELECT * FROM service_account_tokens ORDER BY created_at, id").map((rs, c) -> token(rs)).list()));
  }

  @Override
  public <T> T inTransaction(Function<Tx, T> work) {
    return jdbi.inTransaction(h -> work.apply(new JdbcTx(h, dialect)));
  }

  @Override
  public <T> T atomically(java.util.function.Supplier<T> steps) {
    // Jdbi keeps the outer handle for this thread: nested inTransaction calls reuse it and its
    // transaction instead of opening their own.
    return jdbi.inTransaction(h -> steps.get());
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(v);
  }

  static Long millis(Instant i) {
    return i == null ? null : i.toEpochMilli();
  }

  static Organization organization(ResultSet rs) throws SQLException {
    long lifetime = rs.getLong("max_token_lifetime_seconds");
    Long maxLifetime = rs.wasNull() ? null : lifetime;
    return new Organization(rs.getString("id"), rs.getString("name"), instant(rs, "created_at"), maxLifetime,
        rs.getBoolean("legacy_tokens_frozen"));
  }

  static Project project(ResultSet rs) throws SQLException {
    return new Project(rs.getString("id"), rs.getString("organization_id"), rs.getString("name"), instant(rs, "created_at"));
  }

  static Role role(ResultSet rs) throws SQLException {
    String perms = rs.getString("permissions");
    return new Role(rs.getString("id"), rs.getString("name"), rs.getString("organization_id"),
        perms.isEmpty() ? List.of() : Arrays.asList(perms.split(" ")), false, rs.getString("created_by"));
  }

  static RoleBinding binding(ResultSet rs) throws SQLException {
    return new RoleBinding(rs.getString("id"), rs.getString("subject"), rs.getString("organization_id"),
        rs.getString("project_id"), rs.getString("entity"), rs.getString("role_id"), rs.getString("created_by"),
        instant(rs, "created_at"));
  }

  static ServiceAccount serviceAccount(ResultSet rs) throws SQLException {
    return new ServiceAccount(rs.getString("id"), rs.getString("organization_id"), rs.getString("name"),
        instant(rs, "created_at"), rs.getString("created_by"), rs.getBoolean("disabled"));
  }

  static ServiceAccountToken token(ResultSet rs) throws SQLException {
    return new ServiceAccountToken(rs.getString("id"), rs.getString("service_account_id"), rs.getString("name"),
        rs.getString("token_sha256"), rs.getString("project_id"), instant(rs, "created_at"), rs.getString("created_by"),
        instant(rs, "expires_at"), instant(rs, "last_used_at"));
  }

  static Invite invite(ResultSet rs) throws SQLException {
    return new Invite(rs.getString("id"), rs.getString("organization_id"), rs.getString("role_id"),
        rs.getString("project_id"), rs.getString("created_by"), instant(rs, "expires_at"), instant(rs, "created_at"),
        instant(rs, "expired_at"), rs.getString("expired_by"), rs.getLong("acceptance_count"),
        rs.getString("email"));
  }

  static User user(ResultSet rs) throws SQLException {
    return new User(rs.getString("id"), rs.getString("email"), instant(rs, "created_at"));
  }

  /**
   * One transaction's view; not thread-safe, lives only inside {@link #inTransaction}. Every write
   * raises the IAM version first (once per transaction), so the version row is the first lock an
   * IAM change takes and other servers learn of the change from the committed version.
   */
  static class JdbcTx implements Tx {
    final Handle h;
    private final Dialect dialect;
    private boolean changed;

    JdbcTx(Handle h, Dialect dialect) {
      this.h = h;
      this.dialect = dialect;
    }

    /** Marks this transaction as an IAM change: raises the version, once. */
    void changed() {
      if (!changed) {
        IamVersion.bump(h, dialect);
        changed = true;
      }
    }

    @Override
    public boolean anyOrganization() {
      return h.createQuery("SELECT COUNT(*) FROM organizations").mapTo(Long.class).one() > 0;
    }

    @Override
    public void insertOrganization(Organization o) {
      changed();
      h.createUpdate("INSERT INTO organizations(id, name, created_at, max_token_lifetime_seconds, legacy_tokens_frozen) "
              + "VALUES (:id, :name, :at, :lifetime, :frozen)")
          .bind("id", o.id()).bind("name", o.name()).bind("at", millis(o.createdAt()))
          .bind("lifetime", o.maxTokenLifetimeSeconds()).bind("frozen", o.legacyTokensFrozen())
          .execute();
    }

    @Override
    public void updateOrganization(Organization o) {
      changed();
      h.createUpdate("UPDATE organizations SET name = :name, max_token_lifetime_seconds = :lifetime, "
              + "legacy_tokens_frozen = :frozen WHERE id = :id")
          .bind("id", o.id()).bind("name", o.name())
          .bind("lifetime", o.maxTokenLifetimeSeconds()).bind("frozen", o.legacyTokensFrozen())
          .execute();
    }

    @Override
    public boolean lockOrganization(String organizationId) {
      changed();
      return h.createUpdate("UPDATE organizations SET lock_version = lock_version + 1 WHERE id = :id")
          .bind("id", organizationId).execute() == 1;
    }

    @Override
    public void insertProject(Project p) {
      changed();
      h.createUpdate("INSERT INTO projects(id, organization_id, name, created_at) VALUES (:id, :org, :name, :at)")
          .bind("id", p.id()).bind("org", p.organizationId()).bind("name", p.name()).bind("at", millis(p.createdAt()))
          .execute();
    }

    @Override
    public void renameProject(String projectId, String name) {
      changed();
      h.createUpdate("UPDATE projects SET name = :name WHERE id = :id").bind("id", projectId).bind("name", name).execute();
    }

    @Override
    public void deleteProject(String projectId) {
      changed();
      // Explicit deletes as well as the foreign keys: SQLite enforces them only when enabled.
      h.createUpdate("DELETE FROM role_bindings WHERE project_id = :id").bind("id", projectId).execute();
      h.createUpdate("DELETE FROM service_account_tokens WHERE project_id = :id").bind("id", projectId).execute();
      h.createUpdate("DELETE FROM projects WHERE id = :id").bind("id", projectId).execute();
    }

    @Override
    public Optional<User> userByEmail(String email) {
      return h.createQuery("SELECT * FROM users WHERE email = :email").bind("email", email)
          .map((rs, c) -> user(rs)).findOne();
    }

    @Override
    public Optional<String> passwordHash(String userId) {
      return h.createQuery("SELECT password_hash FROM users WHERE id = :id").bind("id", userId)
          .mapTo(String.class).findOne();
    }

    @Override
    public void insertUser(User u, String passwordHash) {
      changed();
      h.createUpdate("INSERT INTO users(id, email, password_hash, created_at) VALUES (:id, :email, :hash, :at)")
          .bind("id", u.id()).bind("email", u.email()).bind("hash", passwordHash).bind("at", millis(u.createdAt()))
          .execute();
    }

    @Override
    public void setPassword(String userId, String passwordHash) {
      changed();
      h.createUpdate("UPDATE users SET password_hash = :hash WHERE id = :id").bind("id", userId).bind("hash", passwordHash)
          .execute();
    }

    @Override
    public void insertRole(Role r, Instant createdAt) {
      changed();
      h.createUpdate("INSERT INTO roles(id, organization_id, name, permissions, created_by, created_at) "
              + "VALUES (:id, :org, :name, :perms, :by, :at)")
          .bind("id", r.id()).bind("org", r.organizationId()).bind("name", r.name())
          .bind("perms", String.join(" ", r.permissions())).bind("by", r.createdBy()).bind("at", millis(createdAt))
          .execute();
    }

    @Override
    public void deleteRole(String roleId) {
      changed();
      h.createUpdate("DELETE FROM roles WHERE id = :id").bind("id", roleId).execute();
    }

    @Override
    public long countBindingsWithRole(String roleId) {
      return h.createQuery("SELECT COUNT(*) FROM role_bindings WHERE role_id = :id").bind("id", roleId)
          .mapTo(Long.class).one();
    }

    @Override
    public void insertBinding(RoleBinding b) {
      changed();
      h.createUpdate("INSERT INTO role_bindings(id, organization_id, subject, role_id, project_id, entity, created_by, created_at) "
              + "VALUES (:id, :org, :subject, :role, :project, :entity, :by, :at)")
          .bind("id", b.id()).bind("org", b.organizationId()).bind("subject", b.subject()).bind("role", b.role())
          .bind("project", b.projectId()).bind("entity", b.entity()).bind("by", b.createdBy())
          .bind("at", millis(b.createdAt()))
          .execute();
    }

    @Override
    public void deleteBinding(String bindingId) {
      changed();
      h.createUpdate("DELETE FROM role_bindings WHERE id = :id").bind("id", bindingId).execute();
    }

    @Override
    public List<RoleBinding> bindingsOf(String organizationId) {
      return h.createQuery("SELECT * FROM role_bindings WHERE organization_id = :org ORDER BY created_at, id")
          .bind("org", organizationId).map((rs, c) -> binding(rs)).list();
    }

    @Override
    public boolean lockUser(String userId) {
      return h.createUpdate("UPDATE users SET lock_version = lock_version + 1 WHERE id = :id")
          .bind("id", userId).execute() == 1;
    }

    @Override
    public long countOrganizationsCreatedBy(String subject) {
      return h.createQuery("SELECT COUNT(*) FROM role_bindings WHERE subject = :s AND created_by = :s"
              + " AND role_id = :owner AND project_id IS NULL AND entity IS NULL")
          .bind("s", subject).bind("owner", dev.tollgate.iam.SystemRole.OWNER.id()).mapTo(Long.class).one();
    }

    @Override
    public long countServiceAccounts(String organizationId) {
      return h.createQuery("SELECT COUNT(*) FROM service_accounts WHERE organization_id = :org")
          .bind("org", organizationId).mapTo(Long.class).one();
    }

    @Override
    public void insertServiceAccount(ServiceAccount sa) {
      changed();
      h.createUpdate("INSERT INTO service_accounts(id, organization_id, name, created_at, created_by, disabled) "
              + "VALUES (:id, :org, :name, :at, :by, :disabled)")
          .bind("id", sa.id()).bind("org", sa.organizationId()).bind("name", sa.name())
          .bind("at", millis(sa.createdAt())).bind("by", sa.createdBy()).bind("disabled", sa.disabled())
          .execute();
    }

    @Override
    public void deleteServiceAccount(ServiceAccount sa) {
      changed();
      h.createUpdate("DELETE FROM service_account_tokens WHERE service_account_id = :id").bind("id", sa.id()).execute();
      h.createUpdate("DELETE FROM role_bindings WHERE organization_id = :org AND subject = :subject")
          .bind("org", sa.organizationId()).bind("subject", sa.subject().value()).execute();
      h.createUpdate("DELETE FROM service_accounts WHERE id = :id").bind("id", sa.id()).execute();
    }

    @Override
    public void setServiceAccountDisabled(String serviceAccountId, boolean disabled) {
      changed();
      h.createUpdate("UPDATE service_accounts SET disabled = :d WHERE id = :id")
          .bind("id", serviceAccountId).bind("d", disabled).execute();
    }

    @Override
    public boolean lockServiceAccount(String serviceAccountId) {
      changed();
      return h.createUpdate("UPDATE service_accounts SET lock_version = lock_version + 1 WHERE id = :id")
          .bind("id", serviceAccountId).execute() == 1;
    }

    @Override
    public long countTokens(String serviceAccountId) {
      return h.createQuery("SELECT COUNT(*) FROM service_account_tokens WHERE service_account_id = :id")
          .bind("id", serviceAccountId).mapTo(Long.class).one();
    }

    @Override
    public void insertToken(ServiceAccountToken t) {
      changed();
      h.createUpdate("INSERT INTO service_account_tokens(id, service_account_id, name, token_sha256, project_id, "
              + "created_at, created_by, expires_at) VALUES (:id, :sa, :name, :sha, :project, :at, :by, :exp)")
          .bind("id", t.id()).bind("sa", t.serviceAccountId()).bind("name", t.name()).bind("sha", t.sha256())
          .bind("project", t.projectId()).bind("at", millis(t.createdAt())).bind("by", t.createdBy())
          .bind("exp", millis(t.expiresAt()))
          .execute();
    }

    @Override
    public boolean deleteToken(String tokenId) {
      changed();
      return h.createUpdate("DELETE FROM service_account_tokens WHERE id = :id").bind("id", tokenId).execute() == 1;
    }

    private static final String INVITE_SELECT = "SELECT i.*, (SELECT COUNT(*) FROM invite_acceptances a "
        + "WHERE a.invite_id = i.id) AS acceptance_count FROM invites i ";

    @Override
    public void insertInvite(Invite i, String tokenSha256) {
      changed();
      h.createUpdate("INSERT INTO invites(id, organization_id, role_id, project_id, token_sha256, created_by, created_at, "
              + "expires_at, email) VALUES (:id, :org, :role, :project, :sha, :by, :at, :exp, :email)")
          .bind("id", i.id()).bind("org", i.organizationId()).bind("role", i.roleId()).bind("project", i.projectId())
          .bind("sha", tokenSha256).bind("by", i.createdBy()).bind("at", millis(i.createdAt()))
          .bind("exp", millis(i.expiresAt())).bind("email", i.email())
          .execute();
    }

    @Override
    public Optional<Invite> inviteByTokenSha256(String tokenSha256) {
      return h.createQuery(INVITE_SELECT + "WHERE i.token_sha256 = :sha").bind("sha", tokenSha256)
          .map((rs, c) -> invite(rs)).findOne();
    }

    @Override
    public List<Invite> invitesOf(String organizationId) {
      return h.createQuery(INVITE_SELECT + "WHERE i.organization_id = :org ORDER BY i.created_at DESC, i.id")
          .bind("org", organizationId).map((rs, c) -> invite(rs)).list();
    }

    @Override
    public void expireInvite(String inviteId, Instant at, String by) {
      changed();
      h.createUpdate("UPDATE invites SET expired_at = :at, expired_by = :by WHERE id = :id AND expired_at IS NULL")
          .bind("id", inviteId).bind("at", millis(at)).bind("by", by).execute();
    }

    @Override
    public void insertAcceptance(String id, String inviteId, String userId, Instant at) {
      changed();
      h.createUpdate("INSERT INTO invite_acceptances(id, invite_id, user_id, accepted_at) VALUES (:id, :invite, :user, :at)")
          .bind("id", id).bind("invite", inviteId).bind("user", userId).bind("at", millis(at)).execute();
    }

    @Override
    public List<Invites.Acceptance> acceptancesOf(String inviteId) {
      return h.createQuery("SELECT u.id, u.email, a.accepted_at FROM invite_acceptances a JOIN users u ON u.id = a.user_id "
              + "WHERE a.invite_id = :id ORDER BY a.accepted_at")
          .bind("id", inviteId)
          .map((rs, c) -> new Invites.Acceptance(rs.getString("id"), rs.getString("email"), instant(rs, "accepted_at")))
          .list();
    }

    @Override
    public void audit(AuditEntry e) {
      h.createUpdate("INSERT INTO audit_log(organization_id, at, actor, action, target, client_ip, detail) "
              + "VALUES (:org, :at, :actor, :action, :target, :ip, :detail)")
          .bind("org", e.organizationId()).bind("at", millis(e.at())).bind("actor", e.actor())
          .bind("action", e.action()).bind("target", e.target()).bind("ip", e.clientIp()).bind("detail", e.detail())
          .execute();
    }
  }
}
