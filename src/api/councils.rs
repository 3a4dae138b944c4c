//! Councils.

use actix_web::{web, HttpResponse};

use super::extract::{CouncilId, JsonBody, SignedIn};
use super::responses::{
    Forbidden, JsonBody as BodyProblems, NotFound, SignedIn as Signed, Validation,
};
use crate::error::AppResult;
use crate::service::councils;
use crate::shapes::{Council, NewCouncil};

/// Create a council (admin).
#[utoipa::path(post, path = "/api/v1/councils", tag = "councils", security(("bearer" = [])),
    request_body = NewCouncil,
    responses((status = 201, body = Council), Signed, BodyProblems, Forbidden, Validation))]
pub async fn create(signed: SignedIn, body: JsonBody<NewCouncil>) -> AppResult<HttpResponse> {
    let input = body.into_inner();
    let council = signed
        .run(move |conn, caller| councils::create(conn, caller, input))
        .await?;
    Ok(HttpResponse::Created().json(council))
}

/// Every council (admin).
#[utoipa::path(get, path = "/api/v1/councils", tag = "councils", security(("bearer" = [])),
    responses((status = 200, body = Vec<Council>), Signed, Forbidden))]
pub async fn list(signed: SignedIn) -> AppResult<web::Json<Vec<Council>>> {
    signed.run(councils::list).await.map(web::Json)
}

/// One council (admin, its members).
#[utoipa::path(get, path = "/api/v1/councils/{council_id}", tag = "councils",
    security(("bearer" = [])),
    params(CouncilId),
    responses((status = 200, body = Council), Signed, NotFound))]
pub async fn get(signed: SignedIn, council: CouncilId) -> AppResult<web::Json<Council>> {
    signed
        .run(move |conn, caller| councils::get(conn, caller, &council))
        .await
        .map(web::Json)
}
