//! A delegate's marks, checked against the vote's subjects, and their stored form.
//!
//! A stored ballot is one character per subject in ballot order: the choice's code, or `-` for a
//! blank row. It holds nothing but what was marked, so it cannot say who marked it or when.

use std::collections::HashMap;
use std::fmt;
use uuid::Uuid;

use super::kind::{Choice, VoteKind, BLANK};

/// The marks of one ballot, one entry per subject in ballot order (`None` is a blank row).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Marks(Vec<Option<Choice>>);

/// Why a ballot was refused. Never holds what was marked, only where the problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarksError {
    /// A key that is not the id of a subject of this vote.
    UnknownSubject(String),
    /// A value that is not one of the vote kind's choices.
    UnknownChoice { subject_id: String },
    /// The same subject marked twice.
    DuplicateSubject(String),
}

impl fmt::Display for MarksError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MarksError::UnknownSubject(id) => write!(
                f,
                "\"{id}\" is not a subject of this vote; use the subject ids from the ballot"
            ),
            MarksError::UnknownChoice { subject_id } => write!(
                f,
                "the mark for subject {subject_id} is not one of this ballot's choices"
            ),
            MarksError::DuplicateSubject(id) => {
                write!(
                    f,
                    "subject {id} is marked more than once; mark each row once"
                )
            }
        }
    }
}

/// The rows of a ballot: its subjects in ballot order, found by id.
#[derive(Debug, Clone)]
pub struct BallotRows {
    index: HashMap<Uuid, usize>,
    len: usize,
}

impl BallotRows {
    /// From the subjects' ids in ballot order. An id that is not a UUID is a row no mark can
    /// name (every stored subject id is one).
    pub fn new<S: AsRef<str>>(subject_ids: &[S]) -> BallotRows {
        let index = subject_ids
            .iter()
            .enumerate()
            .filter_map(|(i, id)| Uuid::parse_str(id.as_ref()).ok().map(|u| (u, i)))
            .collect();
        BallotRows {
            index,
            len: subject_ids.len(),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A stored ballot that does not decode: the database was changed behind the service's back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorruptBallot;

impl Marks {
    /// Checks a delegate's `(subject id, choice)` entries against the ballot's rows (the vote's
    /// subjects in ballot order). A subject left out, or given `None`, is blank.
    pub fn from_entries(
        kind: VoteKind,
        rows: &BallotRows,
        entries: &[(String, Option<String>)],
    ) -> Result<Marks, MarksError> {
        let mut marks = vec![None; rows.len];
        let mut seen = vec![false; rows.len];
        for (key, choice) in entries {
            // Accept any spelling of the UUID (upper case, braces): rows are found by its value.
            let id = Uuid::parse_str(key).map_err(|_| MarksError::UnknownSubject(key.clone()))?;
            let index = *rows
                .index
                .get(&id)
                .ok_or_else(|| MarksError::UnknownSubject(key.clone()))?;
            if std::mem::replace(&mut seen[index], true) {
                return Err(MarksError::DuplicateSubject(id.to_string()));
            }
            marks[index] = match choice {
                None => None,
                Some(name) => {
                    Some(
                        kind.choice_named(name)
                            .ok_or_else(|| MarksError::UnknownChoice {
                                subject_id: id.to_string(),
                            })?,
                    )
                }
            };
        }
        Ok(Marks(marks))
    }

    pub fn new(marks: Vec<Option<Choice>>) -> Marks {
        Marks(marks)
    }

    /// The mark on row `index` (0-based), `None` when blank.
    pub fn get(&self, index: usize) -> Option<Choice> {
        self.0.get(index).copied().flatten()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The stored form: one character per subject.
    pub fn encode(&self) -> String {
        self.0
            .iter()
            .map(|m| m.map_or(BLANK, Choice::code))
            .collect()
    }

    /// Reads a stored ballot of a vote of `kind` with `subjects` rows.
    pub fn decode(kind: VoteKind, subjects: usize, stored: &str) -> Result<Marks, CorruptBallot> {
        let marks = stored
            .chars()
            .map(|c| match c {
                BLANK => Ok(None),
                code => match Choice::from_code(code) {
                    Some(choice) if kind.choices().contains(&choice) => Ok(Some(choice)),
                    _ => Err(CorruptBallot),
                },
            })
            .collect::<Result<Vec<_>, _>>()?;
        if marks.len() != subjects {
            return Err(CorruptBallot);
        }
        Ok(Marks(marks))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> Vec<String> {
        (0..3).map(|_| Uuid::new_v4().to_string()).collect()
    }

    fn entry(id: &str, choice: Option<&str>) -> (String, Option<String>) {
        (id.to_owned(), choice.map(str::to_owned))
    }

    #[test]
    fn marks_land_in_ballot_order_and_missing_rows_are_blank() {
        let ids = ids();
        let marks = Marks::from_entries(
            VoteKind::Rating,
            &BallotRows::new(&ids),
            &[entry(&ids[2], Some("low")), entry(&ids[0], Some("high"))],
        )
        .unwrap();
        assert_eq!(marks.encode(), "h-l");
        assert_eq!(marks.get(1), None);
        assert_eq!(Marks::decode(VoteKind::Rating, 3, "h-l"), Ok(marks));
    }

    #[test]
    fn null_is_blank_and_upper_case_ids_are_accepted() {
        let ids = ids();
        let marks = Marks::from_entries(
            VoteKind::Confidence,
            &BallotRows::new(&ids),
            &[
                entry(&ids[0].to_uppercase(), Some("no_confidence")),
                entry(&ids[1], None),
            ],
        )
        .unwrap();
        assert_eq!(marks.encode(), "n--");
    }

    #[test]
    fn refuses_unknown_subjects_choices_and_double_marks() {
        let ids = ids();
        let rows = BallotRows::new(&ids);
        let stranger = Uuid::new_v4().to_string();
        let kind = VoteKind::Rating;
        assert_eq!(
            Marks::from_entries(kind, &rows, &[entry(&stranger, Some("high"))]),
            Err(MarksError::UnknownSubject(stranger))
        );
        assert_eq!(
            Marks::from_entries(kind, &rows, &[entry("not-a-uuid", Some("high"))]),
            Err(MarksError::UnknownSubject("not-a-uuid".into()))
        );
        assert!(matches!(
            Marks::from_entries(kind, &rows, &[entry(&ids[0], Some("confidence"))]),
            Err(MarksError::UnknownChoice { .. })
        ));
        assert_eq!(
            Marks::from_entries(
                kind,
                &rows,
                &[entry(&ids[1], Some("high")), entry(&ids[1], Some("low"))]
            ),
            Err(MarksError::DuplicateSubject(ids[1].clone()))
        );
    }

    #[test]
    fn decoding_refuses_foreign_codes_and_wrong_lengths() {
        assert_eq!(Marks::decode(VoteKind::Rating, 2, "hc"), Err(CorruptBallot));
        assert_eq!(Marks::decode(VoteKind::Rating, 3, "hm"), Err(CorruptBallot));
        assert_eq!(
            Marks::decode(VoteKind::Confidence, 2, "nc").map(|m| m.encode()),
            Ok("nc".to_owned())
        );
    }
}
