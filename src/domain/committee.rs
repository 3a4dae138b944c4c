//! Committee votes (DOMAIN.md, "The counting committee"): who keeps the ballot secret, the
//! committee's threshold, and the steps of its key ceremony in order.

use serde::{Deserialize, Serialize};
use std::str::FromStr;
use utoipa::ToSchema;

use super::kind::UnknownName;

/// Who can read a ballot: the server (`server`, the default), or nobody unless t of the
/// counting committee's n members work together (`committee`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Secrecy {
    #[default]
    Server,
    Committee,
}

impl Secrecy {
    pub fn as_str(self) -> &'static str {
        match self {
            Secrecy::Server => "server",
            Secrecy::Committee => "committee",
        }
    }
}

impl FromStr for Secrecy {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "server" => Ok(Secrecy::Server),
            "committee" => Ok(Secrecy::Committee),
            other => Err(UnknownName(other.to_owned())),
        }
    }
}

/// The most members a committee may have: far above any council's (7 in a province).
pub const MAX_MEMBERS: usize = 50;

/// A majority of `size` members: the threshold when none is given.
pub fn majority(size: usize) -> usize {
    size / 2 + 1
}

/// The ceremony's fingerprint: the first 16 hex digits of its hash in groups of four, which the
/// members' tools print, the members read out in the hall, and the minutes print, so that a
/// server showing anyone another ceremony is caught by comparing them.
pub fn fingerprint(ceremony_hash: &str) -> String {
    ceremony_hash
        .as_bytes()
        .chunks(4)
        .take(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where a committee's key stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommitteeState {
    /// The ceremony is under way.
    Forming,
    /// Every member confirmed the same ceremony: the joint key exists.
    Ready,
    /// A member's values failed another member's check: a new committee is needed.
    Failed,
}

impl CommitteeState {
    pub fn as_str(self) -> &'static str {
        match self {
            CommitteeState::Forming => "forming",
            CommitteeState::Ready => "ready",
            CommitteeState::Failed => "failed",
        }
    }
}

impl FromStr for CommitteeState {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "forming" => Ok(CommitteeState::Forming),
            "ready" => Ok(CommitteeState::Ready),
            "failed" => Ok(CommitteeState::Failed),
            other => Err(UnknownName(other.to_owned())),
        }
    }
}

/// The ceremony's steps. Each starts only when every member has finished the one before, so
/// that nobody publishes after seeing what the others published in the same step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Publish a sealing key and the hash of one's commitments.
    Join,
    /// Reveal the commitments and their proofs.
    Reveal,
    /// Send each other member their value, sealed to them.
    Share,
    /// Check what one received and confirm the ceremony's hash.
    Confirm,
    /// Nothing left to do.
    Done,
}

/// How many of `size` members have finished each step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub size: usize,
    pub joined: usize,
    pub revealed: usize,
    pub shared: usize,
    pub confirmed: usize,
}

impl Progress {
    /// The step the committee is at: the first that not every member has finished.
    pub fn step(&self) -> Step {
        let n = self.size;
        if self.joined < n {
            Step::Join
        } else if self.revealed < n {
            Step::Reveal
        } else if self.shared < n {
            Step::Share
        } else if self.confirmed < n {
            Step::Confirm
        } else {
            Step::Done
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_threshold_is_a_majority() {
        assert_eq!(
            (1..=8).map(majority).collect::<Vec<_>>(),
            [1, 2, 2, 3, 3, 4, 4, 5]
        );
    }

    #[test]
    fn a_step_starts_only_when_everyone_finished_the_one_before() {
        let mut p = Progress {
            size: 3,
            ..Progress::default()
        };
        assert_eq!(p.step(), Step::Join);
        p.joined = 3;
        p.revealed = 2;
        p.shared = 2; // cannot count before all revealed; the step is still Reveal
        assert_eq!(p.step(), Step::Reveal);
        p.revealed = 3;
        assert_eq!(p.step(), Step::Share);
        p.shared = 3;
        assert_eq!(p.step(), Step::Confirm);
        p.confirmed = 3;
        assert_eq!(p.step(), Step::Done);
        for name in ["server", "committee"] {
            assert_eq!(name.parse::<Secrecy>().unwrap().as_str(), name);
        }
        assert!("public".parse::<Secrecy>().is_err());
    }
}
