//! draft → open → closed (DOMAIN.md, "Lifecycle").

use serde::{Deserialize, Serialize};
use std::str::FromStr;
use utoipa::ToSchema;

use super::kind::UnknownName;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VoteState {
    /// Subjects editable; nobody can cast.
    Draft,
    /// Ballots are cast; only turnout is visible.
    Open,
    /// No more ballots; the tally is published.
    Closed,
}

/// What asking for `target` means for a vote now in some state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Move the vote to the target state.
    Go,
    /// Already there: a repeated request (a chair's double tap) changes nothing.
    AlreadyThere,
    /// Not possible from here, e.g. opening a closed vote or closing a draft.
    Impossible,
}

impl VoteState {
    pub fn as_str(self) -> &'static str {
        match self {
            VoteState::Draft => "draft",
            VoteState::Open => "open",
            VoteState::Closed => "closed",
        }
    }

    /// Whether the chair may move the vote from `self` to `target`.
    pub fn transition_to(self, target: VoteState) -> Transition {
        use VoteState::*;
        match (self, target) {
            (a, b) if a == b => Transition::AlreadyThere,
            (Draft, Open) | (Open, Closed) => Transition::Go,
            _ => Transition::Impossible,
        }
    }
}

impl FromStr for VoteState {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "draft" => Ok(VoteState::Draft),
            "open" => Ok(VoteState::Open),
            "closed" => Ok(VoteState::Closed),
            other => Err(UnknownName(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::VoteState::*;
    use super::*;

    #[test]
    fn only_forward_single_steps_go() {
        let all = [Draft, Open, Closed];
        for from in all {
            for to in all {
                let expected = if from == to {
                    Transition::AlreadyThere
                } else if (from, to) == (Draft, Open) || (from, to) == (Open, Closed) {
                    Transition::Go
                } else {
                    Transition::Impossible
                };
                assert_eq!(from.transition_to(to), expected, "{from:?} -> {to:?}");
            }
        }
    }

    #[test]
    fn reopening_and_skipping_are_impossible() {
        assert_eq!(Closed.transition_to(Open), Transition::Impossible);
        assert_eq!(Draft.transition_to(Closed), Transition::Impossible);
        assert_eq!(Closed.transition_to(Draft), Transition::Impossible);
    }
}
