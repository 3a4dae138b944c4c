DROP INDEX votes_public_by_council;
ALTER TABLE votes DROP COLUMN public_at;
DROP INDEX votes_one_follow_up;
ALTER TABLE votes DROP COLUMN follow_up_of;
