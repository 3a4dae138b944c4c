//! The operator's log: one line per state-changing request (anything but GET, HEAD, OPTIONS),
//! under the tracing target `audit`: who (the member of a verified token, or who just signed
//! in), what (method, route pattern, the ids in the path), when (the line's time), and how it
//! ended (status, outcome).
//!
//! It never holds a body, a query string, a header, a password, a token or ballot content:
//! only the route pattern and path values that are UUIDs, so nothing a client types can reach
//! the log.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::HttpMessage;

use super::extract::Actor;

pub async fn audit(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let method = req.method().clone();
    if matches!(method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.call(req).await;
    }
    let result = next.call(req).await;
    let (status, route, ids, actor) = match &result {
        Ok(res) => {
            let req = res.request();
            let ids: Vec<String> = req
                .match_info()
                .iter()
                .map(|(name, value)| match uuid::Uuid::parse_str(value) {
                    Ok(id) => format!("{name}={id}"),
                    Err(_) => format!("{name}=(not an id)"),
                })
                .collect();
            (
                res.status().as_u16(),
                req.match_pattern()
                    .unwrap_or_else(|| "(no route)".to_owned()),
                ids.join(","),
                req.extensions().get::<Actor>().map(|a| a.0.clone()),
            )
        }
        Err(e) => (
            e.as_response_error().status_code().as_u16(),
            "(no route)".to_owned(),
            String::new(),
            None,
        ),
    };
    let outcome = match status {
        200..=399 => "done",
        400..=499 => "refused",
        _ => "failed",
    };
    tracing::info!(
        target: "audit",
        actor = %actor.as_deref().unwrap_or("-"),
        method = %method,
        route = %route,
        ids = %ids,
        status,
        outcome = %outcome,
        "state change"
    );
    result
}
