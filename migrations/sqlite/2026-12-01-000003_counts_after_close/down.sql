-- The ballots of the votes closed since cannot be brought back: only their counts were kept.
DROP TABLE subject_counts;
