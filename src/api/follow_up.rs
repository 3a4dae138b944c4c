//! The follow-up confidence vote of a closed rating vote.

use actix_web::HttpResponse;

use super::extract::{SignedIn, VoteId};
use super::responses::{
    Forbidden, InvalidState, NotFound, RecordIntegrity, SignedIn as Signed, Validation,
};
use crate::error::AppResult;
use crate::service::follow_up;
use crate::shapes::Vote;

/// Create the follow-up of a closed rating vote whose tally is published (admin, chair): a
/// confidence vote in draft for the people whose outcome is `may_resign` or
/// `dismissal_required`, in ballot order, with the same percent base, secrecy and committee.
/// The two votes name each other (`follow_up_of`, `follow_up`); a vote has one follow-up.
#[utoipa::path(post, path = "/api/v1/votes/{vote_id}/follow-up", tag = "votes",
    security(("bearer" = [])),
    params(VoteId),
    responses((status = 201, body = Vote), Signed, Forbidden, NotFound, InvalidState,
        Validation, RecordIntegrity))]
pub async fn create(signed: SignedIn, vote: VoteId) -> AppResult<HttpResponse> {
    let check = signed.state().records.clone();
    let created = signed
        .run(move |conn, caller| follow_up::create(conn, caller, &vote, &check))
        .await?;
    Ok(HttpResponse::Created().json(created))
}
