//! A vote's event log as a hash chain: created, opened, closed, each naming the hash of the
//! one before, so that changing, removing or reordering any event is seen.
//!
//! An event's hash is the lower-case hex SHA-256 of the canonical JSON (RFC 8785) of the event
//! object without its `hash` member. The first event's `prev` is [`GENESIS`].

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;

use super::canonical::to_canonical;

/// The `prev` of a vote's first event: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The steps of a vote's life that are logged. Casting is not one: an event per ballot would
/// tell the order of casting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Created,
    Opened,
    Closed,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Opened => "opened",
            EventKind::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        match s {
            "created" => Some(EventKind::Created),
            "opened" => Some(EventKind::Opened),
            "closed" => Some(EventKind::Closed),
            _ => None,
        }
    }

    /// The one count each event carries.
    pub fn count_name(self) -> &'static str {
        match self {
            EventKind::Created => "subjects",
            EventKind::Opened => "eligible",
            EventKind::Closed => "ballots_cast",
        }
    }
}

/// Who took the step, as they were known at that moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// Member id.
    pub id: String,
    pub username: String,
    pub full_name: String,
}

/// One event of the log, as it appears in the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// 1, 2, 3… within the vote.
    pub seq: u64,
    pub event: EventKind,
    pub vote_id: String,
    /// RFC 3339, UTC, milliseconds.
    pub at: String,
    pub actor: Actor,
    /// Counts only, e.g. `{"eligible": 47}`.
    pub counts: BTreeMap<String, u64>,
    /// The previous event's `hash`, or [`GENESIS`].
    pub prev: String,
    /// Hex SHA-256 of this event's canonical JSON without `hash`.
    pub hash: String,
}

impl Event {
    /// The event that follows `previous` (or starts the log), with its hash computed.
    pub fn next(
        previous: Option<&Event>,
        vote_id: &str,
        event: EventKind,
        at: String,
        actor: Actor,
        count: u64,
    ) -> Event {
        let mut e = Event {
            seq: previous.map_or(1, |p| p.seq + 1),
            event,
            vote_id: vote_id.to_owned(),
            at,
            actor,
            counts: BTreeMap::from([(event.count_name().to_owned(), count)]),
            prev: previous.map_or_else(|| GENESIS.to_owned(), |p| p.hash.clone()),
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        e
    }

    /// Hex SHA-256 of the canonical JSON of this event without its `hash` member.
    pub fn compute_hash(&self) -> String {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(object) = value.as_object_mut() {
            object.remove("hash");
        }
        // Counts beyond 2^53 cannot occur (they are numbers of people); were one to, the hash
        // of an empty text would simply not match the stored one.
        let text = to_canonical(&value).unwrap_or_default();
        hex(&Sha256::digest(text.as_bytes()))
    }

    /// The count this event carries (`subjects`, `eligible` or `ballots_cast`).
    pub fn count(&self) -> Option<u64> {
        self.counts.get(self.event.count_name()).copied()
    }
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a log is not a well-formed chain for its vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainError {
    Empty,
    /// Event at `index` (0-based) does not have `seq` index + 1.
    Sequence {
        index: usize,
        seq: u64,
    },
    WrongVote {
        seq: u64,
    },
    /// `prev` is not the hash of the event before (or GENESIS).
    Broken {
        seq: u64,
    },
    /// `hash` is not the hash of the event's content.
    Altered {
        seq: u64,
    },
    /// Events not in lifecycle order, repeated, or with other counts than their kind's.
    Shape {
        seq: u64,
        why: String,
    },
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainError::Empty => write!(f, "the event log is empty"),
            ChainError::Sequence { index, seq } => write!(
                f,
                "event {} has seq {seq}: events must be numbered 1, 2, 3… without gaps",
                index + 1
            ),
            ChainError::WrongVote { seq } => write!(f, "event {seq} belongs to another vote"),
            ChainError::Broken { seq } => write!(
                f,
                "event {seq}'s prev is not the hash of the event before it: an event was \
                 removed, inserted or reordered"
            ),
            ChainError::Altered { seq } => write!(
                f,
                "event {seq}'s content does not hash to its recorded hash: it was changed"
            ),
            ChainError::Shape { seq, why } => write!(f, "event {seq}: {why}"),
        }
    }
}

/// Checks that `events` are vote `vote_id`'s log: numbered from 1, each `prev` the hash of the
/// one before, each hash that of its content, kinds in lifecycle order without repeats, and
/// each carrying exactly its kind's one count.
pub fn check(vote_id: &str, events: &[Event]) -> Result<(), ChainError> {
    if events.is_empty() {
        return Err(ChainError::Empty);
    }
    let mut prev = GENESIS;
    let mut last_kind: Option<EventKind> = None;
    for (index, e) in events.iter().enumerate() {
        if e.seq != index as u64 + 1 {
            return Err(ChainError::Sequence { index, seq: e.seq });
        }
        if e.vote_id != vote_id {
            return Err(ChainError::WrongVote { seq: e.seq });
        }
        if e.prev != prev {
            return Err(ChainError::Broken { seq: e.seq });
        }
        if e.compute_hash() != e.hash {
            return Err(ChainError::Altered { seq: e.seq });
        }
        if last_kind.is_some_and(|k| k >= e.event) {
            return Err(ChainError::Shape {
                seq: e.seq,
                why: format!(
                    "\"{}\" cannot follow \"{}\": a vote is created, opened, then closed, once each",
                    e.event.as_str(),
                    last_kind.map_or("", EventKind::as_str)
                ),
            });
        }
        if e.counts.len() != 1 || e.count().is_none() {
            return Err(ChainError::Shape {
                seq: e.seq,
                why: format!(
                    "a \"{}\" event carries exactly one count, \"{}\"",
                    e.event.as_str(),
                    e.event.count_name()
                ),
            });
        }
        last_kind = Some(e.event);
        prev = &e.hash;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn actor(name: &str) -> Actor {
        Actor {
            id: format!("id-{name}"),
            username: name.to_owned(),
            full_name: format!("Nguyễn {name}"),
        }
    }

    fn log(vote: &str) -> Vec<Event> {
        let a = Event::next(
            None,
            vote,
            EventKind::Created,
            "2026-11-27T01:00:00.000Z".into(),
            actor("chair"),
            3,
        );
        let b = Event::next(
            Some(&a),
            vote,
            EventKind::Opened,
            "2026-11-27T02:00:00.000Z".into(),
            actor("chair"),
            47,
        );
        let c = Event::next(
            Some(&b),
            vote,
            EventKind::Closed,
            "2026-11-27T03:00:00.123Z".into(),
            actor("chair"),
            46,
        );
        vec![a, b, c]
    }

    #[test]
    fn a_fresh_log_links_up() {
        let events = log("v1");
        assert_eq!(check("v1", &events), Ok(()));
        assert_eq!(events[0].prev, GENESIS);
        assert_eq!(events[1].prev, events[0].hash);
        assert_eq!(
            events[2].counts,
            BTreeMap::from([("ballots_cast".into(), 46)])
        );
        assert_eq!(events[0].hash.len(), 64);
    }

    #[test]
    fn the_hash_is_sha256_of_the_canonical_event_without_hash() {
        let e = &log("v1")[0];
        let expected = format!(
            "{{\"actor\":{{\"full_name\":\"Nguyễn chair\",\"id\":\"id-chair\",\"username\":\"chair\"}},\
             \"at\":\"2026-11-27T01:00:00.000Z\",\"counts\":{{\"subjects\":3}},\"event\":\"created\",\
             \"prev\":\"{GENESIS}\",\"seq\":1,\"vote_id\":\"v1\"}}"
        );
        assert_eq!(e.hash, hex(&Sha256::digest(expected.as_bytes())));
    }

    #[test]
    fn every_kind_of_change_is_named() {
        let events = log("v1");
        assert_eq!(check("v2", &events), Err(ChainError::WrongVote { seq: 1 }));

        let mut altered = events.clone();
        altered[1].actor.full_name = "Trần Khác".into();
        assert_eq!(check("v1", &altered), Err(ChainError::Altered { seq: 2 }));

        let mut recount = events.clone();
        recount[2].counts.insert("ballots_cast".into(), 45);
        assert_eq!(check("v1", &recount), Err(ChainError::Altered { seq: 3 }));

        // Rehashing the changed event is not enough: the next one still names the old hash.
        let mut rehashed = events.clone();
        rehashed[1].at = "2026-11-27T02:30:00.000Z".into();
        rehashed[1].hash = rehashed[1].compute_hash();
        assert_eq!(check("v1", &rehashed), Err(ChainError::Broken { seq: 3 }));

        let dropped = vec![events[0].clone(), events[2].clone()];
        assert_eq!(
            check("v1", &dropped),
            Err(ChainError::Sequence { index: 1, seq: 3 })
        );
        assert_eq!(check("v1", &[]), Err(ChainError::Empty));

        // A whole new chain in another order hashes fine but is not a vote's life.
        let a = Event::next(None, "v1", EventKind::Opened, "t".into(), actor("x"), 1);
        let b = Event::next(
            Some(&a),
            "v1",
            EventKind::Created,
            "t".into(),
            actor("x"),
            1,
        );
        assert!(matches!(
            check("v1", &[a, b]),
            Err(ChainError::Shape { seq: 2, .. })
        ));
    }

    proptest! {
        /// Changing any text field of any event breaks the chain at that event or the next.
        #[test]
        fn any_edit_to_any_event_is_caught(which in 0usize..3, field in 0usize..5, text in "[a-zA-Zà-ỹ0-9 ]{1,12}") {
            let mut events = log("vote");
            let e = &mut events[which];
            let target = match field {
                0 => &mut e.at,
                1 => &mut e.actor.id,
                2 => &mut e.actor.username,
                3 => &mut e.actor.full_name,
                _ => &mut e.vote_id,
            };
            prop_assume!(*target != text);
            *target = text;
            prop_assert!(check("vote", &events).is_err());
        }
    }
}
