-- An invite may be for one email address: only that address can accept it (a link forwarded
-- to, or leaked to, someone else adds no one). NULL: anyone holding the link, as before.
ALTER TABLE invites ADD COLUMN email TEXT;

-- Bumped inside the transaction that creates an organization, so one user's concurrent creations
-- serialize on this row on every server sharing the database (the per-user cap stays exact).
ALTER TABLE users ADD COLUMN lock_version BIGINT NOT NULL DEFAULT 0;
