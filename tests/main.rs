//! The end-to-end suite, as one test binary: every file beside this one is a module of it, so
//! the server, diesel, SQLite, libpq and reqwest are linked once, not once per file. A new file
//! of tests under `tests/` is added to the list below (Cargo.toml sets `autotests = false`).
//! Tests are named by file and function, e.g. `votes::a_vote_is_created_in_draft_with_subjects_in_ballot_order`.

mod common;

mod accounts;
mod audit;
mod committee_records;
mod committees;
mod concurrency;
mod council_office;
mod durability;
mod exemptions;
mod limits;
mod migrations;
mod openapi;
mod oversight;
mod pages;
mod pool;
mod records;
mod replicas;
mod secrecy;
mod signin;
mod tablet_ballots;
mod tokens;
mod transport;
mod verify;
mod votes;
