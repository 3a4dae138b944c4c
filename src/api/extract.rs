//! Reading requests: the signed-in caller, ids in paths, and clear answers to bad bodies.

use actix_web::dev::Payload;
use actix_web::error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError};
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use std::future::{ready, Ready};

use crate::auth::Claims;
use crate::error::{AppError, AppResult, Problem};
use crate::state::AppState;

/// The claims of the request's valid bearer token. Who the member is now is read from the
/// database inside the request's job (see `service::Caller`).
pub struct Signed(pub Claims);

impl FromRequest for Signed {
    type Error = AppError;
    type Future = Ready<Result<Signed, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(signed(req))
    }
}

fn signed(req: &HttpRequest) -> AppResult<Signed> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::internal("application state missing"))?;
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .ok_or_else(|| {
            AppError::unauthenticated(
                "Sign in first: send the token from POST /api/v1/auth/login as \
                 \"Authorization: Bearer <token>\".",
            )
        })?;
    state.tokens.check(token).map(Signed).ok_or_else(|| {
        AppError::unauthenticated("Your sign-in has expired or is not valid; sign in again.")
    })
}

/// A UUID from the path in its stored spelling; anything else names nothing (404).
pub fn id(raw: &str, what: &str) -> AppResult<String> {
    uuid::Uuid::parse_str(raw)
        .map(|u| u.to_string())
        .map_err(|_| AppError::not_found(what))
}

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(|err, _req| json_error(err).into())
}

fn json_error(err: JsonPayloadError) -> AppError {
    match err {
        JsonPayloadError::OverflowKnownLength { limit, .. }
        | JsonPayloadError::Overflow { limit } => too_large(limit),
        JsonPayloadError::ContentType => AppError::malformed(
            "Send the body as JSON with the header \"Content-Type: application/json\".",
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            AppError::malformed(format!("The JSON does not have the expected fields: {e}."))
        }
        JsonPayloadError::Deserialize(e) => {
            AppError::malformed(format!("The body is not valid JSON: {e}."))
        }
        JsonPayloadError::Payload(PayloadError::Overflow) => too_large(0),
        other => AppError::malformed(format!("The body could not be read: {other}.")),
    }
}

pub fn too_large(limit: usize) -> AppError {
    let detail = if limit > 0 {
        format!("The body is larger than the {limit} bytes accepted here; send less.")
    } else {
        "The body is larger than accepted here; send less.".to_owned()
    };
    AppError::new(Problem::PayloadTooLarge, detail)
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err: PathError, _req| {
        AppError::malformed(format!("The path is not valid: {err}.")).into()
    })
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        AppError::malformed(format!("The query string is not valid: {err}.")).into()
    })
}

pub fn payload_config(limit: usize) -> web::PayloadConfig {
    web::PayloadConfig::new(limit)
}
