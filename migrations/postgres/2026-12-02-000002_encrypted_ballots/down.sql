DROP TABLE partial_decryptions;
DROP TABLE encrypted_sums;
DROP TABLE encrypted_ballots;
ALTER TABLE electors DROP COLUMN ballot_id;
ALTER TABLE votes DROP COLUMN manifest_hash;
