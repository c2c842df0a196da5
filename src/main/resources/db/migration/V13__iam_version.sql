-- The IAM version: one row, raised by one in the same transaction as every change to IAM state
-- (organizations, projects, users, roles, role bindings, service accounts, tokens, invites,
-- legacy tokens and their signing keys). Servers sharing a PostgreSQL database compare it with the
-- version their in-memory snapshot was loaded at; NOTIFY tollgate_iam is only a hint to look.
-- Every IAM writer updates this row first, so on PostgreSQL IAM changes commit one at a time and
-- their versions in commit order.

CREATE TABLE iam_version (
  id       INTEGER PRIMARY KEY,
  version  BIGINT NOT NULL
);

INSERT INTO iam_version(id, version) VALUES (1, 0);
