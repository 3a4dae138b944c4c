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

-- Written as a committee vote closes: each cell's sum over every cast ballot (a JSON array of
-- rows, each an array of hex α ‖ β), the only ciphertexts the committee decrypts.
CREATE TABLE encrypted_sums (
    vote_id TEXT PRIMARY KEY NOT NULL REFERENCES votes (id),
    ballots INTEGER NOT NULL,
    sums TEXT NOT NULL
);

-- Each committee member's partial decryption of the sums, its proofs checked: a JSON array of
-- rows, each an array of {"partial", "proof"} in hex.
CREATE TABLE partial_decryptions (
    vote_id TEXT NOT NULL REFERENCES votes (id),
    position INTEGER NOT NULL,
    shares TEXT NOT NULL,
    PRIMARY KEY (vote_id, position)
);
