//! Health and the API's own description.

use actix_web::{web, HttpResponse};
use diesel::connection::SimpleConnection;
use utoipa::OpenApi;

use crate::error::{AppError, AppResult, ProblemBody};
use crate::shapes::Health;
use crate::state::AppState;

/// 200 once the database answers; 503 when it does not.
#[utoipa::path(get, path = "/api/v1/healthz", tag = "system",
    responses(
        (status = 200, body = Health),
        (status = 503, description = "service-unavailable: the database does not answer", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn healthz(state: web::Data<AppState>) -> AppResult<web::Json<Health>> {
    state
        .db(|conn| {
            conn.batch_execute("SELECT 1").map_err(|_| {
                AppError::unavailable("The database does not answer; the operator should check it.")
            })
        })
        .await?;
    Ok(web::Json(Health { status: "ok" }))
}

/// This document: OpenAPI 3.1.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "system",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json")))]
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(super::openapi::ApiDoc::openapi())
}
