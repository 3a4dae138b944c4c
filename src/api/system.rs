//! Health: whether this replica can serve.

use actix_web::web;
use diesel::connection::SimpleConnection;

use super::responses::Unavailable;
use crate::error::{AppError, AppResult};
use crate::shapes::Health;
use crate::state::AppState;

/// 200 once the database answers; 503 when it does not.
#[utoipa::path(get, path = "/api/v1/healthz", tag = "system",
    responses((status = 200, body = Health), Unavailable))]
pub async fn healthz(state: web::Data<AppState>) -> AppResult<web::Json<Health>> {
    state
        .database
        .run(|conn| {
            conn.batch_execute("SELECT 1").map_err(|_| {
                AppError::unavailable("The database does not answer; the operator should check it.")
            })
        })
        .await?;
    Ok(web::Json(Health { status: "ok" }))
}
