-- Legacy project tokens (EdDSA JWTs users migrate from) and the migration assistant's counters.
-- Tollgate keeps each token's jti (the id) and metadata, never the token. Times are epoch milliseconds.

-- Ed25519 signing keys. The active key has its private part (PKCS#8, base64); a rotation drops
-- it and sets retired_at, keeping the public part (raw 32 bytes, base64url) for verification.
CREATE TABLE legacy_token_keys (
  id           TEXT PRIMARY KEY,
  public_key   TEXT NOT NULL,
  private_key  TEXT,
  created_at   BIGINT NOT NULL,
  retired_at   BIGINT
);

CREATE TABLE legacy_tokens (
  id                              TEXT PRIMARY KEY,
  project_id                      TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name                            TEXT NOT NULL,
  key_id                          TEXT NOT NULL REFERENCES legacy_token_keys(id),
  created_at                      BIGINT NOT NULL,
  created_by                      TEXT NOT NULL,
  last_used_at                    BIGINT,
  -- set by the migration assistant's replace; the token keeps working until deleted
  replaced_at                     BIGINT,
  replaced_by                     TEXT,
  replacement_service_account_id  TEXT,
  replacement_token_id            TEXT,
  replacement_role                TEXT
);
CREATE INDEX legacy_tokens_project ON legacy_tokens(project_id);

-- Calls per token and hour (hour_start is the epoch ms of the hour), written in batches.
CREATE TABLE legacy_token_calls (
  token_id    TEXT NOT NULL REFERENCES legacy_tokens(id) ON DELETE CASCADE,
  hour_start  BIGINT NOT NULL,
  calls       BIGINT NOT NULL,
  PRIMARY KEY (token_id, hour_start)
);
CREATE INDEX legacy_token_calls_hour ON legacy_token_calls(hour_start);
