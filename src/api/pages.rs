//! The pages for delegates' tablets (`/`), the chair (`/chair`), auditors (`/audit`), the
//! council's office (`/admin`), the hall's projector (`/display`) and the public (`/results`): plain
//! HTML, CSS and JavaScript modules from `web/`, embedded in the binary and built on the
//! `/api/v1` API alone. Nothing is fetched from anywhere else, at build or run time. And the
//! ballot checker (`/verify-ballot`), one self-contained document that works saved, offline. And
//! the counting committee's page (`/committee`), and the parent council's oversight page
//! (`/oversight`).

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

/// Each page's path and the name it fills the document with: the ballot, the chair's console,
/// the audit page, the secretariat's page, the hall screen, the public results, the counting
/// committee's page and the oversight page.
const PAGE_NAMES: [(&str, &str); 8] = [
    ("/", "ballot"),
    ("/chair", "chair"),
    ("/audit", "audit"),
    ("/admin", "admin"),
    ("/display", "display"),
    ("/results", "results"),
    ("/committee", "committee"),
    ("/oversight", "oversight"),
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
    asset!("sealer.js", JS),
    asset!("chair.js", JS),
    asset!("audit.js", JS),
    asset!("turnout.js", JS),
    asset!("oversight.js", JS),
    // The secretariat's page, the hall screen and the public results, and what the last two share.
    asset!("admin.js", JS),
    asset!("forms.js", JS),
    asset!("people-rows.js", JS),
    asset!("display.js", JS),
    asset!("results.js", JS),
    asset!("published.js", JS),
    // The counting committee's page and the worker that checks every ballot for it.
    asset!("committee.js", JS),
    asset!("committee-worker.js", JS),
    // The committee vote's cryptography (docs/verifiable.md §13), for the tablet and auditors.
    asset!("crypto/ristretto255.js", JS),
    asset!("crypto/sha2.js", JS),
    asset!("crypto/ballot.js", JS),
    asset!("crypto/worker.js", JS),
    asset!("crypto/committee.js", JS),
    asset!("crypto/sharefile.js", JS),
    asset!("crypto/argon2.js", JS),
    asset!("crypto/chacha20poly1305.js", JS),
    // The words, embedded once for the pages and the printed minutes alike.
    asset!("vi.json", JSON, crate::words::VI_JSON),
    asset!("en.json", JSON, crate::words::EN_JSON),
];

/// The ballot checker's address.
pub const VERIFY_PATH: &str = "/verify-ballot";

/// The ballot checker: `web/verify-ballot.html` with its style and one inline module script,
/// made of the crypto modules, `verify-ballot.js` and the words of both languages, so that a
/// browser's "Save page as" keeps everything it needs. Its policy allows that one script and
/// that one style by their hashes, and no request at all (`connect-src 'none'`); the document
/// carries the same policy in a `<meta>` (but `frame-ancestors`, which a `<meta>` cannot set),
/// which holds when the saved file is opened.
pub struct VerifyPage {
    pub body: &'static str,
    pub csp: &'static str,
}

/// The modules of the checker's script, dependencies first.
const VERIFY_MODULES: [(&str, &str); 4] = [
    (
        "crypto/sha2.js",
        include_str!("../../web/assets/crypto/sha2.js"),
    ),
    (
        "crypto/ristretto255.js",
        include_str!("../../web/assets/crypto/ristretto255.js"),
    ),
    (
        "crypto/ballot.js",
        include_str!("../../web/assets/crypto/ballot.js"),
    ),
    (
        "verify-ballot.js",
        include_str!("../../web/assets/verify-ballot.js"),
    ),
];

pub fn verify_page() -> &'static VerifyPage {
    static PAGE: OnceLock<VerifyPage> = OnceLock::new();
    PAGE.get_or_init(|| {
        let words = format!(
            "const WORDS = {{ \"vi\": {}, \"en\": {} }};\n",
            crate::words::VI_JSON.trim(),
            crate::words::EN_JSON.trim()
        );
        let script = format!("\n{words}{}", bundle(&VERIFY_MODULES));
        let style = include_str!("../../web/verify-ballot.css");
        // The document's own copy: a <meta> policy cannot say frame-ancestors.
        let meta = format!(
            "default-src 'none'; script-src '{}'; style-src '{}'; img-src data:; \
             connect-src 'none'; base-uri 'none'; form-action 'none'",
            sha256_source(&script),
            sha256_source(style)
        );
        let csp = format!("{meta}; frame-ancestors 'none'");
        let body = include_str!("../../web/verify-ballot.html")
            .replace("{csp}", &meta)
            .replace("{style}", style)
            .replace("{script}", &script);
        VerifyPage {
            body: body.leak(),
            csp: csp.leak(),
        }
    })
}

/// `sha256-<base64>` of a script or style, as a policy names it.
fn sha256_source(text: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// ES modules (name, text), each importing only from those before it, as one script: each
/// module's text runs in a function of its own that returns its exports. Only the forms our
/// modules use are read: one-line `import * as X from './m.js';` and `import { a, b } from
/// './m.js';`, `export function|const|class NAME`, and `export { a, b as c };`. Anything else
/// that imports or exports stops here (the page's test builds it).
pub fn bundle(modules: &[(&str, &str)]) -> String {
    let var = |name: &str| {
        let stem = name.trim_end_matches(".js");
        format!(
            "__module_{}",
            stem.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        )
    };
    let mut out = String::new();
    for (name, text) in modules {
        let dir = name.rfind('/').map_or("", |at| &name[..=at]);
        let mut exports: Vec<(String, String)> = Vec::new();
        let mut body = String::new();
        for line in text.lines() {
            let trimmed = line.trim_start();
            if let Some(rest) = trimmed.strip_prefix("import ") {
                let (what, from) = rest
                    .split_once(" from './")
                    .unwrap_or_else(|| panic!("{name}: an import the bundle cannot read: {line}"));
                let target = format!("{dir}{}", from.trim_end_matches(';').trim_end_matches('\''));
                assert!(
                    modules.iter().any(|(n, _)| *n == target),
                    "{name}: imports {target}, which is not in the bundle"
                );
                let binding = match what.strip_prefix("* as ") {
                    Some(alias) => alias.to_owned(),
                    None => what.replace(" as ", ": "),
                };
                body.push_str(&format!("const {binding} = {};\n", var(&target)));
            } else if let Some(rest) = trimmed.strip_prefix("export {") {
                let list = rest
                    .trim_end()
                    .strip_suffix("};")
                    .unwrap_or_else(|| panic!("{name}: an export the bundle cannot read: {line}"));
                for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                    let (local, exported) = item.split_once(" as ").unwrap_or((item, item));
                    exports.push((exported.trim().to_owned(), local.trim().to_owned()));
                }
            } else if let Some(rest) = trimmed.strip_prefix("export ") {
                let declared = ["function ", "const ", "class ", "async function "]
                    .iter()
                    .find_map(|k| rest.strip_prefix(k))
                    .unwrap_or_else(|| panic!("{name}: an export the bundle cannot read: {line}"));
                let end = declared
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
                    .unwrap_or(declared.len());
                let ident = &declared[..end];
                exports.push((ident.to_owned(), ident.to_owned()));
                body.push_str(&line.replacen("export ", "", 1));
                body.push('\n');
            } else {
                body.push_str(line);
                body.push('\n');
            }
        }
        let returned: Vec<String> = exports
            .iter()
            .map(|(exported, local)| format!("{exported}: {local}"))
            .collect();
        out.push_str(&format!(
            "// {name}\nconst {} = (() => {{\n{body}return {{ {} }};\n}})();\n",
            var(name),
            returned.join(", ")
        ));
    }
    out
}

/// Registers `GET /`, `/chair`, `/audit`, `/admin`, `/display`, `/results`, `/committee`,
/// `/oversight` and `/assets/{file}`, where a file's name may have a folder
/// (`crypto/ballot.js`). Call before the app's default service, so that other paths still get
/// the problem+json 404.
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
        web::resource(VERIFY_PATH)
            .route(web::get().to(verify))
            .route(web::head().to(verify))
            .default_service(web::to(|| async { super::method_not_allowed("GET, HEAD") })),
    );
    cfg.service(
        // Any name is looked up among the embedded files and nowhere else: no path reaches
        // the disk.
        web::resource("/assets/{file:.+}")
            .route(web::get().to(asset))
            .route(web::head().to(asset))
            .default_service(web::to(|| async { super::method_not_allowed("GET, HEAD") })),
    );
}

async fn verify(req: HttpRequest) -> HttpResponse {
    let page = verify_page();
    let asset = Asset {
        name: "verify-ballot",
        content_type: HTML,
        body: page.body,
    };
    serve_with(&req, &asset, etags().verify, page.csp)
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
    verify: u64,
}

/// A tag per file, computed once: the content's hash, stable for the life of the binary.
fn etags() -> &'static Etags {
    static TAGS: OnceLock<Etags> = OnceLock::new();
    TAGS.get_or_init(|| {
        let tag = |body: &str| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            body.hash(&mut h);
            h.finish()
        };
        Etags {
            pages: pages().iter().map(|(_, a)| tag(a.body)).collect(),
            assets: ASSETS.iter().map(|a| tag(a.body)).collect(),
            verify: tag(verify_page().body),
        }
    })
}

fn serve(req: &HttpRequest, asset: &Asset, tag: u64) -> HttpResponse {
    serve_with(req, asset, tag, PAGE_CSP)
}

fn serve_with(req: &HttpRequest, asset: &Asset, tag: u64, csp: &str) -> HttpResponse {
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
        .insert_header((header::CONTENT_SECURITY_POLICY, csp))
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
