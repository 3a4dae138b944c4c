//! Reading requests: the signed-in caller, ids in paths, and clear answers to bad bodies.

use actix_web::dev::Payload;
use actix_web::error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError};
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use std::future::{ready, Ready};
use std::net::{IpAddr, SocketAddr};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::Required;
use utoipa::{IntoParams, PartialSchema};

use crate::auth::Claims;
use crate::db::DbConn;
use crate::error::{AppError, AppResult, Problem};
use crate::service::Caller;
use crate::state::AppState;

/// A request by a signed-in member: the bearer token is checked here, before anything else;
/// who the member is now is read from the database inside the request's one job (`run`).
pub struct SignedIn {
    state: web::Data<AppState>,
    claims: Claims,
}

impl SignedIn {
    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    /// Runs `job` on a blocking thread with one pooled connection, for the caller as the
    /// database knows them now (refused if the token has ended since it was issued).
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut DbConn, &Caller) -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        let claims = self.claims.clone();
        self.state
            .database
            .run(move |conn| {
                let caller = Caller::load(conn, &claims)?;
                job(conn, &caller)
            })
            .await
    }
}

impl FromRequest for SignedIn {
    type Error = AppError;
    type Future = Ready<Result<SignedIn, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(signed_in(req))
    }
}

fn signed_in(req: &HttpRequest) -> AppResult<SignedIn> {
    let state = app_state(req)?;
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
    let claims = state.tokens.check(token).ok_or_else(|| {
        AppError::unauthenticated("Your sign-in has expired or is not valid; sign in again.")
    })?;
    req.extensions_mut().insert(Actor(claims.sub.clone()));
    Ok(SignedIn { state, claims })
}

fn app_state(req: &HttpRequest) -> AppResult<web::Data<AppState>> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::internal("application state missing"))
}

/// Ids from the path, each in its stored spelling. A path value that is not a UUID names
/// nothing (404), answered before the body is read.
macro_rules! path_ids {
    ($($(#[$doc:meta])* $name:ident: $param:literal, $what:literal, $description:literal;)*) => {$(
        $(#[$doc])*
        pub struct $name(pub String);

        /// Named in an operation's `params(...)` for the OpenAPI document.
        impl IntoParams for $name {
            fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
                vec![ParameterBuilder::new()
                    .name($param)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .description(Some($description))
                    .schema(Some(String::schema()))
                    .build()]
            }
        }

        impl $name {
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl FromRequest for $name {
            type Error = AppError;
            type Future = Ready<Result<$name, AppError>>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                let raw = req.match_info().get($param).unwrap_or_default();
                ready(id(raw, $what).map($name))
            }
        }
    )*};
}

path_ids! {
    /// `{council_id}`
    CouncilId: "council_id", "council", "Council id";
    /// `{vote_id}`
    VoteId: "vote_id", "vote", "Vote id";
    /// `{member_id}`
    MemberId: "member_id", "member", "Member id";
    /// `{committee_id}`
    CommitteeId: "committee_id", "committee", "Committee id";
}

/// Who a request acts as, for the operator's log: the member of a verified token, or the
/// member who just signed in.
#[derive(Debug, Clone)]
pub struct Actor(pub String);

/// The client's address: the peer, or, when the peer is one of `trusted` proxies, the nearest
/// address in `X-Forwarded-For` that no trusted proxy added (read right to left, since a client
/// can write anything on the left).
pub fn client_ip(req: &HttpRequest, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let hops: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else { break };
        client = ip;
        if !trusted.contains(&ip) {
            break;
        }
    }
    Some(client)
}

fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// A UUID in its stored spelling; anything else names nothing (404).
fn id(raw: &str, what: &str) -> AppResult<String> {
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

/// The deepest nesting of arrays and objects accepted in a JSON body. No request of this API
/// needs more than four levels; anything deeper is refused before it is parsed.
pub const MAX_JSON_DEPTH: usize = 32;

/// A JSON request body, read within the configured size limit and refused when it nests deeper
/// than [`MAX_JSON_DEPTH`] (413 either way), then deserialized into `T` (400 when it does not
/// fit). Used instead of `web::Json` so that every limit has its own clear answer.
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for JsonBody<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<JsonBody<T>, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = app_state(req).map(|s| s.config.json_limit);
        let is_json = req
            .mime_type()
            .ok()
            .flatten()
            .is_some_and(|m| m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"));
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        // Like `web::Json`: a gzip-encoded body is decoded, and the limit counts decoded bytes.
        let mut payload = actix_web::dev::Decompress::from_headers(payload.take(), req.headers());
        Box::pin(async move {
            let limit = limit?;
            if !is_json {
                return Err(AppError::malformed(
                    "Send the body as JSON with the header \"Content-Type: application/json\".",
                ));
            }
            if declared.is_some_and(|n| n > limit) {
                return Err(too_large(limit));
            }
            // Sized from Content-Length (within the limit) so the body is not copied as it grows.
            let mut body = web::BytesMut::with_capacity(declared.unwrap_or(0).min(limit));
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    AppError::malformed(format!("The body could not be read: {e}."))
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(too_large(limit));
                }
                body.extend_from_slice(&chunk);
            }
            if nests_deeper_than(&body, MAX_JSON_DEPTH) {
                return Err(AppError::new(
                    Problem::PayloadTooLarge,
                    format!(
                        "The JSON nests deeper than the {MAX_JSON_DEPTH} levels accepted; no \
                         request here needs more than four, so send a flatter body."
                    ),
                ));
            }
            serde_json::from_slice(&body)
                .map(JsonBody)
                .map_err(|e| json_error(JsonPayloadError::Deserialize(e)))
        })
    }
}

/// Whether arrays and objects nest deeper than `max` anywhere in `body` (strings skipped).
/// Runs before parsing, in one pass with no recursion.
fn nests_deeper_than(body: &[u8], max: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in body {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
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

/// The body of a `text/csv` request, at most `limit` bytes. Read by the handler, after the
/// checks that must come first (who may import), rather than by an extractor.
pub async fn csv_body(
    req: &HttpRequest,
    payload: &mut web::Payload,
    limit: usize,
    what: &str,
) -> AppResult<web::BytesMut> {
    let is_csv = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("text/csv"));
    if !is_csv {
        return Err(AppError::malformed(format!(
            "Send the {what} as CSV with the header \"Content-Type: text/csv\"."
        )));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_measured_outside_strings() {
        assert!(!nests_deeper_than(br#"{"a":[{"b":["c"]}]}"#, 4));
        assert!(nests_deeper_than(br#"{"a":[{"b":[["c"]]}]}"#, 4));
        assert!(!nests_deeper_than(br#"{"a":"[[[[[[[[[[\"{{{{{{"}"#, 1));
        assert!(!nests_deeper_than(&[b'['; 32], 32));
        assert!(nests_deeper_than(&[b'['; 33], 32));
    }
}
