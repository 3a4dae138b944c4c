ALTER TABLE votes DROP COLUMN committee_id;
ALTER TABLE votes DROP COLUMN secrecy;
DROP TABLE committee_shares;
DROP TABLE committee_members;
DROP TABLE committees;
