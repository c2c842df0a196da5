-- An invite may be for one email address: only that address can accept it (a link forwarded
-- to, or leaked to, someone else adds no one). NULL: anyone holding the link, as before.
ALTER TABLE invites ADD COLUMN email TEXT;
