//! Signing in, the caller, and a council's members.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use super::extract::{id, too_large, Signed};
use crate::error::{AppError, AppResult, ProblemBody};
use crate::service::{accounts, Caller};
use crate::shapes::{ImportResult, LoginRequest, Me, Member, NewMember, TokenResponse};
use crate::state::AppState;

/// Sign in with a username and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 400, description = "malformed-request", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "unauthenticated: wrong username or password", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn login(
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> AppResult<web::Json<TokenResponse>> {
    let LoginRequest { username, password } = body.into_inner();
    let lookup = username.trim().to_owned();
    let member = state
        .db(move |conn| Ok(crate::db::members::find_by_username(conn, &lookup)?))
        .await?;
    let (member_id, hash) = match member {
        Some(m) => (Some(m.id), Some(m.password_hash)),
        None => (None, None),
    };
    // An unknown username is checked against a decoy hash: same cost, same answer.
    let verified = state.passwords.verify(password, hash).await?;
    let member_id = match (verified, member_id) {
        (true, Some(id)) => id,
        _ => {
            return Err(AppError::unauthenticated(
                "The username or password is wrong; check both and try again.",
            ))
        }
    };
    let access_token = state.tokens.issue(&member_id).map_err(AppError::internal)?;
    Ok(web::Json(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: state.tokens.lifetime().as_secs(),
    }))
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
        (status = 422, description = "validation-failed", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<String>,
    body: web::Json<NewMember>,
) -> AppResult<HttpResponse> {
    let council_id = id(&path, "council")?;
    let claims = signed.0;
    let check = (council_id.clone(), claims.clone());
    state
        .db(move |conn| {
            let caller = Caller::load(conn, &check.1)?;
            accounts::check_can_add_members(conn, &caller, &check.0)
        })
        .await?;
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
    let check = (council_id.clone(), claims.clone());
    state
        .db(move |conn| {
            let caller = Caller::load(conn, &check.1)?;
            accounts::check_can_add_members(conn, &caller, &check.0)
        })
        .await?;
    let is_csv = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("text/csv")
        })
        .unwrap_or(false);
    if !is_csv {
        return Err(AppError::malformed(
            "Send the members as CSV with the header \"Content-Type: text/csv\".",
        ));
    }
    let limit = state.config.csv_limit;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| AppError::malformed(format!("The body could not be read: {e}.")))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
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
