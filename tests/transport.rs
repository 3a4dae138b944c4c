//! Transport: security headers on every response, CORS closed unless origins are configured,
//! and HTTPS for halls with no reverse proxy.

use crate::common::*;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::json;
use tinnhiem::config::TlsFiles;

fn assert_security_headers(what: &str, headers: &HeaderMap) {
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        (
            "content-security-policy",
            "default-src 'none'; frame-ancestors 'none'",
        ),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(
            headers.get(name).map(|v| v.to_str().unwrap()),
            Some(value),
            "{what}: {name}"
        );
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let token = app.admin().await;
    let root = app.base.trim_end_matches("/api/v1").to_owned();
    let requests = [
        ("200 health", app.client.get(app.url("/healthz"))),
        (
            "200 signed in",
            app.client.get(app.url("/me")).bearer_auth(&token),
        ),
        ("401", app.client.get(app.url("/me"))),
        ("404 in the API", app.client.get(app.url("/nothing/here"))),
        (
            "404 outside it",
            app.client.get(format!("{root}/index.html")),
        ),
        (
            "405",
            app.client.delete(app.url("/councils")).bearer_auth(&token),
        ),
        (
            "400",
            app.client
                .post(app.url("/councils"))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body("{"),
        ),
        (
            "413",
            app.client
                .post(app.url("/councils"))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(vec![b' '; 300 * 1024]),
        ),
        ("openapi", app.client.get(app.url("/openapi.json"))),
    ];
    for (what, req) in requests {
        let resp = req.send().await.unwrap();
        assert_security_headers(what, resp.headers());
        assert!(
            resp.headers().get("strict-transport-security").is_none(),
            "{what}: no HSTS over plain HTTP"
        );
    }
}

#[tokio::test]
async fn cors_is_closed_by_default() {
    let app = TestApp::spawn().await;
    let origin = "https://attacker.example";
    let resp = app
        .client
        .get(app.url("/healthz"))
        .header("origin", origin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers().get("access-control-allow-origin").is_none());
    let preflight = app
        .client
        .request(Method::OPTIONS, app.url("/auth/login"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(preflight
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert!(!preflight.status().is_success());
    assert_eq!(
        preflight.headers()["content-type"],
        "application/problem+json"
    );
}

#[tokio::test]
async fn cors_answers_only_the_configured_origins() {
    let hall = "https://hall.example.vn";
    let app = TestApp::spawn_with(|c| c.cors_origins = vec![hall.to_owned()]).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(Method::OPTIONS, app.url("/votes/x/ballot"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
    };
    let ok = preflight(hall).await.unwrap();
    assert!(ok.status().is_success(), "{}", ok.status());
    assert_eq!(ok.headers()["access-control-allow-origin"], hall);
    let allowed = ok.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("content-type"));
    assert_security_headers("preflight", ok.headers());

    let refused = preflight("https://hall.example.vn.attacker.example")
        .await
        .unwrap();
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_problem_shape(StatusCode::BAD_REQUEST, &body);

    // A signed-in call from the hall's page gets its answer to the page.
    let token = app.admin().await;
    let resp = app
        .client
        .get(app.url("/me"))
        .bearer_auth(&token)
        .header("origin", hall)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["access-control-allow-origin"], hall);
    // From another origin the server answers, but without CORS headers the browser keeps the
    // answer from that page.
    let resp = app
        .client
        .get(app.url("/healthz"))
        .header("origin", "https://other.example")
        .send()
        .await
        .unwrap();
    assert!(resp.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn a_misconfigured_origin_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path());
    let mut config = test_config(&db, dir.path());
    config.cors_origins = vec!["*".into()];
    let err = tokio::task::spawn_blocking(move || tinnhiem::AppState::start(config).err())
        .await
        .unwrap()
        .expect("refused");
    assert!(
        matches!(&err, tinnhiem::state::StartError::Config(why) if why.contains("CORS origin")),
        "{err}"
    );
}

/// A self-signed certificate for 127.0.0.1, written as PEM files.
fn self_signed(dir: &std::path::Path) -> (TlsFiles, String) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let cert_pem = certified.cert.pem();
    let files = TlsFiles {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    std::fs::write(&files.cert, &cert_pem).unwrap();
    std::fs::write(&files.key, certified.key_pair.serialize_pem()).unwrap();
    (files, cert_pem)
}

#[tokio::test]
async fn https_serves_the_api_with_hsts_and_plain_http_gets_nothing() {
    let certs = tempfile::tempdir().unwrap();
    let (files, cert_pem) = self_signed(certs.path());
    let mut app = TestApp::spawn_with(|c| c.tls = Some(files)).await;
    let plain_base = app.base.clone();
    app.api.base = app.api.base.replace("http://", "https://");
    app.api.client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .https_only(true)
        .build()
        .unwrap();

    let resp = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    assert_security_headers("https", resp.headers());
    // The whole API works over it.
    let token = app.admin().await;
    let (status, council) = app
        .post("/councils", &token, json!({"name": "HĐND xã", "seats": 15}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{council}");

    // Plain HTTP to the TLS port gets no HTTP answer.
    let plain = reqwest::Client::new()
        .get(format!("{plain_base}/healthz"))
        .send()
        .await;
    assert!(plain.is_err(), "{plain:?}");
    // A client that does not trust the certificate does not connect.
    let untrusting = reqwest::Client::builder().build().unwrap();
    assert!(untrusting.get(app.url("/healthz")).send().await.is_err());
}

#[tokio::test]
async fn unreadable_or_mismatched_tls_files_stop_the_start_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (files, _) = self_signed(dir.path());
    let other = tempfile::tempdir().unwrap();
    let (other_files, _) = self_signed(other.path());
    let cases = [
        (
            TlsFiles {
                cert: dir.path().join("missing.pem"),
                key: files.key.clone(),
            },
            "cannot read certificates",
        ),
        (
            TlsFiles {
                cert: files.key.clone(),
                key: files.key.clone(),
            },
            "holds no certificate",
        ),
        (
            TlsFiles {
                cert: files.cert.clone(),
                key: other_files.key.clone(),
            },
            "do not make a pair",
        ),
    ];
    for (files, reason) in cases {
        let err = tinnhiem::transport::tls_config(&files).unwrap_err();
        assert!(err.contains(reason), "{err}");
    }
}
