//! The counting committee and its key ceremony (docs/verifiable.md §6). Each member's tool
//! (`tinnhiem committee ceremony`) walks the steps: join, reveal, share, confirm.

use actix_web::web;

use super::extract::{CommitteeId, JsonBody, SignedIn};
use super::responses::{
    Forbidden, InvalidState, JsonBody as BodyProblems, NotFound, SignedIn as Signed, Validation,
};
use crate::error::AppResult;
use crate::service::committees;
use crate::shapes::{Committee, ConfirmCeremony, JoinCeremony, RevealCommitments, SendShares};

/// A committee and everything its ceremony has published (admin, its council's members).
#[utoipa::path(get, path = "/api/v1/committees/{committee_id}", tag = "committees",
    security(("bearer" = [])), params(CommitteeId),
    // 403: a supervisor of the council's parent, who reads its votes but not its committees.
    responses((status = 200, body = Committee), Signed, Forbidden, NotFound))]
pub async fn get(signed: SignedIn, committee: CommitteeId) -> AppResult<web::Json<Committee>> {
    signed
        .run(move |conn, caller| committees::view(conn, caller, &committee))
        .await
        .map(web::Json)
}

/// Step `join` (the committee's members): a sealing key with its proof, and the hash of one's
/// commitments. Repeating it with the same values changes nothing.
#[utoipa::path(post, path = "/api/v1/committees/{committee_id}/join", tag = "committees",
    security(("bearer" = [])), params(CommitteeId), request_body = JoinCeremony,
    responses((status = 200, body = Committee), Signed, BodyProblems, Forbidden, NotFound,
        InvalidState, Validation))]
pub async fn join(
    signed: SignedIn,
    committee: CommitteeId,
    body: JsonBody<JoinCeremony>,
) -> AppResult<web::Json<Committee>> {
    let input = body.into_inner();
    signed
        .run(move |conn, caller| committees::join(conn, caller, &committee, input))
        .await
        .map(web::Json)
}

/// Step `reveal` (the committee's members), once every member has joined: the commitments and
/// proofs that hash to what the member published at `join`.
#[utoipa::path(post, path = "/api/v1/committees/{committee_id}/reveal", tag = "committees",
    security(("bearer" = [])), params(CommitteeId), request_body = RevealCommitments,
    responses((status = 200, body = Committee), Signed, BodyProblems, Forbidden, NotFound,
        InvalidState, Validation))]
pub async fn reveal(
    signed: SignedIn,
    committee: CommitteeId,
    body: JsonBody<RevealCommitments>,
) -> AppResult<web::Json<Committee>> {
    let input = body.into_inner();
    signed
        .run(move |conn, caller| committees::reveal(conn, caller, &committee, input))
        .await
        .map(web::Json)
}

/// Step `share` (the committee's members), once every member has revealed: one value for each
/// other member, sealed to them.
#[utoipa::path(post, path = "/api/v1/committees/{committee_id}/shares", tag = "committees",
    security(("bearer" = [])), params(CommitteeId), request_body = SendShares,
    responses((status = 200, body = Committee), Signed, BodyProblems, Forbidden, NotFound,
        InvalidState, Validation))]
pub async fn shares(
    signed: SignedIn,
    committee: CommitteeId,
    body: JsonBody<SendShares>,
) -> AppResult<web::Json<Committee>> {
    let input = body.into_inner();
    signed
        .run(move |conn, caller| committees::share(conn, caller, &committee, input))
        .await
        .map(web::Json)
}

/// Step `confirm` (the committee's members), once every value is sent: the ceremony hash, or
/// the positions whose values failed the member's check (which ends the ceremony).
#[utoipa::path(post, path = "/api/v1/committees/{committee_id}/confirm", tag = "committees",
    security(("bearer" = [])), params(CommitteeId), request_body = ConfirmCeremony,
    responses((status = 200, body = Committee), Signed, BodyProblems, Forbidden, NotFound,
        InvalidState, Validation))]
pub async fn confirm(
    signed: SignedIn,
    committee: CommitteeId,
    body: JsonBody<ConfirmCeremony>,
) -> AppResult<web::Json<Committee>> {
    let input = body.into_inner();
    signed
        .run(move |conn, caller| committees::confirm(conn, caller, &committee, input))
        .await
        .map(web::Json)
}
