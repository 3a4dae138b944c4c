-- Exemptions and oversight (docs/council-office.md, docs/roles.md). The same SQL on both backends.

-- The people a vote does not rate and why (Resolution 96/2023/QH15 Art. 2(5)): a JSON array of
-- {"full_name", "positions", "reason"}, in the order given. Never on a ballot.
ALTER TABLE votes ADD COLUMN exempt TEXT NOT NULL DEFAULT '[]';

-- The council above this one (a province above its districts), whose supervisors read this
-- council's votes and published tallies.
ALTER TABLE councils ADD COLUMN parent_id TEXT REFERENCES councils (id);
CREATE INDEX councils_by_parent ON councils (parent_id);

-- The role of a parent council's standing committee member: reads the child councils' votes.
ALTER TABLE members ADD COLUMN is_supervisor BOOLEAN NOT NULL DEFAULT FALSE;
