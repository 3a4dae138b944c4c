//! Signing in, the caller, and a council's members.

use actix_web::http::header;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use super::extract::{client_ip, id, too_large, Actor, JsonBody, Signed};
use crate::auth::Claims;
use crate::error::{AppError, AppResult, ProblemBody};
use crate::service::{accounts, Caller};
use crate::shapes::{
    ChangePassword, ImportResult, LoginRequest, Me, Member, NewMember, SetPassword, SetRoles,
    TokenResponse,
};
use crate::state::AppState;

/// Sign in with a username and password. Failed attempts are limited per username and per
/// client address (429 with `Retry-After`).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 400, description = "malformed-request", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "unauthenticated: wrong username or password, or a deactivated member", body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "payload-too-large", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate-limited: too many failed sign-ins for this username or from this address; see Retry-After", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<LoginRequest>,
) -> AppResult<web::Json<TokenResponse>> {
    let LoginRequest { username, password } = body.into_inner();
    let username = username.trim().to_owned();
    let address = client_ip(&req, &state.config.trusted_proxies);
    let attempt = state
        .throttle
        .begin(&username, address)
        .map_err(AppError::rate_limited)?;
    let lookup = username.clone();
    let member = state
        .db(move |conn| Ok(crate::db::members::find_by_username(conn, &lookup)?))
        .await?;
    // An unknown username is checked against a decoy hash: same cost, same answer.
    let hash = member.as_ref().map(|m| m.password_hash.clone());
    let verified = state.passwords.verify(password, hash).await?;
    let member = match member {
        Some(m) if verified => m,
        _ => {
            attempt.failed();
            return Err(wrong_password());
        }
    };
    attempt.succeeded();
    if !member.active {
        return Err(AppError::unauthenticated(
            "This account has been deactivated; ask the operator if this is a mistake.",
        ));
    }
    req.extensions_mut().insert(Actor(member.id.clone()));
    token_response(&state, &member.id, member.token_version)
}

fn wrong_password() -> AppError {
    AppError::unauthenticated("The username or password is wrong; check both and try again.")
}

fn token_response(
    state: &AppState,
    member_id: &str,
    version: i32,
) -> AppResult<web::Json<TokenResponse>> {
    let access_token = state
        .tokens
        .issue(member_id, version)
        .map_err(AppError::internal)?;
    Ok(web::Json(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: state.tokens.lifetime().as_secs(),
    }))
}

/// Change your own password. Every token you hold ends, this one included; the answer carries
/// a fresh one. A wrong current password counts as a failed sign-in.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", security(("bearer" = [])),
    request_body = ChangePassword,
    responses(
        (status = 200, description = "Changed; a fresh token for this device", body = TokenResponse),
        (status = 400, description = "malformed-request", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "payload-too-large", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation-failed: the current password is wrong, or the new one is too short or too long", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate-limited: too many wrong passwords; see Retry-After", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    signed: Signed,
    body: JsonBody<ChangePassword>,
) -> AppResult<web::Json<TokenResponse>> {
    let ChangePassword {
        current_password,
        new_password,
    } = body.into_inner();
    let new_password = accounts::password(&new_password)?;
    let claims = signed.0;
    let check = claims.clone();
    let member = state
        .db(move |conn| Ok(Caller::load(conn, &check)?.member))
        .await?;
    let address = client_ip(&req, &state.config.trusted_proxies);
    let attempt = state
        .throttle
        .begin(&member.username, address)
        .map_err(AppError::rate_limited)?;
    let verified = state
        .passwords
        .verify(current_password, Some(member.password_hash))
        .await?;
    if !verified {
        attempt.failed();
        return Err(AppError::validation(
            "current_password is wrong; nothing was changed. Type your current password again.",
        ));
    }
    attempt.succeeded();
    let hash = state.passwords.hash(new_password).await?;
    let updated = state
        .db(move |conn| accounts::change_own_password(conn, &claims, hash))
        .await?;
    token_response(&state, &updated.id, updated.token_version)
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, body = Me),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn me(state: web::Data<AppState>, signed: Signed) -> AppResult<web::Json<Me>> {
    let me = state
        .db(move |conn| Ok(accounts::me(&Caller::load(conn, &signed.0)?)))
        .await?;
    Ok(web::Json(me))
}

/// Add one member to a council (admin).
#[utoipa::path(post, path = "/api/v1/councils/{council_id}/members", tag = "members",
    security(("bearer" = [])), request_body = NewMember,
    params(("council_id" = String, Path, description = "Council id")),
    responses(
        (status = 201, body = Member),
        (status = 400, description = "malformed-request", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "forbidden", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "not-found", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "username-taken", body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "payload-too-large: body over the size limit or JSON nested too deep", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation-failed", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<String>,
    body: JsonBody<NewMember>,
) -> AppResult<HttpResponse> {
    let council_id = id(&path, "council")?;
    let claims = signed.0;
    // Checked before any hashing, so nobody but an admin can make the server hash.
    may_add_members(&state, &claims, &council_id).await?;
    let member = accounts::validate(&body)?;
    let hash = state.passwords.hash(member.password.clone()).await?;
    let created = state
        .db(move |conn| {
            let caller = Caller::load(conn, &claims)?;
            accounts::check_can_add_members(conn, &caller, &council_id)?;
            accounts::insert_member(conn, &council_id, member, hash)
        })
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Add many members from CSV, all or none (admin).
#[utoipa::path(post, path = "/api/v1/councils/{council_id}/members/import", tag = "members",
    security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv",
        description = "Header `username,full_name,roles,password`; roles separated by `;`."),
    params(("council_id" = String, Path, description = "Council id")),
    responses(
        (status = 201, body = ImportResult),
        (status = 400, description = "malformed-request: not CSV, or no header", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "forbidden", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "not-found", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "username-taken: the lines are listed in `errors`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "payload-too-large", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation-failed: every bad line is listed in `errors`", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn import(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<String>,
    req: HttpRequest,
    mut payload: web::Payload,
) -> AppResult<HttpResponse> {
    let council_id = id(&path, "council")?;
    let claims = signed.0;
    // Checked before any hashing, so nobody but an admin can make the server hash.
    may_add_members(&state, &claims, &council_id).await?;
    let body = read_csv(&req, &mut payload, state.config.csv_limit).await?;
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
    let created = state
        .db(move |conn| {
            let caller = Caller::load(conn, &claims)?;
            accounts::check_can_add_members(conn, &caller, &council_id)?;
            accounts::insert_import(conn, &council_id, rows)
        })
        .await?;
    Ok(HttpResponse::Created().json(ImportResult { created }))
}

/// 404/403 unless the caller is an admin and the council exists. Run again inside the writing
/// job, since roles can change while passwords are hashed.
async fn may_add_members(state: &AppState, claims: &Claims, council_id: &str) -> AppResult<()> {
    let (claims, council_id) = (claims.clone(), council_id.to_owned());
    state
        .db(move |conn| {
            let caller = Caller::load(conn, &claims)?;
            accounts::check_can_add_members(conn, &caller, &council_id)
        })
        .await
}

/// The body of a `text/csv` request, at most `limit` bytes.
async fn read_csv(
    req: &HttpRequest,
    payload: &mut web::Payload,
    limit: usize,
) -> AppResult<web::BytesMut> {
    let is_csv = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("text/csv"));
    if !is_csv {
        return Err(AppError::malformed(
            "Send the members as CSV with the header \"Content-Type: text/csv\".",
        ));
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| AppError::malformed(format!("The body could not be read: {e}.")))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A council's members (admin, chair).
#[utoipa::path(get, path = "/api/v1/councils/{council_id}/members", tag = "members",
    security(("bearer" = [])),
    params(("council_id" = String, Path, description = "Council id")),
    responses(
        (status = 200, body = Vec<Member>),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "forbidden", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "not-found", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<String>,
) -> AppResult<web::Json<Vec<Member>>> {
    let council_id = id(&path, "council")?;
    let members = state
        .db(move |conn| {
            let caller = Caller::load(conn, &signed.0)?;
            accounts::list_members(conn, &caller, &council_id)
        })
        .await?;
    Ok(web::Json(members))
}

fn member_path(path: &(String, String)) -> AppResult<(String, String)> {
    Ok((id(&path.0, "council")?, id(&path.1, "member")?))
}

/// Set a member's password (admin). The member's existing sign-ins end at once, and failed
/// sign-ins counted against their username are forgotten.
#[utoipa::path(put, path = "/api/v1/councils/{council_id}/members/{member_id}/password",
    tag = "members", security(("bearer" = [])), request_body = SetPassword,
    params(
        ("council_id" = String, Path, description = "Council id"),
        ("member_id" = String, Path, description = "Member id"),
    ),
    responses(
        (status = 200, body = Member),
        (status = 400, description = "malformed-request", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "forbidden", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "not-found: no such member in that council", body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "payload-too-large", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation-failed", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn set_password(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<(String, String)>,
    body: JsonBody<SetPassword>,
) -> AppResult<web::Json<Member>> {
    let (council_id, member_id) = member_path(&path)?;
    let password = accounts::password(&body.into_inner().password)?;
    let claims = signed.0;
    let check = (claims.clone(), council_id.clone(), member_id.clone());
    state
        .db(move |conn| {
            let caller = Caller::load(conn, &check.0)?;
            accounts::managed_member(conn, &caller, &check.1, &check.2).map(|_| ())
        })
        .await?;
    let hash = state.passwords.hash(password).await?;
    let member = state
        .db(move |conn| {
            let caller = Caller::load(conn, &claims)?;
            accounts::set_password(conn, &caller, &council_id, &member_id, hash)
        })
        .await?;
    // A member locked out by someone guessing may sign in with the new password at once.
    state.throttle.clear_username(&member.username);
    Ok(web::Json(member))
}

/// Replace a member's council roles (admin). Removing a role ends the member's existing
/// sign-ins at once; an added role counts from their next request.
#[utoipa::path(put, path = "/api/v1/councils/{council_id}/members/{member_id}/roles",
    tag = "members", security(("bearer" = [])), request_body = SetRoles,
    params(
        ("council_id" = String, Path, description = "Council id"),
        ("member_id" = String, Path, description = "Member id"),
    ),
    responses(
        (status = 200, body = Member),
        (status = 400, description = "malformed-request", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "forbidden", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "not-found: no such member in that council", body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "payload-too-large", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation-failed", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn set_roles(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<(String, String)>,
    body: JsonBody<SetRoles>,
) -> AppResult<web::Json<Member>> {
    let (council_id, member_id) = member_path(&path)?;
    let roles = accounts::council_roles(&body.into_inner().roles)?;
    let member = state
        .db(move |conn| {
            let caller = Caller::load(conn, &signed.0)?;
            accounts::set_roles(conn, &caller, &council_id, &member_id, roles)
        })
        .await?;
    Ok(web::Json(member))
}

async fn set_active(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<(String, String)>,
    active: bool,
) -> AppResult<web::Json<Member>> {
    let (council_id, member_id) = member_path(&path)?;
    let member = state
        .db(move |conn| {
            let caller = Caller::load(conn, &signed.0)?;
            accounts::set_active(conn, &caller, &council_id, &member_id, active)
        })
        .await?;
    Ok(web::Json(member))
}

/// Deactivate a member (admin): their sign-ins end at once, they cannot sign in again, and
/// they are not an elector of votes opened afterwards. Repeating it changes nothing.
#[utoipa::path(post, path = "/api/v1/councils/{council_id}/members/{member_id}/deactivate",
    tag = "members", security(("bearer" = [])),
    params(
        ("council_id" = String, Path, description = "Council id"),
        ("member_id" = String, Path, description = "Member id"),
    ),
    responses(
        (status = 200, body = Member),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "forbidden", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "not-found: no such member in that council", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn deactivate(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<(String, String)>,
) -> AppResult<web::Json<Member>> {
    set_active(state, signed, path, false).await
}

/// Activate a deactivated member again (admin): they may sign in again; tokens from before
/// stay ended. Repeating it changes nothing.
#[utoipa::path(post, path = "/api/v1/councils/{council_id}/members/{member_id}/activate",
    tag = "members", security(("bearer" = [])),
    params(
        ("council_id" = String, Path, description = "Council id"),
        ("member_id" = String, Path, description = "Member id"),
    ),
    responses(
        (status = 200, body = Member),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "forbidden", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "not-found: no such member in that council", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn activate(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<(String, String)>,
) -> AppResult<web::Json<Member>> {
    set_active(state, signed, path, true).await
}
