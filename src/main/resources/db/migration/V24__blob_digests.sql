-- What each stored blob's content hashes to (BlobDigests), so that a retried call whose first
-- attempt was stored although its answer was lost (deadline, dropped connection, crash after the
-- commit) is recognized and not stored again. Inserted in the transaction that indexes the blob;
-- the primary key makes two servers that store the same retry at once commit it only once.
CREATE TABLE blob_digests (
  project_id TEXT NOT NULL,
  digest TEXT NOT NULL,
  profile_ids TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  PRIMARY KEY (project_id, digest)
);
CREATE INDEX blob_digests_received_at ON blob_digests (received_at);
