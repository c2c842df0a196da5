-- Identity and access: organizations, projects, users, sessions, roles, bindings,
-- service accounts, tokens, invites and the audit log. Times are epoch milliseconds.

CREATE TABLE organizations (
  id                          TEXT PRIMARY KEY,
  name                        TEXT NOT NULL,
  created_at                  BIGINT NOT NULL,
  -- bumped inside quota-checked transactions so concurrent creators serialize on this row
  lock_version                BIGINT NOT NULL DEFAULT 0,
  max_token_lifetime_seconds  BIGINT,
  legacy_tokens_frozen        BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE projects (
  id               TEXT PRIMARY KEY,
  organization_id  TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name             TEXT NOT NULL,
  created_at       BIGINT NOT NULL
);
CREATE INDEX projects_org ON projects(organization_id);

CREATE TABLE users (
  id             TEXT PRIMARY KEY,
  email          TEXT NOT NULL UNIQUE,
  password_hash  TEXT NOT NULL,
  created_at     BIGINT NOT NULL
);

CREATE TABLE sessions (
  id_hash     TEXT PRIMARY KEY,
  user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token  TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL
);

CREATE TABLE roles (
  id               TEXT PRIMARY KEY,
  organization_id  TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name             TEXT NOT NULL,
  permissions      TEXT NOT NULL,
  created_by       TEXT NOT NULL,
  created_at       BIGINT NOT NULL
);

CREATE TABLE role_bindings (
  id               TEXT PRIMARY KEY,
  organization_id  TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  subject          TEXT NOT NULL,
  role_id          TEXT NOT NULL,
  project_id       TEXT REFERENCES projects(id) ON DELETE CASCADE,
  entity           TEXT,
  created_by       TEXT NOT NULL,
  created_at       BIGINT NOT NULL
);
CREATE INDEX role_bindings_org ON role_bindings(organization_id);

CREATE TABLE service_accounts (
  id               TEXT PRIMARY KEY,
  organization_id  TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name             TEXT NOT NULL,
  created_at       BIGINT NOT NULL,
  created_by       TEXT NOT NULL,
  disabled         BOOLEAN NOT NULL DEFAULT FALSE,
  lock_version     BIGINT NOT NULL DEFAULT 0,
  UNIQUE (organization_id, name)
);

CREATE TABLE service_account_tokens (
  id                  TEXT PRIMARY KEY,
  service_account_id  TEXT NOT NULL REFERENCES service_accounts(id) ON DELETE CASCADE,
  name                TEXT NOT NULL,
  token_sha256        TEXT NOT NULL UNIQUE,
  project_id          TEXT REFERENCES projects(id) ON DELETE CASCADE,
  created_at          BIGINT NOT NULL,
  created_by          TEXT NOT NULL,
  expires_at          BIGINT,
  last_used_at        BIGINT
);
CREATE INDEX service_account_tokens_sa ON service_account_tokens(service_account_id);

CREATE TABLE invites (
  id               TEXT PRIMARY KEY,
  organization_id  TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  role_id          TEXT NOT NULL,
  project_id       TEXT REFERENCES projects(id) ON DELETE CASCADE,
  token_sha256     TEXT NOT NULL UNIQUE,
  created_by       TEXT NOT NULL,
  created_at       BIGINT NOT NULL,
  expires_at       BIGINT NOT NULL,
  expired_at       BIGINT,
  expired_by       TEXT
);

CREATE TABLE invite_acceptances (
  id           TEXT PRIMARY KEY,
  invite_id    TEXT NOT NULL REFERENCES invites(id) ON DELETE CASCADE,
  user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  accepted_at  BIGINT NOT NULL
);

CREATE TABLE audit_log (
  seq              ${serial_pk},
  organization_id  TEXT,
  at               BIGINT NOT NULL,
  actor            TEXT NOT NULL,
  action           TEXT NOT NULL,
  target           TEXT,
  client_ip        TEXT,
  detail           TEXT
);
CREATE INDEX audit_log_org ON audit_log(organization_id, seq);
