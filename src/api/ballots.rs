//! A delegate's ballot.

use actix_web::{web, HttpResponse};

use super::extract::{JsonBody, SignedIn, VoteId};
use super::responses::{
    CastConflict, Forbidden, InvalidBallot, InvalidState, JsonBody as BodyProblems, NotFound,
    SignedIn as Signed,
};
use crate::error::AppResult;
use crate::service::ballots;
use crate::shapes::{Ballot, CastRequest, CastResponse};

/// The caller's ballot, and whether it is already cast (eligible delegates; 403 for anyone
/// else, 409 before the vote opens).
#[utoipa::path(get, path = "/api/v1/votes/{vote_id}/ballot", tag = "ballots",
    security(("bearer" = [])),
    params(VoteId),
    responses((status = 200, body = Ballot), Signed, Forbidden, NotFound, InvalidState))]
pub async fn get(signed: SignedIn, vote: VoteId) -> AppResult<web::Json<Ballot>> {
    let ballot = signed
        .run(move |conn, caller| ballots::get(conn, caller, &vote))
        .await?;
    signed.state().casting.learn(&ballot);
    Ok(web::Json(ballot))
}

/// Cast the caller's ballot, once (eligible delegates, while the vote is open): marks in a
/// server vote, a ballot encrypted on the tablet in a committee vote (its proofs are checked;
/// the answer carries its tracking code). Nothing is stored when it is refused.
#[utoipa::path(post, path = "/api/v1/votes/{vote_id}/ballot", tag = "ballots",
    security(("bearer" = [])), request_body = CastRequest,
    params(VoteId),
    responses((status = 201, body = CastResponse), Signed, BodyProblems, Forbidden, NotFound,
        CastConflict, InvalidBallot))]
pub async fn cast(
    signed: SignedIn,
    vote: VoteId,
    body: JsonBody<CastRequest>,
) -> AppResult<HttpResponse> {
    let tracking_code = signed
        .state()
        .casting
        .cast(
            signed.claims().clone(),
            vote.into_inner(),
            body.into_inner(),
        )
        .await?;
    Ok(HttpResponse::Created().json(CastResponse {
        cast: true,
        tracking_code,
    }))
}
