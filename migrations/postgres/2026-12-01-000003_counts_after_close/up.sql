-- What a closed vote keeps of its ballots: for each subject, how many ballots gave each choice
-- and how many left the row blank. The whole ballots are deleted in the transaction that
-- closes the vote, which writes these rows instead: after the close nothing stored holds one
-- delegate's marks for two subjects together (DOMAIN.md, "Secrecy, stated precisely").
-- `choice` is a choice's name (high, medium, low; confidence, no_confidence) or `blank`.
CREATE TABLE subject_counts (
    vote_id TEXT NOT NULL REFERENCES votes (id),
    subject_id TEXT NOT NULL REFERENCES subjects (id),
    choice TEXT NOT NULL,
    total INTEGER NOT NULL CHECK (total >= 0),
    PRIMARY KEY (vote_id, subject_id, choice)
);

-- Votes closed before this version: their counts from their ballots, then their ballots
-- deleted. Their signed records (version 1) are kept as they were signed.
INSERT INTO subject_counts (vote_id, subject_id, choice, total)
SELECT s.vote_id, s.id, c.column2,
       (SELECT COUNT(*) FROM ballots b
        WHERE b.vote_id = s.vote_id AND substr(b.marks, s.ordinal, 1) = c.column1)
FROM subjects s
JOIN votes v ON v.id = s.vote_id
JOIN (VALUES ('h', 'high', 'rating'), ('m', 'medium', 'rating'), ('l', 'low', 'rating'),
             ('-', 'blank', 'rating'), ('c', 'confidence', 'confidence'),
             ('n', 'no_confidence', 'confidence'), ('-', 'blank', 'confidence')) AS c
  ON c.column3 = v.kind
WHERE v.state = 'closed';

DELETE FROM ballots WHERE vote_id IN (SELECT id FROM votes WHERE state = 'closed');
