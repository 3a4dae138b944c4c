ALTER TABLE members DROP COLUMN active;
ALTER TABLE members DROP COLUMN token_version;
