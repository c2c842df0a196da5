-- Legacy tokens keep every claim they were issued with that is not already a column, so a token
-- re-signed with other claims is refused (see LegacyCredentials). Tokens issued before this
-- version: iat was the creation time in nanoseconds on a millisecond clock, so it is derived
-- exactly; their issuer was never kept and stays NULL (then iss is not compared).
ALTER TABLE legacy_tokens ADD COLUMN issued_at_nanos BIGINT;
ALTER TABLE legacy_tokens ADD COLUMN issuer TEXT;
UPDATE legacy_tokens SET issued_at_nanos = created_at * 1000000;

-- Sessions keep only the SHA-256 of their CSRF token, now derived from the session id. Sessions
-- from before hold a plain random token that no longer matches: they end (users log in again).
DELETE FROM sessions;
ALTER TABLE sessions RENAME COLUMN csrf_token TO csrf_sha256;
