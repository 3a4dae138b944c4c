-- Ending a member's sign-ins at once: every token carries the member's token_version, and a
-- token whose version is not the current one is refused. Changing the password, removing a role
-- or deactivating the member adds one. A deactivated member cannot sign in or act.
ALTER TABLE members ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
