//! The layout of each vote's ballot (its kind and subjects in order), kept in memory once the
//! vote has opened: from then on it cannot change, so every replica may keep its own copy and a
//! cast can be checked without reading the database.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use super::visible::LoadedVote;
use crate::db::votes as vote_rows;
use crate::db::DbConn;
use crate::domain::{BallotRows, Marks, MarksError, Secrecy, VoteKind, VoteState};
use crate::error::AppResult;
use crate::shapes::{Ballot, MarksInput};

/// Votes whose layouts are kept; past that the memory starts again empty (layouts are small
/// and reloaded on the next cast, so this only bounds an installation running for years).
const KEPT: usize = 1024;

/// What checking a ballot's marks needs.
#[derive(Debug)]
pub struct Layout {
    pub kind: VoteKind,
    pub rows: BallotRows,
}

impl Layout {
    pub fn new<S: AsRef<str>>(kind: VoteKind, subject_ids: &[S]) -> Layout {
        Layout {
            kind,
            rows: BallotRows::new(subject_ids),
        }
    }

    /// The marks in their stored form, or why they do not fit this ballot.
    pub fn marks(&self, input: &MarksInput) -> Result<String, MarksError> {
        Marks::from_entries(self.kind, &self.rows, &input.0).map(|m| m.encode())
    }
}

/// Reads the layout of a vote that has opened; `None` for a draft (its subjects may still
/// change) or a vote that does not exist.
pub fn load(conn: &mut DbConn, vote_id: &str) -> AppResult<Option<Layout>> {
    let Some(row) = vote_rows::find(conn, vote_id)? else {
        return Ok(None);
    };
    let vote = LoadedVote::new(row)?;
    // A draft's subjects may still change; a committee vote takes no marks at all.
    if vote.state == VoteState::Draft || vote.secrecy == Secrecy::Committee {
        return Ok(None);
    }
    Ok(Some(Layout::new(
        vote.kind,
        &vote_rows::subject_ids_of(conn, vote_id)?,
    )))
}

/// The layouts this replica has read, by vote id.
#[derive(Debug, Clone, Default)]
pub struct Layouts {
    known: Arc<RwLock<HashMap<String, Arc<Layout>>>>,
}

impl Layouts {
    pub fn get(&self, vote_id: &str) -> Option<Arc<Layout>> {
        // A poisoned lock only means a panic elsewhere while holding it; the map is still whole.
        let known = self.known.read().unwrap_or_else(|e| e.into_inner());
        known.get(vote_id).cloned()
    }

    /// Keeps the layout of a ballot served to a delegate (only opened votes' ballots are), so
    /// the casts that follow the fetch, often all at once, find it.
    pub fn learn(&self, ballot: &Ballot) {
        if ballot.secrecy == Secrecy::Server && self.get(&ballot.vote_id).is_none() {
            let ids: Vec<&str> = ballot.subjects.iter().map(|s| s.id.as_str()).collect();
            self.keep(ballot.vote_id.clone(), Layout::new(ballot.kind, &ids));
        }
    }

    pub fn keep(&self, vote_id: String, layout: Layout) -> Arc<Layout> {
        let layout = Arc::new(layout);
        let mut known = self.known.write().unwrap_or_else(|e| e.into_inner());
        if known.len() >= KEPT {
            known.clear();
        }
        known.insert(vote_id, layout.clone());
        layout
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(n: usize) -> Layout {
        Layout {
            kind: VoteKind::Rating,
            rows: BallotRows::new(&(0..n).map(subject).collect::<Vec<_>>()),
        }
    }

    fn subject(i: usize) -> String {
        format!("00000000-0000-4000-8000-{i:012}")
    }

    #[test]
    fn kept_layouts_are_found_by_vote_and_bounded() {
        let layouts = Layouts::default();
        assert!(layouts.get("v0").is_none());
        for i in 0..KEPT {
            layouts.keep(format!("v{i}"), layout(i % 3 + 1));
        }
        assert_eq!(layouts.get("v5").map(|l| l.rows.len()), Some(3));
        layouts.keep("one more".into(), layout(2));
        assert!(layouts.get("v5").is_none(), "a full memory starts again");
        assert_eq!(layouts.get("one more").map(|l| l.rows.len()), Some(2));
    }

    #[test]
    fn marks_are_checked_against_the_layout() {
        let l = layout(2);
        let ok = MarksInput(vec![(subject(1), Some("low".into()))]);
        assert_eq!(l.marks(&ok).as_deref(), Ok("-l"));
        let unknown = MarksInput(vec![(subject(9), Some("low".into()))]);
        assert!(l.marks(&unknown).is_err());
    }
}
