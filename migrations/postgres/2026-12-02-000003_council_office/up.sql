-- The council's office after the count (docs/council-office.md). The same SQL on both backends.

-- A follow-up confidence vote names the rating vote it follows; a rating vote has at most one.
ALTER TABLE votes ADD COLUMN follow_up_of TEXT REFERENCES votes (id);
CREATE UNIQUE INDEX votes_one_follow_up ON votes (follow_up_of);

-- When the chair made the vote's published tally public; null until then.
ALTER TABLE votes ADD COLUMN public_at TIMESTAMP;
CREATE INDEX votes_public_by_council ON votes (council_id, public_at);
