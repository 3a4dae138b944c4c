//! Vote kinds and the choices each offers on a ballot row (DOMAIN.md, "Two kinds of vote").

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use utoipa::ToSchema;

/// `rating` (lấy phiếu tín nhiệm) or `confidence` (bỏ phiếu tín nhiệm).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VoteKind {
    Rating,
    Confidence,
}

/// One mark on one ballot row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Choice {
    High,
    Medium,
    Low,
    Confidence,
    NoConfidence,
}

/// What the percentages are taken of (DOMAIN.md, "Percent base").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PercentBase {
    /// Ballots cast (Resolution 96/2023/QH15): the default.
    #[default]
    Ballots,
    /// The council's seats (the older Resolution 85/2014/QH13).
    Seats,
}

/// How a blank row is written in a stored ballot, beside each choice's letter.
pub(crate) const BLANK: char = '-';

impl VoteKind {
    /// The choices on every row, in the order they are printed on the ballot.
    pub fn choices(self) -> &'static [Choice] {
        match self {
            VoteKind::Rating => &[Choice::High, Choice::Medium, Choice::Low],
            VoteKind::Confidence => &[Choice::Confidence, Choice::NoConfidence],
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            VoteKind::Rating => "rating",
            VoteKind::Confidence => "confidence",
        }
    }

    /// The choice of this kind with the given API name, if there is one.
    pub fn choice_named(self, name: &str) -> Option<Choice> {
        self.choices().iter().copied().find(|c| c.as_str() == name)
    }

    /// What each letter of a stored ballot of this kind means: every choice's code, and `-` for
    /// a blank row. Records carry it so that an auditor can read ballots without our code.
    pub fn ballot_codes(self) -> BTreeMap<String, String> {
        self.choices()
            .iter()
            .map(|c| (c.code().to_string(), c.as_str().to_owned()))
            .chain([(BLANK.to_string(), "blank".to_owned())])
            .collect()
    }
}

impl Choice {
    pub fn as_str(self) -> &'static str {
        match self {
            Choice::High => "high",
            Choice::Medium => "medium",
            Choice::Low => "low",
            Choice::Confidence => "confidence",
            Choice::NoConfidence => "no_confidence",
        }
    }

    /// The one-letter code a stored ballot uses for this mark.
    pub(crate) fn code(self) -> char {
        match self {
            Choice::High => 'h',
            Choice::Medium => 'm',
            Choice::Low => 'l',
            Choice::Confidence => 'c',
            Choice::NoConfidence => 'n',
        }
    }

    pub(crate) fn from_code(code: char) -> Option<Choice> {
        Some(match code {
            'h' => Choice::High,
            'm' => Choice::Medium,
            'l' => Choice::Low,
            'c' => Choice::Confidence,
            'n' => Choice::NoConfidence,
            _ => return None,
        })
    }
}

impl PercentBase {
    pub fn as_str(self) -> &'static str {
        match self {
            PercentBase::Ballots => "ballots",
            PercentBase::Seats => "seats",
        }
    }
}

/// A stored kind or base that is not one of ours: the database was edited by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName(pub String);

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown name {:?}", self.0)
    }
}

impl FromStr for VoteKind {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "rating" => Ok(VoteKind::Rating),
            "confidence" => Ok(VoteKind::Confidence),
            other => Err(UnknownName(other.to_owned())),
        }
    }
}

impl FromStr for PercentBase {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ballots" => Ok(PercentBase::Ballots),
            "seats" => Ok(PercentBase::Seats),
            other => Err(UnknownName(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_choice_round_trips_through_its_code_and_name() {
        for kind in [VoteKind::Rating, VoteKind::Confidence] {
            for &choice in kind.choices() {
                assert_eq!(Choice::from_code(choice.code()), Some(choice));
                assert_eq!(kind.choice_named(choice.as_str()), Some(choice));
            }
        }
        assert_eq!(VoteKind::Rating.choice_named("confidence"), None);
        assert_eq!(VoteKind::Confidence.choice_named("high"), None);
        assert_eq!(Choice::from_code('-'), None);
    }
}
