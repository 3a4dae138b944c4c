//! The `members` table: council members and the installation's admins.

use diesel::prelude::*;

use super::schema::members;
use super::DbConn;
use crate::domain::Role;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = members)]
pub struct MemberRow {
    pub id: String,
    pub council_id: Option<String>,
    pub username: String,
    pub full_name: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub is_chair: bool,
    pub is_delegate: bool,
    pub is_auditor: bool,
    pub created_at: chrono::NaiveDateTime,
    /// Carried in every token; a token with another version is refused.
    pub token_version: i32,
    /// A deactivated member cannot sign in, and their tokens are refused.
    pub active: bool,
    pub is_supervisor: bool,
}

impl MemberRow {
    /// A new member row with the given roles.
    pub fn new(
        council_id: Option<String>,
        username: String,
        full_name: String,
        password_hash: String,
        roles: &[Role],
    ) -> MemberRow {
        MemberRow {
            id: uuid::Uuid::new_v4().to_string(),
            council_id,
            username,
            full_name,
            password_hash,
            is_admin: roles.contains(&Role::Admin),
            is_chair: roles.contains(&Role::Chair),
            is_delegate: roles.contains(&Role::Delegate),
            is_auditor: roles.contains(&Role::Auditor),
            created_at: super::now(),
            token_version: 0,
            active: true,
            is_supervisor: roles.contains(&Role::Supervisor),
        }
    }

    /// The roles held, in a fixed order.
    pub fn roles(&self) -> Vec<Role> {
        [
            (self.is_admin, Role::Admin),
            (self.is_chair, Role::Chair),
            (self.is_delegate, Role::Delegate),
            (self.is_auditor, Role::Auditor),
            (self.is_supervisor, Role::Supervisor),
        ]
        .into_iter()
        .filter_map(|(held, role)| held.then_some(role))
        .collect()
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles().contains(&role)
    }
}

pub fn insert(conn: &mut DbConn, row: &MemberRow) -> QueryResult<()> {
    diesel::insert_into(members::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<MemberRow>> {
    members::table
        .find(id)
        .select(MemberRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_username(conn: &mut DbConn, username: &str) -> QueryResult<Option<MemberRow>> {
    members::table
        .filter(members::username.eq(username))
        .select(MemberRow::as_select())
        .first(conn)
        .optional()
}

/// Which of `usernames` are already taken.
pub fn taken_usernames(conn: &mut DbConn, usernames: &[String]) -> QueryResult<Vec<String>> {
    let mut taken = Vec::new();
    // Chunked: SQLite limits the number of bound parameters in one statement.
    for chunk in usernames.chunks(500) {
        taken.extend(
            members::table
                .filter(members::username.eq_any(chunk))
                .select(members::username)
                .load::<String>(conn)?,
        );
    }
    Ok(taken)
}

pub fn list_by_council(conn: &mut DbConn, council_id: &str) -> QueryResult<Vec<MemberRow>> {
    members::table
        .filter(members::council_id.eq(council_id))
        .order((members::username, members::id))
        .select(MemberRow::as_select())
        .load(conn)
}

/// The ids of the council's active members who hold `delegate` now.
pub fn delegate_ids(conn: &mut DbConn, council_id: &str) -> QueryResult<Vec<String>> {
    members::table
        .filter(members::council_id.eq(council_id))
        .filter(members::is_delegate.eq(true))
        .filter(members::active.eq(true))
        .select(members::id)
        .load(conn)
}

pub fn admin_exists(conn: &mut DbConn) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        members::table.filter(members::is_admin.eq(true)),
    ))
    .get_result(conn)
}

/// Sets a new password hash and ends every token issued before.
pub fn set_password(conn: &mut DbConn, id: &str, password_hash: &str) -> QueryResult<bool> {
    diesel::update(members::table.find(id))
        .set((
            members::password_hash.eq(password_hash),
            members::token_version.eq(members::token_version + 1),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// Sets the council roles; `end_tokens` also ends every token issued before.
pub fn set_roles(
    conn: &mut DbConn,
    id: &str,
    roles: &[Role],
    end_tokens: bool,
) -> QueryResult<bool> {
    let flags = (
        members::is_chair.eq(roles.contains(&Role::Chair)),
        members::is_delegate.eq(roles.contains(&Role::Delegate)),
        members::is_auditor.eq(roles.contains(&Role::Auditor)),
        members::is_supervisor.eq(roles.contains(&Role::Supervisor)),
    );
    let target = members::table.find(id);
    let changed = if end_tokens {
        diesel::update(target)
            .set((flags, members::token_version.eq(members::token_version + 1)))
            .execute(conn)?
    } else {
        diesel::update(target).set(flags).execute(conn)?
    };
    Ok(changed == 1)
}

/// Activates or deactivates a member; either way every token issued before ends, so a member
/// activated again does not get old tokens back.
pub fn set_active(conn: &mut DbConn, id: &str, active: bool) -> QueryResult<bool> {
    diesel::update(members::table.find(id))
        .set((
            members::active.eq(active),
            members::token_version.eq(members::token_version + 1),
        ))
        .execute(conn)
        .map(|n| n == 1)
}
