//! What each request does, free of HTTP: runs on a blocking thread with one connection (casting
//! also has an async path through the ballot writer: see `casting`).

pub mod accounts;
pub mod ballot_writer;
pub mod ballots;
pub mod casting;
pub mod committee_record;
pub mod committees;
pub mod councils;
pub mod csv_import;
pub mod decryption;
pub mod drafts;
pub mod eligibility;
pub mod encrypted_ballots;
pub mod follow_up;
pub mod layouts;
pub mod publication;
pub mod record_cache;
pub mod records;
pub mod tallies;
pub mod tracking_codes;
pub mod visible;
pub mod votes;

use crate::auth::Claims;
use crate::db::members::{self, MemberRow};
use crate::db::DbConn;
use crate::domain::Role;
use crate::error::{AppError, AppResult};

/// The signed-in member making the request, as the database knows them now.
#[derive(Debug, Clone)]
pub struct Caller {
    pub member: MemberRow,
    /// The councils whose parent is the caller's council, when the caller holds `supervisor`:
    /// the councils whose votes and published tallies they read, and never change.
    pub supervises: Vec<String>,
}

impl Caller {
    /// Loads the token's member. A token is refused when its member no longer exists, has been
    /// deactivated, or has had their password changed or a role removed since it was issued.
    pub fn load(conn: &mut DbConn, claims: &Claims) -> AppResult<Caller> {
        Caller::load_current(conn, &claims.sub, claims.ver)
    }

    /// Loads the member a token with version `token_version` was issued to, refused as `load`
    /// refuses it.
    pub fn load_current(
        conn: &mut DbConn,
        member_id: &str,
        token_version: i32,
    ) -> AppResult<Caller> {
        let member = members::find(conn, member_id)?.ok_or_else(|| {
            AppError::unauthenticated("Your account no longer exists; sign in again.")
        })?;
        if !member.active {
            return Err(AppError::unauthenticated(
                "Your account has been deactivated; ask the operator if this is a mistake.",
            ));
        }
        if member.token_version != token_version {
            return Err(AppError::unauthenticated(
                "Your sign-in has ended because your password or roles changed; sign in again.",
            ));
        }
        Caller::with_member(conn, member)
    }

    /// The caller `member`, with the councils they supervise.
    pub fn with_member(conn: &mut DbConn, member: MemberRow) -> AppResult<Caller> {
        let supervises = match (&member.council_id, member.has(Role::Supervisor)) {
            (Some(council), true) => crate::db::councils::children_ids(conn, council)?,
            _ => Vec::new(),
        };
        Ok(Caller { member, supervises })
    }

    pub fn is_admin(&self) -> bool {
        self.member.is_admin
    }

    pub fn has(&self, role: Role) -> bool {
        self.member.has(role)
    }

    /// Admins see every council; a member sees only their own, and others do not exist (404).
    /// A supervisor of the council's parent gets 403: they may only read, through
    /// [`Caller::read_council`].
    pub fn see_council(&self, council_id: &str, what: &str) -> AppResult<()> {
        if self.is_admin() || self.member.council_id.as_deref() == Some(council_id) {
            Ok(())
        } else if self.supervises(council_id) {
            Err(AppError::forbidden(format!(
                "As a supervisor of the parent council you read this council's votes, their \
                 turnout and published tallies, and nothing else of this {what}; you change \
                 nothing here. Ask the council's own chair."
            )))
        } else {
            Err(AppError::not_found(what))
        }
    }

    /// For the reads a parent council's supervisors share with the council's members (a vote,
    /// its turnout, its published tally): as [`Caller::see_council`], supervisors allowed.
    pub fn read_council(&self, council_id: &str, what: &str) -> AppResult<()> {
        if self.supervises(council_id) {
            return Ok(());
        }
        self.see_council(council_id, what)
    }

    /// Whether the caller supervises `council_id` (a council whose parent is theirs).
    pub fn supervises(&self, council_id: &str) -> bool {
        self.supervises.iter().any(|c| c == council_id)
    }

    /// 403 unless the caller holds one of `roles` (admin counts only if listed).
    pub fn require(&self, roles: &[Role], action: &str) -> AppResult<()> {
        if roles.iter().any(|r| self.has(*r)) {
            return Ok(());
        }
        let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        Err(AppError::forbidden(format!(
            "Only {} may {action}; ask someone who holds that role.",
            names.join(" or ")
        )))
    }
}

/// A required text field: trimmed, not empty, at most `max` characters.
pub fn text(field: &str, value: &str, max: usize) -> AppResult<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(AppError::validation(format!("{field} must not be empty.")));
    }
    if trimmed.chars().count() > max {
        return Err(AppError::validation(format!(
            "{field} is longer than {max} characters; shorten it."
        )));
    }
    Ok(trimmed.to_owned())
}
