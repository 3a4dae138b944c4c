//! Councils.

use actix_web::{web, HttpResponse};

use super::extract::{id, JsonBody, Signed};
use crate::error::{AppResult, ProblemBody};
use crate::service::{councils, Caller};
use crate::shapes::{Council, NewCouncil};
use crate::state::AppState;

/// Create a council (admin).
#[utoipa::path(post, path = "/api/v1/councils", tag = "councils", security(("bearer" = [])),
    request_body = NewCouncil,
    responses(
        (status = 201, body = Council),
        (status = 400, description = "malformed-request", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "forbidden", body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "payload-too-large: body over the size limit or JSON nested too deep", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation-failed", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create(
    state: web::Data<AppState>,
    signed: Signed,
    body: JsonBody<NewCouncil>,
) -> AppResult<HttpResponse> {
    let input = body.into_inner();
    let council = state
        .db(move |conn| {
            let caller = Caller::load(conn, &signed.0)?;
            councils::create(conn, &caller, input)
        })
        .await?;
    Ok(HttpResponse::Created().json(council))
}

/// Every council (admin).
#[utoipa::path(get, path = "/api/v1/councils", tag = "councils", security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<Council>),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "forbidden", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list(
    state: web::Data<AppState>,
    signed: Signed,
) -> AppResult<web::Json<Vec<Council>>> {
    let list = state
        .db(move |conn| {
            let caller = Caller::load(conn, &signed.0)?;
            councils::list(conn, &caller)
        })
        .await?;
    Ok(web::Json(list))
}

/// One council (admin, its members).
#[utoipa::path(get, path = "/api/v1/councils/{council_id}", tag = "councils",
    security(("bearer" = [])),
    params(("council_id" = String, Path, description = "Council id")),
    responses(
        (status = 200, body = Council),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "not-found", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn get(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<String>,
) -> AppResult<web::Json<Council>> {
    let council_id = id(&path, "council")?;
    let council = state
        .db(move |conn| {
            let caller = Caller::load(conn, &signed.0)?;
            councils::get(conn, &caller, &council_id)
        })
        .await?;
    Ok(web::Json(council))
}
