-- The counting committee (Ban kiểm phiếu) of committee votes and its key ceremony: what each
-- member published, and the values they sent each other, sealed to the recipient: the server
-- relays ciphertexts only and never holds a share. See docs/verifiable.md.
CREATE TABLE committees (
    id TEXT PRIMARY KEY NOT NULL,
    council_id TEXT NOT NULL REFERENCES councils (id),
    threshold INTEGER NOT NULL CHECK (threshold >= 1),
    size INTEGER NOT NULL CHECK (size >= threshold),
    state TEXT NOT NULL CHECK (state IN ('forming', 'ready', 'failed')),
    joint_key TEXT,
    failure TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX committees_by_council ON committees (council_id);

-- Position is the member's index in the threshold scheme, 1 to size. Every published value
-- is lowercase hex (commitments and proofs: JSON arrays of hex).
CREATE TABLE committee_members (
    committee_id TEXT NOT NULL REFERENCES committees (id),
    position INTEGER NOT NULL,
    member_id TEXT NOT NULL REFERENCES members (id),
    sealing_key TEXT,
    sealing_proof TEXT,
    commitment_hash TEXT,
    commitments TEXT,
    proofs TEXT,
    confirmation TEXT,
    PRIMARY KEY (committee_id, position),
    UNIQUE (committee_id, member_id)
);

CREATE TABLE committee_shares (
    committee_id TEXT NOT NULL REFERENCES committees (id),
    sender INTEGER NOT NULL,
    recipient INTEGER NOT NULL,
    sealed TEXT NOT NULL,
    PRIMARY KEY (committee_id, sender, recipient)
);

ALTER TABLE votes ADD COLUMN secrecy TEXT NOT NULL DEFAULT 'server'
    CHECK (secrecy IN ('server', 'committee'));
ALTER TABLE votes ADD COLUMN committee_id TEXT REFERENCES committees (id);
