//! HTTP: the route table, thin handlers, and the problem+json answers to malformed requests.

pub mod audit;
pub mod ballots;
pub mod committees;
pub mod councils;
pub mod extract;
pub mod follow_up;
pub mod members;
pub mod openapi;
pub mod pages;
pub mod records;
pub mod resolution;
pub mod responses;
pub mod results;
pub mod signin;
pub mod subjects;
pub mod system;
pub mod votes;

use actix_web::http::{header, Method};
use actix_web::{web, HttpRequest, HttpResponse, Route};
use std::collections::BTreeMap;

use crate::error::{AppError, Problem};

pub const BASE: &str = "/api/v1";

/// Every route of the API: the app is built from this table, and the OpenAPI test walks it.
pub fn routes() -> Vec<(Method, &'static str, Route)> {
    vec![
        (Method::POST, "/auth/login", web::post().to(signin::login)),
        (Method::GET, "/me", web::get().to(signin::me)),
        (
            Method::POST,
            "/me/password",
            web::post().to(signin::change_password),
        ),
        (Method::POST, "/councils", web::post().to(councils::create)),
        (Method::GET, "/councils", web::get().to(councils::list)),
        (
            Method::GET,
            "/councils/{council_id}",
            web::get().to(councils::get),
        ),
        (
            Method::POST,
            "/councils/{council_id}/members",
            web::post().to(members::create),
        ),
        (
            Method::POST,
            "/councils/{council_id}/members/import",
            web::post().to(members::import),
        ),
        (
            Method::GET,
            "/councils/{council_id}/members",
            web::get().to(members::list),
        ),
        (
            Method::PUT,
            "/councils/{council_id}/members/{member_id}/password",
            web::put().to(members::set_password),
        ),
        (
            Method::PUT,
            "/councils/{council_id}/members/{member_id}/roles",
            web::put().to(members::set_roles),
        ),
        (
            Method::POST,
            "/councils/{council_id}/members/{member_id}/deactivate",
            web::post().to(members::deactivate),
        ),
        (
            Method::POST,
            "/councils/{council_id}/members/{member_id}/activate",
            web::post().to(members::activate),
        ),
        (
            Method::POST,
            "/councils/{council_id}/votes",
            web::post().to(votes::create),
        ),
        (
            Method::GET,
            "/councils/{council_id}/votes",
            web::get().to(votes::list),
        ),
        (Method::GET, "/votes/{vote_id}", web::get().to(votes::get)),
        (
            Method::POST,
            "/votes/{vote_id}/open",
            web::post().to(votes::open),
        ),
        (
            Method::POST,
            "/votes/{vote_id}/close",
            web::post().to(votes::close),
        ),
        (
            Method::GET,
            "/votes/{vote_id}/ballot",
            web::get().to(ballots::get),
        ),
        (
            Method::POST,
            "/votes/{vote_id}/ballot",
            web::post().to(ballots::cast),
        ),
        (
            Method::GET,
            "/votes/{vote_id}/ballots",
            web::get().to(ballots::encrypted),
        ),
        (
            Method::GET,
            "/votes/{vote_id}/tracking-codes/{code}",
            web::get().to(ballots::tracking_code),
        ),
        (
            Method::POST,
            "/votes/{vote_id}/decryptions",
            web::post().to(ballots::decrypt),
        ),
        (
            Method::GET,
            "/votes/{vote_id}/tally",
            web::get().to(votes::tally),
        ),
        (
            Method::GET,
            "/votes/{vote_id}/record",
            web::get().to(records::record),
        ),
        (
            Method::GET,
            "/public-key",
            web::get().to(records::public_key),
        ),
        (
            Method::GET,
            "/committees/{committee_id}",
            web::get().to(committees::get),
        ),
        (
            Method::POST,
            "/committees/{committee_id}/join",
            web::post().to(committees::join),
        ),
        (
            Method::POST,
            "/committees/{committee_id}/reveal",
            web::post().to(committees::reveal),
        ),
        (
            Method::POST,
            "/committees/{committee_id}/shares",
            web::post().to(committees::shares),
        ),
        (
            Method::POST,
            "/committees/{committee_id}/confirm",
            web::post().to(committees::confirm),
        ),
        (
            Method::GET,
            "/public-keys",
            web::get().to(records::public_keys),
        ),
        (
            Method::PUT,
            "/votes/{vote_id}/subjects",
            web::put().to(subjects::replace),
        ),
        (
            Method::POST,
            "/votes/{vote_id}/subjects/import",
            web::post().to(subjects::import),
        ),
        (
            Method::POST,
            "/votes/{vote_id}/follow-up",
            web::post().to(follow_up::create),
        ),
        (
            Method::POST,
            "/votes/{vote_id}/publish",
            web::post().to(results::publish),
        ),
        (
            Method::GET,
            "/public/councils/{council_id}/results",
            web::get().to(results::public_results),
        ),
        (
            Method::PUT,
            "/councils/{council_id}/parent",
            web::put().to(councils::set_parent),
        ),
        (
            Method::GET,
            "/councils/{council_id}/children",
            web::get().to(councils::children),
        ),
        (
            Method::GET,
            "/votes/{vote_id}/resolution",
            web::get().to(resolution::resolution),
        ),
        (Method::GET, "/healthz", web::get().to(system::healthz)),
        (
            Method::GET,
            "/openapi.json",
            web::get().to(openapi::openapi),
        ),
    ]
}

/// Registers the routes under `/api/v1`, one resource per path, and problem+json answers for
/// unknown paths and methods.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let mut by_path: BTreeMap<&'static str, Vec<(Method, Route)>> = BTreeMap::new();
    for (method, path, route) in routes() {
        by_path.entry(path).or_default().push((method, route));
    }
    let mut scope = web::scope(BASE);
    for (path, routes) in by_path {
        let allowed: Vec<String> = routes.iter().map(|(m, _)| m.to_string()).collect();
        let allow = allowed.join(", ");
        let mut resource = web::resource(path);
        for (_, route) in routes {
            resource = resource.route(route);
        }
        resource = resource.default_service(web::to(move || {
            let allow = allow.clone();
            async move { method_not_allowed(&allow) }
        }));
        scope = scope.service(resource);
    }
    cfg.service(scope.default_service(web::to(not_found)));
}

fn method_not_allowed(allow: &str) -> HttpResponse {
    let mut response = actix_web::ResponseError::error_response(&AppError::new(
        Problem::MethodNotAllowed,
        format!("This path answers only {allow}."),
    ));
    if let Ok(value) = header::HeaderValue::from_str(allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

/// Unknown paths, inside or outside `/api/v1`.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    actix_web::ResponseError::error_response(&AppError::new(
        Problem::NotFound,
        format!(
            "There is nothing at {}; the API lives under {BASE} (see {BASE}/openapi.json).",
            req.path()
        ),
    ))
}
