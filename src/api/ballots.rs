//! A delegate's ballot.

use actix_web::{web, HttpRequest, HttpResponse};

use super::extract::{JsonBody, SignedIn, VoteId};
use super::responses::{
    CastConflict, Forbidden, InvalidBallot, InvalidState, JsonBody as BodyProblems, NotFound,
    SignedIn as Signed, TallyNotPublished, Validation,
};
use crate::error::AppResult;
use crate::error::ProblemBody;
use crate::service::{ballots, decryption, tracking_codes};
use crate::shapes::{
    Ballot, BallotPage, CastRequest, CastResponse, DecryptionProgress, EncryptedBallots,
    PartialDecryption, TrackingCodeFound,
};

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

/// The cast ballots of a closed committee vote, a page at a time in the order of their ids,
/// each cell's sum over all of them, and which members have decrypted (admin, its council's
/// members): what each member's tool checks before it decrypts the sums.
#[utoipa::path(get, path = "/api/v1/votes/{vote_id}/ballots", tag = "ballots",
    security(("bearer" = [])), params(VoteId, BallotPage),
    responses((status = 200, body = EncryptedBallots),
        (status = 400, description = "malformed-request: an unknown query parameter", body = ProblemBody, content_type = "application/problem+json"),
        Signed, Forbidden, NotFound, InvalidState, Validation))]
pub async fn encrypted(
    signed: SignedIn,
    vote: VoteId,
    page: web::Query<BallotPage>,
) -> AppResult<web::Json<EncryptedBallots>> {
    let page = page.into_inner();
    signed
        .run(move |conn, caller| decryption::ballots(conn, caller, &vote, &page))
        .await
        .map(web::Json)
}

/// A counting committee member's partial decryption of every cell's sum of a closed committee
/// vote, each with its proof. The one that completes the threshold publishes the tally.
#[utoipa::path(post, path = "/api/v1/votes/{vote_id}/decryptions", tag = "ballots",
    security(("bearer" = [])), params(VoteId), request_body = PartialDecryption,
    responses((status = 200, body = DecryptionProgress), Signed, BodyProblems, Forbidden,
        NotFound, InvalidState, Validation))]
pub async fn decrypt(
    signed: SignedIn,
    vote: VoteId,
    body: JsonBody<PartialDecryption>,
) -> AppResult<web::Json<DecryptionProgress>> {
    let input = body.into_inner();
    let key = signed.state().record_key.clone();
    signed
        .run(move |conn, caller| decryption::decrypt(conn, caller, &vote, input, &key))
        .await
        .map(web::Json)
}

/// Whether a tracking code is among the ballots counted in a committee vote's published tally
/// (admin, its council's members): the delegate's tablet asks this with the code it kept. 404
/// when no counted ballot has it; 409 until the tally is published.
#[utoipa::path(get, path = "/api/v1/votes/{vote_id}/tracking-codes/{code}", tag = "ballots",
    security(("bearer" = [])),
    params(VoteId, ("code" = String, Path,
        description = "The ballot's whole tracking code: 64 hexadecimal characters")),
    // 403: a supervisor of the council's parent, who reads its votes and tallies only.
    responses((status = 200, body = TrackingCodeFound), Signed, Forbidden, NotFound,
        TallyNotPublished, Validation))]
pub async fn tracking_code(
    signed: SignedIn,
    vote: VoteId,
    req: HttpRequest,
) -> AppResult<web::Json<TrackingCodeFound>> {
    let code = req.match_info().get("code").unwrap_or_default().to_owned();
    signed
        .run(move |conn, caller| tracking_codes::find(conn, caller, &vote, &code))
        .await
        .map(web::Json)
}
