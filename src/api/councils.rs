//! Councils.

use actix_web::{web, HttpResponse};

use super::extract::{CouncilId, JsonBody, SignedIn};
use super::responses::{
    Forbidden, JsonBody as BodyProblems, NotFound, SignedIn as Signed, Validation,
};
use crate::error::AppResult;
use crate::service::councils;
use crate::shapes::{ChildCouncil, Council, NewCouncil, SetParent};

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

/// One council (admin, its members, the parent council's supervisors).
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

/// Set or remove the council above this one (admin): `{"parent_id": "<council id>"}` or
/// `{"parent_id": null}`. The parent must exist, not be this council, and not be below it.
#[utoipa::path(put, path = "/api/v1/councils/{council_id}/parent", tag = "councils",
    security(("bearer" = [])), request_body = SetParent,
    params(CouncilId),
    responses((status = 200, body = Council), Signed, BodyProblems, Forbidden, NotFound, Validation))]
pub async fn set_parent(
    signed: SignedIn,
    council: CouncilId,
    body: JsonBody<SetParent>,
) -> AppResult<web::Json<Council>> {
    let input = body.into_inner();
    signed
        .run(move |conn, caller| councils::set_parent(conn, caller, &council, input))
        .await
        .map(web::Json)
}

/// The councils below this one, each with its votes' state, turnout and whether the tally is
/// published (admin, the council's supervisors). No count of any choice.
#[utoipa::path(get, path = "/api/v1/councils/{council_id}/children", tag = "councils",
    security(("bearer" = [])),
    params(CouncilId),
    responses((status = 200, body = Vec<ChildCouncil>), Signed, Forbidden, NotFound))]
pub async fn children(
    signed: SignedIn,
    council: CouncilId,
) -> AppResult<web::Json<Vec<ChildCouncil>>> {
    signed
        .run(move |conn, caller| councils::children(conn, caller, &council))
        .await
        .map(web::Json)
}
