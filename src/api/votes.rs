//! Votes: create, read, open, close, and the published tally.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::extract::{id, JsonBody, Signed};
use crate::domain::VoteState;
use crate::error::{AppResult, ProblemBody};
use crate::service::{votes, Caller};
use crate::shapes::{NewVote, Tally, Vote};
use crate::state::AppState;

/// Create a vote in draft (admin, chair).
#[utoipa::path(post, path = "/api/v1/councils/{council_id}/votes", tag = "votes",
    security(("bearer" = [])), request_body = NewVote,
    params(("council_id" = String, Path, description = "Council id")),
    responses(
        (status = 201, body = Vote),
        (status = 400, description = "malformed-request", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "forbidden", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "not-found", body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "payload-too-large: body over the size limit or JSON nested too deep", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation-failed", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<String>,
    body: JsonBody<NewVote>,
) -> AppResult<HttpResponse> {
    let council_id = id(&path, "council")?;
    let input = body.into_inner();
    let vote = state
        .db(move |conn| {
            let caller = Caller::load(conn, &signed.0)?;
            votes::create(conn, &caller, &council_id, input)
        })
        .await?;
    Ok(HttpResponse::Created().json(vote))
}

/// A council's votes (admin, its members).
#[utoipa::path(get, path = "/api/v1/councils/{council_id}/votes", tag = "votes",
    security(("bearer" = [])),
    params(("council_id" = String, Path, description = "Council id")),
    responses(
        (status = 200, body = Vec<Vote>),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "not-found", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<String>,
) -> AppResult<web::Json<Vec<Vote>>> {
    let council_id = id(&path, "council")?;
    let list = state
        .db(move |conn| {
            let caller = Caller::load(conn, &signed.0)?;
            votes::list(conn, &caller, &council_id)
        })
        .await?;
    Ok(web::Json(list))
}

/// One vote, with turnout (admin, its council's members).
#[utoipa::path(get, path = "/api/v1/votes/{vote_id}", tag = "votes", security(("bearer" = [])),
    params(("vote_id" = String, Path, description = "Vote id")),
    responses(
        (status = 200, body = Vote),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "not-found", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn get(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<String>,
) -> AppResult<web::Json<Vote>> {
    let vote_id = id(&path, "vote")?;
    let vote = state
        .db(move |conn| {
            let caller = Caller::load(conn, &signed.0)?;
            let vote = votes::load_visible(conn, &caller, &vote_id)?;
            votes::view(conn, vote)
        })
        .await?;
    Ok(web::Json(vote))
}

async fn transition(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<String>,
    target: VoteState,
) -> AppResult<web::Json<Vote>> {
    let vote_id = id(&path, "vote")?;
    let key = state.record_key.clone();
    let vote = state
        .db(move |conn| {
            let caller = Caller::load(conn, &signed.0)?;
            votes::transition(conn, &caller, &vote_id, target, &key)
        })
        .await?;
    Ok(web::Json(vote))
}

/// Open a draft vote: the council's delegates at this moment become its electors (chair).
/// Opening an open vote again answers 200 with the vote.
#[utoipa::path(post, path = "/api/v1/votes/{vote_id}/open", tag = "votes",
    security(("bearer" = [])),
    params(("vote_id" = String, Path, description = "Vote id")),
    responses(
        (status = 200, body = Vote),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "forbidden", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "not-found", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "invalid-state", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn open(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<String>,
) -> AppResult<web::Json<Vote>> {
    transition(state, signed, path, VoteState::Open).await
}

/// Close an open vote and publish its tally and signed record in the same step (chair).
/// Closing a closed vote again answers 200 with the vote.
#[utoipa::path(post, path = "/api/v1/votes/{vote_id}/close", tag = "votes",
    security(("bearer" = [])),
    params(("vote_id" = String, Path, description = "Vote id")),
    responses(
        (status = 200, body = Vote),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "forbidden", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "not-found", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "invalid-state", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn close(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<String>,
) -> AppResult<web::Json<Vote>> {
    transition(state, signed, path, VoteState::Closed).await
}

/// The published tally of a closed vote (admin, its council's members).
#[utoipa::path(get, path = "/api/v1/votes/{vote_id}/tally", tag = "votes",
    security(("bearer" = [])),
    params(("vote_id" = String, Path, description = "Vote id")),
    responses(
        (status = 200, body = Tally),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "not-found", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "tally-not-published", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn tally(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let vote_id = id(&path, "vote")?;
    let body = state
        .db(move |conn| {
            let caller = Caller::load(conn, &signed.0)?;
            votes::tally(conn, &caller, &vote_id)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .body(body))
}
