-- The auditor's record of a closed vote, and the event log it carries.

-- A vote's life, one row per step: created, opened, closed. Who did it and when, and counts
-- only (subjects, eligible, ballots cast): never an event per cast ballot. Each row holds the
-- SHA-256 of the one before (prev_hash) and its own (hash), so that editing any row breaks the
-- chain. See docs/auditing.md.
CREATE TABLE vote_events (
    vote_id TEXT NOT NULL REFERENCES votes (id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('created', 'opened', 'closed')),
    occurred_at TIMESTAMP NOT NULL,
    actor_id TEXT NOT NULL,
    actor_username TEXT NOT NULL,
    actor_full_name TEXT NOT NULL,
    counts TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (vote_id, seq)
);

-- The signed record, written once in the transaction that closes the vote: the canonical JSON
-- (RFC 8785) bytes and the base64 Ed25519 signature over exactly those bytes.
CREATE TABLE records (
    vote_id TEXT PRIMARY KEY NOT NULL REFERENCES votes (id),
    body TEXT NOT NULL,
    signature TEXT NOT NULL
);
