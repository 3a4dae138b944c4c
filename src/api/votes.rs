//! Votes: create, read, open, close, and the published tally.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::extract::{CouncilId, JsonBody, SignedIn, VoteId};
use super::responses::{
    Forbidden, InvalidState, JsonBody as BodyProblems, NotFound, RecordIntegrity,
    SignedIn as Signed, TallyNotPublished, Validation,
};
use crate::domain::VoteState;
use crate::error::AppResult;
use crate::service::votes;
use crate::shapes::{NewVote, Tally, Vote};

/// Create a vote in draft (admin, chair).
#[utoipa::path(post, path = "/api/v1/councils/{council_id}/votes", tag = "votes",
    security(("bearer" = [])), request_body = NewVote,
    params(CouncilId),
    responses((status = 201, body = Vote), Signed, BodyProblems, Forbidden, NotFound, Validation))]
pub async fn create(
    signed: SignedIn,
    council: CouncilId,
    body: JsonBody<NewVote>,
) -> AppResult<HttpResponse> {
    let input = body.into_inner();
    let vote = signed
        .run(move |conn, caller| votes::create(conn, caller, &council, input))
        .await?;
    Ok(HttpResponse::Created().json(vote))
}

/// A council's votes (admin, its members, the parent council's supervisors).
#[utoipa::path(get, path = "/api/v1/councils/{council_id}/votes", tag = "votes",
    security(("bearer" = [])),
    params(CouncilId),
    responses((status = 200, body = Vec<Vote>), Signed, NotFound))]
pub async fn list(signed: SignedIn, council: CouncilId) -> AppResult<web::Json<Vec<Vote>>> {
    signed
        .run(move |conn, caller| votes::list(conn, caller, &council))
        .await
        .map(web::Json)
}

/// One vote, with turnout (admin, its council's members, the parent council's supervisors).
#[utoipa::path(get, path = "/api/v1/votes/{vote_id}", tag = "votes", security(("bearer" = [])),
    params(VoteId),
    responses((status = 200, body = Vote), Signed, NotFound))]
pub async fn get(signed: SignedIn, vote: VoteId) -> AppResult<web::Json<Vote>> {
    signed
        .run(move |conn, caller| votes::get(conn, caller, &vote))
        .await
        .map(web::Json)
}

async fn transition(
    signed: SignedIn,
    vote: VoteId,
    target: VoteState,
) -> AppResult<web::Json<Vote>> {
    let key = signed.state().record_key.clone();
    signed
        .run(move |conn, caller| votes::transition(conn, caller, &vote, target, &key))
        .await
        .map(web::Json)
}

/// Open a draft vote: the council's delegates at this moment become its electors (chair).
/// Opening an open vote again answers 200 with the vote.
#[utoipa::path(post, path = "/api/v1/votes/{vote_id}/open", tag = "votes",
    security(("bearer" = [])),
    params(VoteId),
    responses((status = 200, body = Vote), Signed, Forbidden, NotFound, InvalidState))]
pub async fn open(signed: SignedIn, vote: VoteId) -> AppResult<web::Json<Vote>> {
    transition(signed, vote, VoteState::Open).await
}

/// Close an open vote and publish its tally and signed record in the same step (chair).
/// Closing a closed vote again answers 200 with the vote.
#[utoipa::path(post, path = "/api/v1/votes/{vote_id}/close", tag = "votes",
    security(("bearer" = [])),
    params(VoteId),
    responses((status = 200, body = Vote), Signed, Forbidden, NotFound, InvalidState))]
pub async fn close(signed: SignedIn, vote: VoteId) -> AppResult<web::Json<Vote>> {
    transition(signed, vote, VoteState::Closed).await
}

/// The published tally of a closed vote (admin, its council's members, the parent council's
/// supervisors), checked against the signed record on every request as a download of the
/// record is.
#[utoipa::path(get, path = "/api/v1/votes/{vote_id}/tally", tag = "votes",
    security(("bearer" = [])),
    params(VoteId),
    responses((status = 200, body = Tally), Signed, NotFound, TallyNotPublished, RecordIntegrity))]
pub async fn tally(signed: SignedIn, vote: VoteId) -> AppResult<HttpResponse> {
    let check = signed.state().records.clone();
    let body = signed
        .run(move |conn, caller| votes::tally(conn, caller, &vote, &check))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .body(body))
}
