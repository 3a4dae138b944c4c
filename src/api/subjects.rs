//! A draft vote's subject list: replaced as a whole, from JSON or from CSV.

use actix_web::{web, HttpRequest};

use super::extract::{csv_body, JsonBody, SignedIn, VoteId};
use super::responses::{
    CsvBody, Forbidden, InvalidState, JsonBody as BodyProblems, NotFound, SignedIn as Signed,
    Validation,
};
use crate::error::AppResult;
use crate::service::drafts;
use crate::shapes::{SetSubjects, Vote};

/// Replace a draft vote's subjects, in ballot order (admin, chair). Checked as at the vote's
/// creation; nothing changes when refused.
#[utoipa::path(put, path = "/api/v1/votes/{vote_id}/subjects", tag = "votes",
    security(("bearer" = [])), request_body = SetSubjects,
    params(VoteId),
    responses((status = 200, body = Vote), Signed, BodyProblems, Forbidden, NotFound,
        InvalidState, Validation))]
pub async fn replace(
    signed: SignedIn,
    vote: VoteId,
    body: JsonBody<SetSubjects>,
) -> AppResult<web::Json<Vote>> {
    let input = body.into_inner();
    signed
        .run(move |conn, caller| {
            drafts::replace(
                conn,
                caller,
                &vote,
                &input.subjects,
                input.exempt.as_deref(),
            )
        })
        .await
        .map(web::Json)
}

/// Replace a draft vote's subjects from CSV, every line or none (admin, chair).
#[utoipa::path(post, path = "/api/v1/votes/{vote_id}/subjects/import", tag = "votes",
    security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv",
        description = "Header `full_name,positions`; one line per person in ballot order; \
                       positions separated by `;`.",
        example = json!("full_name,positions\nNguyễn Văn An,Chủ tịch HĐND tỉnh\nBùi Thị Lan,Ủy viên UBND tỉnh;Giám đốc Sở Tài chính\n")),
    params(VoteId),
    responses((status = 200, body = Vote), Signed, CsvBody, Forbidden, NotFound,
        InvalidState, Validation))]
pub async fn import(
    signed: SignedIn,
    vote: VoteId,
    req: HttpRequest,
    mut payload: web::Payload,
) -> AppResult<web::Json<Vote>> {
    let vote = vote.into_inner();
    // Who may edit, and whether the vote is still a draft, before the body is read.
    let check = vote.clone();
    signed
        .run(move |conn, caller| drafts::editable(conn, caller, &check).map(|_| ()))
        .await?;
    let limit = signed.state().config.csv_limit;
    let body = csv_body(&req, &mut payload, limit, "subjects").await?;
    let subjects = drafts::parse_import(&body)?;
    signed
        .run(move |conn, caller| drafts::replace(conn, caller, &vote, &subjects, None))
        .await
        .map(web::Json)
}
