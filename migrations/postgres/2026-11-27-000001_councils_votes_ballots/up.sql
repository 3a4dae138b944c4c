-- Councils, their members, votes, and the two halves of voting kept apart:
-- electors ("who may cast, and who has") and ballots ("what was cast").

CREATE TABLE councils (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    seats INTEGER NOT NULL CHECK (seats >= 1),
    created_at TIMESTAMP NOT NULL
);

-- Admins have no council. Roles are flags so eligibility is one indexed query.
CREATE TABLE members (
    id TEXT PRIMARY KEY NOT NULL,
    council_id TEXT REFERENCES councils (id),
    username TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    is_chair BOOLEAN NOT NULL DEFAULT FALSE,
    is_delegate BOOLEAN NOT NULL DEFAULT FALSE,
    is_auditor BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX members_by_council ON members (council_id);

CREATE TABLE votes (
    id TEXT PRIMARY KEY NOT NULL,
    council_id TEXT NOT NULL REFERENCES councils (id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('rating', 'confidence')),
    percent_base TEXT NOT NULL CHECK (percent_base IN ('ballots', 'seats')),
    state TEXT NOT NULL CHECK (state IN ('draft', 'open', 'closed')),
    created_at TIMESTAMP NOT NULL,
    opened_at TIMESTAMP,
    closed_at TIMESTAMP
);
CREATE INDEX votes_by_council ON votes (council_id);

-- Positions are a JSON array of strings; ordinal is the 1-based row on the ballot.
CREATE TABLE subjects (
    id TEXT PRIMARY KEY NOT NULL,
    vote_id TEXT NOT NULL REFERENCES votes (id),
    ordinal INTEGER NOT NULL,
    full_name TEXT NOT NULL,
    positions TEXT NOT NULL,
    UNIQUE (vote_id, ordinal)
);

-- Fixed when the vote opens. has_cast is updated in place: no time, no order.
CREATE TABLE electors (
    vote_id TEXT NOT NULL REFERENCES votes (id),
    member_id TEXT NOT NULL REFERENCES members (id),
    has_cast BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (vote_id, member_id)
);

-- A random UUID v4 key and the marks, nothing else: no delegate, no time, no insertion-ordered key.
CREATE TABLE ballots (
    id TEXT PRIMARY KEY NOT NULL,
    vote_id TEXT NOT NULL REFERENCES votes (id),
    marks TEXT NOT NULL
);
CREATE INDEX ballots_by_vote ON ballots (vote_id);

-- The published tally, written once in the transaction that closes the vote.
CREATE TABLE tallies (
    vote_id TEXT PRIMARY KEY NOT NULL REFERENCES votes (id),
    body TEXT NOT NULL
);
