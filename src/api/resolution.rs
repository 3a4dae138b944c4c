//! The draft of the council's resolution confirming a vote's results, to print and edit.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::extract::{SignedIn, VoteId};
use super::responses::{
    Forbidden, NotFound, RecordIntegrity, SignedIn as Signed, TallyNotPublished, Validation,
};
use crate::error::{AppError, AppResult, ProblemBody};
use crate::record::resolution;
use crate::service::records;
use crate::words::Lang;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ResolutionQuery {
    /// `vi` (the default) or `en`.
    pub lang: Option<String>,
}

/// A printable A4 draft of the council's resolution confirming the results of a vote (Nghị
/// quyết xác nhận kết quả lấy phiếu tín nhiệm), made from its published tally once checked
/// against the signed record; editable in the browser before printing (chair, admin, the
/// council's auditors).
#[utoipa::path(get, path = "/api/v1/votes/{vote_id}/resolution", tag = "records",
    security(("bearer" = [])),
    params(VoteId, ResolutionQuery),
    responses(
        (status = 200, description = "The draft resolution, one self-contained HTML page for A4 \
            (see docs/council-office.md).", content_type = "text/html", body = String),
        (status = 400, description = "malformed-request: an unknown query parameter", body = ProblemBody, content_type = "application/problem+json"),
        Signed, Forbidden, NotFound, TallyNotPublished, Validation, RecordIntegrity,
    ))]
pub async fn resolution(
    signed: SignedIn,
    vote: VoteId,
    query: web::Query<ResolutionQuery>,
) -> AppResult<HttpResponse> {
    let lang = query.into_inner().lang;
    let check = signed.state().records.clone();
    let vote_id = vote.into_inner();
    let body = signed
        .run(move |conn, caller| {
            // Who may ask comes first; what they asked for, second.
            let vote = records::allowed(conn, caller, &vote_id)?;
            let lang = match lang.as_deref() {
                None => Lang::Vi,
                Some(l) => Lang::parse(l).ok_or_else(|| {
                    AppError::validation(format!(
                        "lang must be \"vi\" (the default) or \"en\"; \"{l}\" is neither."
                    ))
                })?,
            };
            let served = records::checked(conn, &vote, &check)?;
            Ok(resolution::render(&served.record, &served.digest, lang))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // As the minutes: inline style only, no script, no outside request.
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'",
        ))
        .body(body))
}
