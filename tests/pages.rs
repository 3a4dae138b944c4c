//! The pages (`/`, `/chair`, `/audit`, `/admin`, `/display`, `/results`, `/oversight`) and
//! their assets, over real HTTP: content types, the Content-Security-Policy, caching, nothing
//! from outside this origin, and problem+json for anything unknown.

use crate::common::*;
use reqwest::header::{HeaderMap, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG};
use reqwest::StatusCode;
use serde_json::Value;
use tinnhiem::api::pages::{pages, verify_page, ASSETS, PAGE_CSP, VERIFY_PATH};

/// `http://127.0.0.1:port`, without `/api/v1`.
fn origin(app: &TestApp) -> String {
    app.base.trim_end_matches(tinnhiem::api::BASE).to_owned()
}

async fn get(app: &TestApp, path: &str) -> (StatusCode, HeaderMap, String) {
    let resp = app
        .client
        .get(format!("{}{path}", origin(app)))
        .send()
        .await
        .expect("request sent");
    let status = resp.status();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.expect("body"))
}

fn header(headers: &HeaderMap, name: impl reqwest::header::AsHeaderName) -> &str {
    headers
        .get(name)
        .map(|v| v.to_str().expect("ASCII header"))
        .unwrap_or_default()
}

fn assert_not_found_problem(status: StatusCode, headers: &HeaderMap, body: &str, path: &str) {
    assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    assert_eq!(
        header(headers, CONTENT_TYPE),
        "application/problem+json",
        "{path}"
    );
    let problem: Value = serde_json::from_str(body).expect("problem JSON");
    assert_problem_shape(status, &problem);
    assert_eq!(problem["type"], "urn:tinnhiem:problem:not-found", "{path}");
}

/// The `/assets/...` names a page or module refers to: `src="/assets/x"`, `href="/assets/x"`,
/// and `from './x'` in modules, the last relative to the module's folder `dir` (`crypto/` for
/// `crypto/ballot.js`, empty at the top).
fn references(text: &str, dir: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (marker, base) in [("\"/assets/", ""), ("from './", dir)] {
        let mut rest = text;
        while let Some(at) = rest.find(marker) {
            rest = &rest[at + marker.len()..];
            let end = rest.find(['"', '\'']).expect("closing quote");
            found.push(format!("{base}{}", &rest[..end]));
            rest = &rest[end..];
        }
    }
    found
}

#[tokio::test]
async fn pages_are_html_with_their_own_policy() {
    let app = TestApp::spawn().await;
    for (path, page) in pages() {
        let (status, headers, body) = get(&app, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(
            header(&headers, CONTENT_TYPE),
            "text/html; charset=utf-8",
            "{path}"
        );
        let csp = header(&headers, CONTENT_SECURITY_POLICY);
        assert_eq!(csp, PAGE_CSP, "{path}");
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {directive} in {csp}");
        }
        assert!(!csp.contains("unsafe"), "{path}: {csp}");
        assert_eq!(header(&headers, CACHE_CONTROL), "no-cache", "{path}");
        assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
        assert_eq!(body, page.body, "{path} is the embedded file");
        assert!(
            body.contains(r#"<script type="module" src="/assets/"#),
            "{path}"
        );

        // Asked again with its tag: 304 and no body, with the same policy.
        let resp = app
            .client
            .get(format!("{}{path}", origin(&app)))
            .header("if-none-match", header(&headers, ETAG))
            .send()
            .await
            .expect("sent");
        assert_eq!(resp.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(header(resp.headers(), CONTENT_SECURITY_POLICY), PAGE_CSP);
        assert!(resp.text().await.expect("body").is_empty());
    }
}

#[tokio::test]
async fn every_asset_is_served_with_its_type_and_every_reference_resolves() {
    let app = TestApp::spawn().await;
    for asset in ASSETS {
        let path = format!("/assets/{}", asset.name);
        let (status, headers, body) = get(&app, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let expected = match asset.name.rsplit_once('.').map(|(_, ext)| ext) {
            Some("js") => "text/javascript; charset=utf-8",
            Some("css") => "text/css; charset=utf-8",
            Some("json") => "application/json",
            other => panic!("{path}: no expected type for {other:?}"),
        };
        assert_eq!(header(&headers, CONTENT_TYPE), expected, "{path}");
        assert_eq!(header(&headers, CONTENT_SECURITY_POLICY), PAGE_CSP);
        assert_eq!(header(&headers, CACHE_CONTROL), "no-cache", "{path}");
        assert!(!header(&headers, ETAG).is_empty(), "{path}");
        assert_eq!(body, asset.body, "{path}");
    }

    let names: Vec<&str> = ASSETS.iter().map(|a| a.name).collect();
    // Each text with the folder its relative imports start from.
    let texts = pages()
        .iter()
        .map(|(p, a)| (p.to_string(), a.body, ""))
        .chain(ASSETS.iter().map(|a| {
            let dir = a.name.rfind('/').map_or("", |at| &a.name[..=at]);
            (a.name.to_owned(), a.body, dir)
        }));
    let mut referenced = 0;
    for (from, text, dir) in texts {
        for name in references(text, dir) {
            assert!(
                names.contains(&name.as_str()),
                "{from} refers to {name}, which is not embedded"
            );
            referenced += 1;
        }
    }
    assert!(
        referenced >= pages().len() * 2,
        "references found: {referenced}"
    );
}

#[tokio::test]
async fn nothing_is_loaded_from_another_host_and_nothing_is_inline() {
    // Checked on the embedded files themselves: the pages must work in a hall with no internet.
    let files = pages()
        .iter()
        .map(|(p, a)| (p.to_string(), a))
        .chain(ASSETS.iter().map(|a| (a.name.to_owned(), a)));
    for (name, asset) in files {
        let lower = asset.body.to_lowercase();
        for external in [
            "http://",
            "https://",
            "src=\"//",
            "href=\"//",
            "url(//",
            "@import",
        ] {
            assert!(!lower.contains(external), "{name} contains {external}");
        }
        if asset.content_type.starts_with("text/html") {
            // The policy forbids inline script and style; none is written.
            assert!(!lower.contains("<style"), "{name}: inline style element");
            assert!(!lower.contains(" style="), "{name}: style attribute");
            for tag in lower.match_indices("<script").map(|(i, _)| &lower[i..]) {
                let open = &tag[..tag.find('>').expect("script tag closes")];
                assert!(open.contains(" src=\"/assets/"), "{name}: inline script");
            }
            assert!(!lower.contains(" onclick="), "{name}: inline handler");
            assert!(!lower.contains(" onload="), "{name}: inline handler");
        }
    }
}

#[tokio::test]
async fn unknown_assets_and_methods_answer_problem_details() {
    let app = TestApp::spawn().await;
    for path in [
        "/assets/nope.js",
        "/assets/",
        "/assets/crypto/",
        "/assets/crypto/nope.js",
        "/assets/style.css.map",
        "/assets/%2e%2e%2fCargo.toml",
        "/assets/..%2f..%2fCargo.toml",
        "/web/ballot.html",
        "/ballot.html",
        "/favicon.ico",
    ] {
        let (status, headers, body) = get(&app, path).await;
        assert_not_found_problem(status, &headers, &body, path);
    }

    for path in ["/", "/chair", "/assets/style.css"] {
        let resp = app
            .client
            .post(format!("{}{path}", origin(&app)))
            .send()
            .await
            .expect("sent");
        assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
        assert_eq!(header(resp.headers(), "allow"), "GET, HEAD");
        assert_eq!(
            header(resp.headers(), CONTENT_TYPE),
            "application/problem+json"
        );
    }

    // HEAD is answered like GET, without a body.
    let resp = app
        .client
        .head(format!("{}/chair", origin(&app)))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        header(resp.headers(), CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
}

#[tokio::test]
async fn api_answers_do_not_carry_the_page_policy() {
    // The pages' policy allows scripts from this origin; JSON from the API needs none of it.
    let app = TestApp::spawn().await;
    let (status, headers, _) = get(&app, "/api/v1/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(header(&headers, CONTENT_SECURITY_POLICY), PAGE_CSP);
    let (status, headers, _) = get(&app, "/api/v1/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_ne!(header(&headers, CONTENT_SECURITY_POLICY), PAGE_CSP);
}

/// `sha256-<base64>` of a text, as a policy names an inline script or style.
fn hash_source(text: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The text between `open` and `close` in `body`.
fn between<'a>(body: &'a str, open: &str, close: &str) -> &'a str {
    let start = body.find(open).expect("opening tag") + open.len();
    let end = start + body[start..].find(close).expect("closing tag");
    &body[start..end]
}

#[tokio::test]
async fn the_ballot_checker_is_one_document_that_needs_nothing_else() {
    let app = TestApp::spawn().await;
    let (status, headers, body) = get(&app, VERIFY_PATH).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, CONTENT_TYPE), "text/html; charset=utf-8");
    assert_eq!(body, verify_page().body);
    let csp = header(&headers, CONTENT_SECURITY_POLICY);
    assert_eq!(csp, verify_page().csp);
    for directive in [
        "default-src 'none'",
        "connect-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} in {csp}");
    }
    assert!(!csp.contains("unsafe") && !csp.contains("'self'"), "{csp}");
    assert_eq!(header(&headers, CACHE_CONTROL), "no-cache");

    // Its one script and one style are allowed by their hashes, in the header and in the
    // document's own policy, which a saved copy keeps.
    let script = between(&body, "<script type=\"module\">", "</script>");
    let style = between(&body, "<style>", "</style>");
    assert!(
        csp.contains(&hash_source(script)),
        "the script's hash in {csp}"
    );
    assert!(
        csp.contains(&hash_source(style)),
        "the style's hash in {csp}"
    );
    let meta = between(
        &body,
        "http-equiv=\"Content-Security-Policy\" content=\"",
        "\"",
    );
    assert!(meta.contains(&hash_source(script)) && meta.contains("connect-src 'none'"));
    assert_eq!(body.matches("<script").count(), 1, "one script");

    // Nothing is loaded: no module import left, no asset, no other host.
    for line in script.lines() {
        let code = line.trim_start();
        assert!(
            !code.starts_with("import ") && !code.starts_with("export "),
            "{line}"
        );
    }
    let lower = body.to_lowercase();
    for outside in [
        "/assets/",
        "http://",
        "https://",
        " src=",
        "<link rel=\"stylesheet",
    ] {
        assert!(!lower.contains(outside), "the checker refers to {outside}");
    }
    for module in [
        "crypto/sha2.js",
        "crypto/ristretto255.js",
        "crypto/ballot.js",
        "verify-ballot.js",
    ] {
        assert!(
            script.contains(&format!("// {module}\n")),
            "{module} is in the script"
        );
    }
    assert!(
        script.contains("\"verify_matches\""),
        "the words are in the script"
    );

    let resp = app
        .client
        .post(format!("{}{VERIFY_PATH}", origin(&app)))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn the_office_pages_are_served_without_a_token() {
    // The secretariat's page, the hall screen, the public results and the oversight page: each
    // the one document with its own script; what they show comes from the API (the public
    // results with no token).
    let app = TestApp::spawn().await;
    for (path, script) in [
        ("/admin", "admin"),
        ("/display", "display"),
        ("/results", "results"),
        ("/oversight", "oversight"),
    ] {
        let (status, headers, body) = get(&app, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(
            header(&headers, CONTENT_SECURITY_POLICY),
            PAGE_CSP,
            "{path}"
        );
        assert!(
            body.contains(&format!(r#"src="/assets/{script}.js""#)),
            "{path}: {body}"
        );
        assert!(
            body.contains(&format!(r#"class="page-{script}""#)),
            "{path}"
        );
    }
}
