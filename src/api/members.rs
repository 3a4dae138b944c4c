//! A council's members: added one by one or from CSV, listed, and managed by the admin.

use actix_web::{web, HttpRequest, HttpResponse};

use super::extract::{csv_body, CouncilId, JsonBody, MemberId, SignedIn};
use super::responses::{
    CsvBody, Forbidden, JsonBody as BodyProblems, NotFound, SignedIn as Signed, UsernameTaken,
    Validation,
};
use crate::error::AppResult;
use crate::service::accounts;
use crate::shapes::{ImportResult, Member, NewMember, SetPassword, SetRoles};

/// Add one member to a council (admin).
#[utoipa::path(post, path = "/api/v1/councils/{council_id}/members", tag = "members",
    security(("bearer" = [])), request_body = NewMember,
    params(CouncilId),
    responses((status = 201, body = Member), Signed, BodyProblems, Forbidden, NotFound,
        UsernameTaken, Validation))]
pub async fn create(
    signed: SignedIn,
    council: CouncilId,
    body: JsonBody<NewMember>,
) -> AppResult<HttpResponse> {
    let council = council.into_inner();
    // Checked before any hashing, so nobody but an admin can make the server hash.
    may_add_members(&signed, &council).await?;
    let member = accounts::validate(&body)?;
    let hash = signed
        .state()
        .passwords
        .hash(member.password.clone())
        .await?;
    let created = signed
        .run(move |conn, caller| {
            accounts::check_can_add_members(conn, caller, &council)?;
            accounts::insert_member(conn, &council, member, hash)
        })
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Add many members from CSV, all or none (admin).
#[utoipa::path(post, path = "/api/v1/councils/{council_id}/members/import", tag = "members",
    security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv",
        description = "Header `username,full_name,roles,password`; roles separated by `;`."),
    params(CouncilId),
    responses((status = 201, body = ImportResult), Signed, CsvBody, Forbidden, NotFound,
        UsernameTaken, Validation))]
pub async fn import(
    signed: SignedIn,
    council: CouncilId,
    req: HttpRequest,
    mut payload: web::Payload,
) -> AppResult<HttpResponse> {
    let council = council.into_inner();
    // Checked before any hashing, so nobody but an admin can make the server hash.
    may_add_members(&signed, &council).await?;
    let state = signed.state();
    let body = csv_body(&req, &mut payload, state.config.csv_limit, "members").await?;
    let rows = accounts::parse_import(&body)?;
    let hashes = state
        .passwords
        .hash_all(rows.iter().map(|(_, m)| m.password.clone()).collect())
        .await?;
    let rows: Vec<_> = rows
        .into_iter()
        .zip(hashes)
        .map(|((line, member), hash)| (line, member, hash))
        .collect();
    let created = signed
        .run(move |conn, caller| {
            accounts::check_can_add_members(conn, caller, &council)?;
            accounts::insert_import(conn, &council, rows)
        })
        .await?;
    Ok(HttpResponse::Created().json(ImportResult { created }))
}

/// 404/403 unless the caller is an admin and the council exists. Run again inside the writing
/// job, since roles can change while passwords are hashed.
async fn may_add_members(signed: &SignedIn, council: &str) -> AppResult<()> {
    let council = council.to_owned();
    signed
        .run(move |conn, caller| accounts::check_can_add_members(conn, caller, &council))
        .await
}

/// A council's members (admin, chair).
#[utoipa::path(get, path = "/api/v1/councils/{council_id}/members", tag = "members",
    security(("bearer" = [])),
    params(CouncilId),
    responses((status = 200, body = Vec<Member>), Signed, Forbidden, NotFound))]
pub async fn list(signed: SignedIn, council: CouncilId) -> AppResult<web::Json<Vec<Member>>> {
    signed
        .run(move |conn, caller| accounts::list_members(conn, caller, &council))
        .await
        .map(web::Json)
}

/// Set a member's password (admin). The member's existing sign-ins end at once, and failed
/// sign-ins counted against their username are forgotten.
#[utoipa::path(put, path = "/api/v1/councils/{council_id}/members/{member_id}/password",
    tag = "members", security(("bearer" = [])), request_body = SetPassword,
    params(CouncilId, MemberId),
    responses((status = 200, body = Member), Signed, BodyProblems, Forbidden, NotFound,
        Validation))]
pub async fn set_password(
    signed: SignedIn,
    council: CouncilId,
    member: MemberId,
    body: JsonBody<SetPassword>,
) -> AppResult<web::Json<Member>> {
    let (council, member) = (council.into_inner(), member.into_inner());
    let password = accounts::password(&body.into_inner().password)?;
    let check = (council.clone(), member.clone());
    // Checked before any hashing, as for adding members.
    signed
        .run(move |conn, caller| {
            accounts::managed_member(conn, caller, &check.0, &check.1).map(|_| ())
        })
        .await?;
    let state = signed.state();
    let hash = state.passwords.hash(password).await?;
    let member = signed
        .run(move |conn, caller| accounts::set_password(conn, caller, &council, &member, hash))
        .await?;
    // A member locked out by someone guessing may sign in with the new password at once.
    state.throttle.clear_username(&member.username);
    Ok(web::Json(member))
}

/// Replace a member's council roles (admin). Removing a role ends the member's existing
/// sign-ins at once; an added role counts from their next request.
#[utoipa::path(put, path = "/api/v1/councils/{council_id}/members/{member_id}/roles",
    tag = "members", security(("bearer" = [])), request_body = SetRoles,
    params(CouncilId, MemberId),
    responses((status = 200, body = Member), Signed, BodyProblems, Forbidden, NotFound,
        Validation))]
pub async fn set_roles(
    signed: SignedIn,
    council: CouncilId,
    member: MemberId,
    body: JsonBody<SetRoles>,
) -> AppResult<web::Json<Member>> {
    let roles = accounts::council_roles(&body.into_inner().roles)?;
    signed
        .run(move |conn, caller| accounts::set_roles(conn, caller, &council, &member, roles))
        .await
        .map(web::Json)
}

async fn set_active(
    signed: SignedIn,
    council: CouncilId,
    member: MemberId,
    active: bool,
) -> AppResult<web::Json<Member>> {
    signed
        .run(move |conn, caller| accounts::set_active(conn, caller, &council, &member, active))
        .await
        .map(web::Json)
}

/// Deactivate a member (admin): their sign-ins end at once, they cannot sign in again, and
/// they are not an elector of votes opened afterwards. Repeating it changes nothing.
#[utoipa::path(post, path = "/api/v1/councils/{council_id}/members/{member_id}/deactivate",
    tag = "members", security(("bearer" = [])),
    params(CouncilId, MemberId),
    responses((status = 200, body = Member), Signed, Forbidden, NotFound))]
pub async fn deactivate(
    signed: SignedIn,
    council: CouncilId,
    member: MemberId,
) -> AppResult<web::Json<Member>> {
    set_active(signed, council, member, false).await
}

/// Activate a deactivated member again (admin): they may sign in again; tokens from before
/// stay ended. Repeating it changes nothing.
#[utoipa::path(post, path = "/api/v1/councils/{council_id}/members/{member_id}/activate",
    tag = "members", security(("bearer" = [])),
    params(CouncilId, MemberId),
    responses((status = 200, body = Member), Signed, Forbidden, NotFound))]
pub async fn activate(
    signed: SignedIn,
    council: CouncilId,
    member: MemberId,
) -> AppResult<web::Json<Member>> {
    set_active(signed, council, member, true).await
}
