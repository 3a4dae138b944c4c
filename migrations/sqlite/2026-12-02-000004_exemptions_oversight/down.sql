ALTER TABLE members DROP COLUMN is_supervisor;
DROP INDEX councils_by_parent;
ALTER TABLE councils DROP COLUMN parent_id;
ALTER TABLE votes DROP COLUMN exempt;
