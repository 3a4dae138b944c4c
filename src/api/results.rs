//! Public results: the chair makes a published tally public; anyone reads a council's public
//! tallies without signing in.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::extract::{CouncilId, SignedIn, VoteId};
use super::responses::{
    Forbidden, InvalidState, NotFound, RecordIntegrity, SignedIn as Signed, Unavailable,
};
use crate::error::AppResult;
use crate::service::publication;
use crate::shapes::{PublicTally, Vote};
use crate::state::AppState;

/// Make a closed vote's published tally public (chair, admin). Asking again answers 200 with
/// the vote, `public_at` unchanged.
#[utoipa::path(post, path = "/api/v1/votes/{vote_id}/publish", tag = "votes",
    security(("bearer" = [])),
    params(VoteId),
    responses((status = 200, body = Vote), Signed, Forbidden, NotFound, InvalidState))]
pub async fn publish(signed: SignedIn, vote: VoteId) -> AppResult<web::Json<Vote>> {
    signed
        .run(move |conn, caller| publication::publish(conn, caller, &vote))
        .await
        .map(web::Json)
}

/// A council's public tallies, the most recently closed first (anyone, no sign-in). Only
/// tallies the chair made public; nothing else about the council's votes.
#[utoipa::path(get, path = "/api/v1/public/councils/{council_id}/results", tag = "public",
    params(CouncilId),
    responses((status = 200, body = Vec<PublicTally>), NotFound, RecordIntegrity, Unavailable))]
pub async fn public_results(
    state: web::Data<AppState>,
    council: CouncilId,
) -> AppResult<HttpResponse> {
    let check = state.records.clone();
    let body = state
        .database
        .run(move |conn| publication::public_results(conn, &council, &check))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .body(body))
}
