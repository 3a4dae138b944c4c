-- Committee votes' ballots: ciphertexts and proofs only (docs/verifiable.md §5).
-- manifest_hash binds every ballot to the vote as it opened. An elector's ballot_id is issued
-- when they fetch their ballot and cleared in the transaction that stores it, so nothing
-- stored links a delegate to the ballot they cast.
ALTER TABLE votes ADD COLUMN manifest_hash TEXT;
ALTER TABLE electors ADD COLUMN ballot_id TEXT;

-- id: the ballot id the proofs are bound to (hex); ballot: the ballot's bytes (base64);
-- cells_hash: SHA-256 of its ciphertexts alone, so that a copy under another id is refused.
CREATE TABLE encrypted_ballots (
    id TEXT PRIMARY KEY NOT NULL,
    vote_id TEXT NOT NULL REFERENCES votes (id),
    ballot TEXT NOT NULL,
    cells_hash TEXT NOT NULL,
    tracking_code TEXT NOT NULL,
    UNIQUE (vote_id, cells_hash)
);
CREATE INDEX encrypted_ballots_by_vote ON encrypted_ballots (vote_id);
