DROP TABLE records;
DROP TABLE vote_events;
