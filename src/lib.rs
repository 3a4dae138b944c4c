//! tinnhiem: confidence votes (lấy phiếu tín nhiệm, bỏ phiếu tín nhiệm) in councils.
//!
//! `main` reads the configuration and calls [`server`]; tests build the same server on a port
//! of their own.

pub mod api;
pub mod auth;
pub mod check_ballot;
pub mod committee_tool;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod parallel;
pub mod private_file;
pub mod record;
pub mod service;
pub mod shapes;
pub mod state;
pub mod transport;
pub mod voter_tool;
pub mod words;

use actix_web::middleware::{from_fn, Condition};
use actix_web::{dev::Server, web, App, HttpServer};
use std::net::TcpListener;

pub use config::{Config, DatabaseUrl};
pub use state::AppState;

/// The HTTP server on `listener` (HTTPS when the configuration names a certificate), with
/// `workers` threads, not yet awaited.
pub fn server(state: AppState, listener: TcpListener, workers: usize) -> std::io::Result<Server> {
    let json_limit = state.config.json_limit;
    // Every blocking job needs a pooled connection: more threads than connections only wait.
    let blocking_threads = state.config.pool_size as usize;
    let tls = match &state.config.tls {
        Some(files) => Some(transport::tls_config(files).map_err(std::io::Error::other)?),
        None => None,
    };
    let https = tls.is_some();
    let origins = state.config.cors_origins.clone();
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(api::extract::json_config(json_limit))
            .app_data(api::extract::path_config())
            .app_data(api::extract::query_config())
            .wrap(tracing_actix_web::TracingLogger::default())
            // Outside the request span, so the operator's log holds only its own fields.
            .wrap(from_fn(api::audit::audit))
            .wrap(Condition::new(
                !origins.is_empty(),
                transport::cors(&origins),
            ))
            .wrap(from_fn(transport::problem_errors))
            .wrap(transport::security_headers(https))
            .configure(api::configure)
            .configure(api::pages::configure)
            .default_service(web::to(api::not_found))
    })
    // Signals are the caller's: `tinnhiem serve` stops gracefully on SIGTERM and Ctrl-C alike,
    // and a test's servers leave the test process's signals alone.
    .disable_signals()
    .workers(workers.max(1))
    .worker_max_blocking_threads(blocking_threads.max(1));
    let server = match tls {
        Some(config) => server.listen_rustls_0_23(listener, config)?,
        None => server.listen(listener)?,
    };
    Ok(server.run())
}
