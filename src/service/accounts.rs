//! Members and admins: creating them one by one or from CSV, listing them, signing in.

use std::collections::HashMap;

use super::csv_import::CsvImport;
use super::{text, Caller};
use crate::db::members::{self, MemberRow};
use crate::db::{self, councils, DbConn};
use crate::domain::Role;
use crate::error::{AppError, AppResult, FieldError, Problem};
use crate::shapes::{Me, Member, NewMember};

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 256;
pub const MAX_IMPORT_ROWS: usize = 5_000;

/// A member request that passed every check but the database's.
#[derive(Debug, Clone)]
pub struct ValidMember {
    pub username: String,
    pub full_name: String,
    pub password: String,
    pub roles: Vec<Role>,
}

pub fn username(value: &str) -> AppResult<String> {
    let name = text("username", value, 64)?;
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(AppError::validation(
            "username must not contain spaces; use letters, digits, dots or dashes.",
        ));
    }
    Ok(name)
}

pub fn password(value: &str) -> AppResult<String> {
    let n = value.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(AppError::validation(format!(
            "password must have at least {MIN_PASSWORD_CHARS} characters."
        )));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(AppError::validation(format!(
            "password must have at most {MAX_PASSWORD_CHARS} characters."
        )));
    }
    Ok(value.to_owned())
}

/// Council roles by name; at least one, no admin, each once.
pub fn council_roles<S: AsRef<str>>(names: &[S]) -> AppResult<Vec<Role>> {
    let mut roles = Vec::new();
    for name in names {
        let name = name.as_ref().trim();
        let role = name
            .parse::<Role>()
            .ok()
            .filter(|r| Role::COUNCIL.contains(r))
            .ok_or_else(|| {
                AppError::validation(format!(
                    "\"{name}\" is not a council role; use delegate, chair, auditor or supervisor."
                ))
            })?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    if roles.is_empty() {
        return Err(AppError::validation(
            "roles must name at least one of delegate, chair, auditor, supervisor.",
        ));
    }
    roles.sort();
    Ok(roles)
}

pub fn validate(input: &NewMember) -> AppResult<ValidMember> {
    Ok(ValidMember {
        username: username(&input.username)?,
        full_name: text("full_name", &input.full_name, 200)?,
        password: password(&input.password)?,
        roles: council_roles(&input.roles)?,
    })
}

pub fn member_view(row: &MemberRow) -> Member {
    Member {
        id: row.id.clone(),
        username: row.username.clone(),
        full_name: row.full_name.clone(),
        roles: row.roles(),
        active: row.active,
    }
}

pub fn me(caller: &Caller) -> Me {
    let m = &caller.member;
    Me {
        id: m.id.clone(),
        username: m.username.clone(),
        full_name: m.full_name.clone(),
        council_id: m.council_id.clone(),
        roles: m.roles(),
    }
}

/// Only an admin adds members, to a council that exists.
pub fn check_can_add_members(
    conn: &mut DbConn,
    caller: &Caller,
    council_id: &str,
) -> AppResult<()> {
    caller.see_council(council_id, "council")?;
    caller.require(&[Role::Admin], "add members")?;
    councils::find(conn, council_id)?.ok_or_else(|| AppError::not_found("council"))?;
    Ok(())
}

fn taken(username: &str) -> AppError {
    AppError::new(
        Problem::UsernameTaken,
        format!("The username \"{username}\" is taken; choose another."),
    )
}

/// Inserts a member whose password is already hashed.
pub fn insert_member(
    conn: &mut DbConn,
    council_id: &str,
    member: ValidMember,
    password_hash: String,
) -> AppResult<Member> {
    let row = MemberRow::new(
        Some(council_id.to_owned()),
        member.username,
        member.full_name,
        password_hash,
        &member.roles,
    );
    match members::insert(conn, &row) {
        Ok(()) => Ok(member_view(&row)),
        Err(e) if db::is_unique_violation(&e) => Err(taken(&row.username)),
        Err(e) => Err(e.into()),
    }
}

pub fn list_members(
    conn: &mut DbConn,
    caller: &Caller,
    council_id: &str,
) -> AppResult<Vec<Member>> {
    caller.see_council(council_id, "council")?;
    caller.require(&[Role::Admin, Role::Chair], "list the members")?;
    councils::find(conn, council_id)?.ok_or_else(|| AppError::not_found("council"))?;
    Ok(members::list_by_council(conn, council_id)?
        .iter()
        .map(member_view)
        .collect())
}

/// Reads a CSV import (header `username,full_name,roles,password`, roles split by `;`).
/// Every bad line is reported at once, named by its line number (the header is line 1).
pub fn parse_import(body: &[u8]) -> AppResult<Vec<(usize, ValidMember)>> {
    let import = CsvImport {
        columns: ["username", "full_name", "roles", "password"],
        one: "member",
        many: "members",
        max_rows: MAX_IMPORT_ROWS,
    };
    let mut first_line: HashMap<String, usize> = HashMap::new();
    import.read(body, |line, [u, f, r, p]| {
        let roles: Vec<&str> = r.split(';').filter(|s| !s.trim().is_empty()).collect();
        let member = ValidMember {
            username: username(u)?,
            full_name: text("full_name", f, 200)?,
            password: password(p)?,
            roles: council_roles(&roles)?,
        };
        if let Some(earlier) = first_line.get(&member.username) {
            return Err(AppError::validation(format!(
                "username \"{}\" already appears on line {earlier}",
                member.username
            )));
        }
        first_line.insert(member.username.clone(), line);
        Ok(member)
    })
}

/// Inserts every imported member or none: a taken username rolls the whole file back.
pub fn insert_import(
    conn: &mut DbConn,
    council_id: &str,
    rows: Vec<(usize, ValidMember, String)>,
) -> AppResult<usize> {
    let lines: HashMap<String, usize> = rows
        .iter()
        .map(|(line, m, _)| (m.username.clone(), *line))
        .collect();
    db::write_transaction(conn, |conn| {
        let usernames: Vec<String> = rows.iter().map(|(_, m, _)| m.username.clone()).collect();
        let mut already = members::taken_usernames(conn, &usernames)?;
        if !already.is_empty() {
            already.sort_by_key(|u| lines.get(u).copied().unwrap_or(0));
            let errors = already
                .iter()
                .map(|u| FieldError {
                    line: lines.get(u).copied(),
                    message: format!("username \"{u}\" is taken"),
                })
                .collect();
            return Err(AppError::new(
                Problem::UsernameTaken,
                format!(
                    "Nothing was imported: {} username(s) already exist ({}); change them and \
                     send the whole file again.",
                    already.len(),
                    already.join(", ")
                ),
            )
            .with_errors(errors));
        }
        let created = rows.len();
        for (_, member, hash) in rows {
            insert_member(conn, council_id, member, hash)?;
        }
        Ok(created)
    })
}

/// Creates an admin (from `create-admin` or the bootstrap variables).
pub fn create_admin(conn: &mut DbConn, name: &str, password_hash: String) -> AppResult<()> {
    let name = username(name)?;
    let row = MemberRow::new(None, name.clone(), name, password_hash, &[Role::Admin]);
    match members::insert(conn, &row) {
        Ok(()) => Ok(()),
        Err(e) if db::is_unique_violation(&e) => Err(taken(&row.username)),
        Err(e) => Err(e.into()),
    }
}

/// The council member an admin acts on: admins only; a member of another council, or no
/// member at all, is not found (404).
pub fn managed_member(
    conn: &mut DbConn,
    caller: &Caller,
    council_id: &str,
    member_id: &str,
) -> AppResult<MemberRow> {
    caller.see_council(council_id, "council")?;
    caller.require(&[Role::Admin], "manage members")?;
    councils::find(conn, council_id)?.ok_or_else(|| AppError::not_found("council"))?;
    members::find(conn, member_id)?
        .filter(|m| m.council_id.as_deref() == Some(council_id))
        .ok_or_else(|| AppError::not_found("member"))
}

fn reload(conn: &mut DbConn, member_id: &str) -> AppResult<Member> {
    members::find(conn, member_id)?
        .map(|m| member_view(&m))
        .ok_or_else(|| AppError::not_found("member"))
}

/// An admin sets a member's password (already hashed); the member's tokens end.
pub fn set_password(
    conn: &mut DbConn,
    caller: &Caller,
    council_id: &str,
    member_id: &str,
    password_hash: String,
) -> AppResult<Member> {
    db::write_transaction(conn, |conn| {
        managed_member(conn, caller, council_id, member_id)?;
        members::set_password(conn, member_id, &password_hash)?;
        reload(conn, member_id)
    })
}

/// An admin replaces a member's council roles. Removing any role ends the member's tokens;
/// an added role counts from the member's next request (roles are read on every request).
pub fn set_roles(
    conn: &mut DbConn,
    caller: &Caller,
    council_id: &str,
    member_id: &str,
    roles: Vec<Role>,
) -> AppResult<Member> {
    db::write_transaction(conn, |conn| {
        let member = managed_member(conn, caller, council_id, member_id)?;
        let removed = member.roles().iter().any(|r| !roles.contains(r));
        members::set_roles(conn, member_id, &roles, removed)?;
        reload(conn, member_id)
    })
}

/// An admin deactivates (or activates again) a member; either way the member's tokens end.
/// A deactivated delegate is not made an elector of votes opened afterwards; in a vote already
/// open they stay counted as eligible but cannot cast (they cannot sign in).
pub fn set_active(
    conn: &mut DbConn,
    caller: &Caller,
    council_id: &str,
    member_id: &str,
    active: bool,
) -> AppResult<Member> {
    db::write_transaction(conn, |conn| {
        let member = managed_member(conn, caller, council_id, member_id)?;
        if member.active != active {
            members::set_active(conn, member_id, active)?;
        }
        reload(conn, member_id)
    })
}

/// The caller's own new password (already hashed, the current one checked): every token of
/// theirs ends, and the new version is returned for the fresh token.
pub fn change_own_password(
    conn: &mut DbConn,
    claims: &crate::auth::Claims,
    password_hash: String,
) -> AppResult<MemberRow> {
    db::write_transaction(conn, |conn| {
        // Again under the write lock: a token ended meanwhile does not change anything.
        let caller = Caller::load(conn, claims)?;
        members::set_password(conn, &caller.member.id, &password_hash)?;
        members::find(conn, &caller.member.id)?
            .ok_or_else(|| AppError::unauthenticated("Your account no longer exists."))
    })
}
