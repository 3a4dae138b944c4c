//! A delegate's ballot.

use actix_web::{web, HttpResponse};

use super::extract::{id, JsonBody, Signed};
use crate::error::{AppResult, ProblemBody};
use crate::service::{ballots, casting, Caller};
use crate::shapes::{Ballot, CastRequest, CastResponse};
use crate::state::AppState;

/// The caller's ballot, and whether it is already cast (eligible delegates).
#[utoipa::path(get, path = "/api/v1/votes/{vote_id}/ballot", tag = "ballots",
    security(("bearer" = [])),
    params(("vote_id" = String, Path, description = "Vote id")),
    responses(
        (status = 200, body = Ballot),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "forbidden: not an eligible delegate", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "not-found", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "invalid-state: the vote is not open yet", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn get(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<String>,
) -> AppResult<web::Json<Ballot>> {
    let vote_id = id(&path, "vote")?;
    let ballot = state
        .db(move |conn| {
            let caller = Caller::load(conn, &signed.0)?;
            ballots::get(conn, &caller, &vote_id)
        })
        .await?;
    state.layouts.learn(&ballot);
    Ok(web::Json(ballot))
}

/// Cast the caller's ballot, once (eligible delegates, while the vote is open).
#[utoipa::path(post, path = "/api/v1/votes/{vote_id}/ballot", tag = "ballots",
    security(("bearer" = [])), request_body = CastRequest,
    params(("vote_id" = String, Path, description = "Vote id")),
    responses(
        (status = 201, body = CastResponse),
        (status = 400, description = "malformed-request", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "forbidden: not an eligible delegate", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "not-found", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "already-cast, or invalid-state when the vote is not open", body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "payload-too-large: body over the size limit or JSON nested too deep", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "invalid-ballot: unknown subject or choice; nothing stored", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn cast(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<String>,
    body: JsonBody<CastRequest>,
) -> AppResult<HttpResponse> {
    let vote_id = id(&path, "vote")?;
    casting::cast(&state, signed.0, vote_id, body.into_inner().marks).await?;
    Ok(HttpResponse::Created().json(CastResponse { cast: true }))
}
