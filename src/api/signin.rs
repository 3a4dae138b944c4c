//! Signing in: a token for a username and password, who the token belongs to, and changing
//! one's own password. Failed attempts are limited per username and per client address.

use actix_web::{web, HttpMessage, HttpRequest};

use super::extract::{client_ip, Actor, JsonBody, SignedIn};
use super::responses::{
    JsonBody as BodyProblems, RateLimited, SignIn, SignedIn as Signed, Validation,
};
use crate::error::{AppError, AppResult};
use crate::service::{accounts, Caller};
use crate::shapes::{ChangePassword, LoginRequest, Me, TokenResponse};
use crate::state::AppState;

/// Sign in with a username and password. Failed attempts are limited per username and per
/// client address (429 with `Retry-After`).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        SignIn, BodyProblems, RateLimited,
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
        .database
        .run(move |conn| Ok(crate::db::members::find_by_username(conn, &lookup)?))
        .await?;
    // An unknown username is checked against a decoy hash: same cost, same answer.
    let hash = member.as_ref().map(|m| m.password_hash.clone());
    let verified = state.passwords.verify(password, hash).await?;
    let member = match member {
        Some(m) if verified => m,
        _ => {
            attempt.failed();
            return Err(AppError::unauthenticated(
                "The username or password is wrong; check both and try again.",
            ));
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
        Signed, BodyProblems, Validation, RateLimited,
    ))]
pub async fn change_password(
    signed: SignedIn,
    req: HttpRequest,
    body: JsonBody<ChangePassword>,
) -> AppResult<web::Json<TokenResponse>> {
    let ChangePassword {
        current_password,
        new_password,
    } = body.into_inner();
    let new_password = accounts::password(&new_password)?;
    let state = signed.state();
    let member = signed.run(|_, caller| Ok(caller.member.clone())).await?;
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
    let claims = signed.claims().clone();
    let updated = state
        .database
        .run(move |conn| accounts::change_own_password(conn, &claims, hash))
        .await?;
    token_response(state, &updated.id, updated.token_version)
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), Signed))]
pub async fn me(signed: SignedIn) -> AppResult<web::Json<Me>> {
    signed
        .run(|_, caller: &Caller| Ok(accounts::me(caller)))
        .await
        .map(web::Json)
}
