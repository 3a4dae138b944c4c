//! Who may do what (DOMAIN.md, "Who and what").

use serde::{Deserialize, Serialize};
use std::str::FromStr;
use utoipa::ToSchema;

use super::kind::UnknownName;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The installation's operator; belongs to no council.
    Admin,
    /// Opens and closes the council's votes.
    Chair,
    /// Receives and casts a ballot.
    Delegate,
    /// Reads tallies and downloads records.
    Auditor,
    /// A member of a parent council's standing committee: reads, never writes, the votes and
    /// published tallies of the councils below it.
    Supervisor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Chair => "chair",
            Role::Delegate => "delegate",
            Role::Auditor => "auditor",
            Role::Supervisor => "supervisor",
        }
    }

    /// The roles a council member can hold (admin is not one of them).
    pub const COUNCIL: [Role; 4] = [Role::Chair, Role::Delegate, Role::Auditor, Role::Supervisor];
}

impl FromStr for Role {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "admin" => Ok(Role::Admin),
            "chair" => Ok(Role::Chair),
            "delegate" => Ok(Role::Delegate),
            "auditor" => Ok(Role::Auditor),
            "supervisor" => Ok(Role::Supervisor),
            other => Err(UnknownName(other.to_owned())),
        }
    }
}
