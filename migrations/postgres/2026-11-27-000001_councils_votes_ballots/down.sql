DROP TABLE tallies;
DROP TABLE ballots;
DROP TABLE electors;
DROP TABLE subjects;
DROP TABLE votes;
DROP TABLE members;
DROP TABLE councils;
