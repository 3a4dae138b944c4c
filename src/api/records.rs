//! The auditor's record of a closed vote, and the key that signs it.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::extract::{SignedIn, VoteId};
use super::responses::{
    Forbidden, NotFound, RecordIntegrity, SignedIn as Signed, TallyNotPublished, Validation,
};
use crate::error::{AppError, AppResult, ProblemBody};
use crate::record::{csv, minutes, model::ALGORITHM};
use crate::service::records;
use crate::shapes::{KnownPublicKey, PublicKey, PublicKeys, SignedRecord};
use crate::state::AppState;
use crate::words::Lang;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RecordQuery {
    /// `json` (the default): the signed record; `csv`: one row per subject (a record written
    /// as `tinnhiem-record/1` adds a blank line, then one row per ballot); `html`: the counting
    /// minutes (biên bản kiểm phiếu), to print on A4.
    pub format: Option<String>,
    /// Language of the `html` minutes: `vi` (the default) or `en`.
    pub lang: Option<String>,
}

enum Format {
    Json,
    Csv,
    Html(Lang),
}

fn format(query: RecordQuery) -> AppResult<Format> {
    let lang = match query.lang.as_deref() {
        None => Lang::Vi,
        Some(l) => Lang::parse(l).ok_or_else(|| {
            AppError::validation(format!(
                "lang must be \"vi\" (the default) or \"en\"; \"{l}\" is neither."
            ))
        })?,
    };
    match query.format.as_deref() {
        None | Some("json") => Ok(Format::Json),
        Some("csv") => Ok(Format::Csv),
        Some("html") => Ok(Format::Html(lang)),
        Some(other) => Err(AppError::validation(format!(
            "format must be \"json\" (the signed record, the default), \"csv\" (the results) \
             or \"html\" (the counting minutes to print); \"{other}\" is none of them."
        ))),
    }
}

/// The signed record of a closed vote (auditor, chair, admin): checked against its signature
/// and the database on every download, and refused (`record-integrity`) if anything differs.
#[utoipa::path(get, path = "/api/v1/votes/{vote_id}/record", tag = "records",
    security(("bearer" = [])),
    params(VoteId, RecordQuery),
    responses(
        (status = 200, description = "The signed record (json, the same bytes on every download), \
            the results (csv), or the counting minutes (html). See docs/auditing.md.",
            content(
                (SignedRecord = "application/json"),
                (String = "text/csv"),
                (String = "text/html"),
            )),
        (status = 400, description = "malformed-request: an unknown query parameter", body = ProblemBody, content_type = "application/problem+json"),
        Signed, Forbidden, NotFound, TallyNotPublished, Validation, RecordIntegrity,
    ))]
pub async fn record(
    signed: SignedIn,
    vote: VoteId,
    query: web::Query<RecordQuery>,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let check = signed.state().records.clone();
    let vote_id = vote.into_inner();
    let (content_type, disposition, body) = signed
        .run(move |conn, caller| {
            // Who may ask comes first; what they asked for, second.
            let vote = records::allowed(conn, caller, &vote_id)?;
            let format = format(query)?;
            let served = records::checked(conn, &vote, &check)?;
            let name = format!("record-{vote_id}");
            Ok(match format {
                Format::Json => (
                    "application/json",
                    format!("attachment; filename=\"{name}.json\""),
                    served.into_envelope(),
                ),
                Format::Csv => (
                    "text/csv; charset=utf-8",
                    format!("attachment; filename=\"{name}.csv\""),
                    csv::render(&served.record),
                ),
                Format::Html(lang) => (
                    "text/html; charset=utf-8",
                    format!("inline; filename=\"{name}.html\""),
                    minutes::render(&served.record, &served.digest, &served.signature, lang),
                ),
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // The minutes need their inline style and nothing else: no script, no outside request.
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'",
        ))
        .body(body))
}

/// The Ed25519 public key that signs this installation's records (anyone).
#[utoipa::path(get, path = "/api/v1/public-key", tag = "records",
    responses((status = 200, body = PublicKey)))]
pub async fn public_key(state: web::Data<AppState>) -> web::Json<PublicKey> {
    web::Json(PublicKey {
        algorithm: ALGORITHM,
        public_key: state.record_key.public_key(),
    })
}

/// Every Ed25519 public key that has signed this installation's records: the current one
/// first, then the earlier ones, the most recent first (anyone). A record signed by an earlier
/// key is still served and verifies against that key; `tinnhiem verify --public-key` accepts
/// this document.
#[utoipa::path(get, path = "/api/v1/public-keys", tag = "records",
    responses((status = 200, body = PublicKeys)))]
pub async fn public_keys(state: web::Data<AppState>) -> web::Json<PublicKeys> {
    let keys = state.records.keys.all();
    web::Json(PublicKeys {
        keys: keys
            .iter()
            .enumerate()
            .map(|(i, k)| KnownPublicKey {
                algorithm: ALGORITHM,
                public_key: k.public_key.clone(),
                current: i == 0,
                since: k.since.clone(),
            })
            .collect(),
    })
}
