//! The pages for delegates' tablets (`/`), the chair (`/chair`), auditors (`/audit`) and the
//! counting committee's members (`/committee`): plain HTML, CSS and JavaScript modules from
//! `web/`, embedded in the binary and built on the `/api/v1` API alone. Nothing is fetched from
//! anywhere else, at build or run time.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;

/// The policy of every page and asset: this origin only, no inline script or style, no frames.
/// Set here on each response, so that a middleware adding a stricter default for API JSON
/// (`default-src 'none'`) leaves pages with their own.
pub const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
     form-action 'none'";

/// Pages and assets are small and change only with the binary: browsers keep them but ask
/// again each time (`no-cache`), and get 304 when the `ETag` still matches.
pub const CACHE_CONTROL: &str = "no-cache";

const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const JSON: &str = "application/json";

/// One embedded file.
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub body: &'static str,
}

/// The one document every page is: `{page}` names the page's script and its body class.
const DOCUMENT: &str = include_str!("../../web/page.html");

/// Each page's path and the name it fills the document with.
const PAGE_NAMES: [(&str, &str); 4] = [
    ("/", "ballot"),
    ("/chair", "chair"),
    ("/audit", "audit"),
    ("/committee", "committee"),
];

/// The pages, by path: the document filled in for each, once, and kept for the life of
/// the process like the embedded files.
pub fn pages() -> &'static [(&'static str, Asset)] {
    static PAGES: OnceLock<Vec<(&'static str, Asset)>> = OnceLock::new();
    PAGES.get_or_init(|| {
        PAGE_NAMES
            .iter()
            .map(|&(path, name)| {
                let body = DOCUMENT.replace("{page}", name).leak();
                (
                    path,
                    Asset {
                        name,
                        content_type: HTML,
                        body,
                    },
                )
            })
            .collect()
    })
}

/// `web/assets/NAME`, served as `/assets/NAME`: embedded here, or by the module named.
macro_rules! asset {
    ($name:literal, $content_type:expr) => {
        asset!(
            $name,
            $content_type,
            include_str!(concat!("../../web/assets/", $name))
        )
    };
    ($name:literal, $content_type:expr, $body:expr) => {
        Asset {
            name: $name,
            content_type: $content_type,
            body: $body,
        }
    };
}

/// Everything under `/assets/`; any other name there is a 404 like every unknown path.
pub const ASSETS: &[Asset] = &[
    asset!("style.css", CSS),
    asset!("common.js", JS),
    asset!("i18n.js", JS),
    asset!("shell.js", JS),
    asset!("tally.js", JS),
    asset!("ballot.js", JS),
    asset!("chair.js", JS),
    asset!("audit.js", JS),
    // The counting committee's page and the worker that checks every ballot for it.
    asset!("committee.js", JS),
    asset!("committee-worker.js", JS),
    // The committee vote's cryptography (docs/verifiable.md §13), for the tablet and auditors.
    asset!("crypto/ristretto255.js", JS),
    asset!("crypto/sha2.js", JS),
    asset!("crypto/ballot.js", JS),
    asset!("crypto/committee.js", JS),
    asset!("crypto/sharefile.js", JS),
    asset!("crypto/argon2.js", JS),
    asset!("crypto/chacha20poly1305.js", JS),
    // The words, embedded once for the pages and the printed minutes alike.
    asset!("vi.json", JSON, crate::words::VI_JSON),
    asset!("en.json", JSON, crate::words::EN_JSON),
];

/// Registers `GET /`, `/chair`, `/audit`, `/committee` and `/assets/{file}`, where a file's name
/// may have a folder (`crypto/ballot.js`). Call before the app's default service, so that other
/// paths still get the problem+json 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    for (index, (path, _)) in pages().iter().enumerate() {
        cfg.service(
            web::resource(*path)
                .route(web::get().to(move |req: HttpRequest| async move { page(&req, index) }))
                .route(web::head().to(move |req: HttpRequest| async move { page(&req, index) }))
                .default_service(web::to(|| async { super::method_not_allowed("GET, HEAD") })),
        );
    }
    cfg.service(
        // Any name is looked up among the embedded files and nowhere else: no path reaches
        // the disk.
        web::resource("/assets/{file:.+}")
            .route(web::get().to(asset))
            .route(web::head().to(asset))
            .default_service(web::to(|| async { super::method_not_allowed("GET, HEAD") })),
    );
}

fn page(req: &HttpRequest, index: usize) -> HttpResponse {
    serve(req, &pages()[index].1, etags().pages[index])
}

async fn asset(req: HttpRequest, file: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().position(|a| a.name == file.as_str()) {
        Some(index) => serve(&req, &ASSETS[index], etags().assets[index]),
        None => super::not_found(req).await,
    }
}

struct Etags {
    pages: Vec<u64>,
    assets: Vec<u64>,
}

/// A tag per file, computed once: the content's hash, stable for the life of the binary.
fn etags() -> &'static Etags {
    static TAGS: OnceLock<Etags> = OnceLock::new();
    TAGS.get_or_init(|| {
        let tag = |a: &Asset| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            a.body.hash(&mut h);
            h.finish()
        };
        Etags {
            pages: pages().iter().map(|(_, a)| tag(a)).collect(),
            assets: ASSETS.iter().map(tag).collect(),
        }
    })
}

fn serve(req: &HttpRequest, asset: &Asset, tag: u64) -> HttpResponse {
    let etag = format!("\"{tag:016x}\"");
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_CSP))
        .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::ETAG, HeaderValue::from_str(&etag).expect("hex tag")));
    if fresh {
        return response.finish();
    }
    response
        .insert_header((header::CONTENT_TYPE, asset.content_type))
        .body(asset.body)
}
