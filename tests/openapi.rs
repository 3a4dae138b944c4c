//! The OpenAPI document describes exactly the routes the app serves.

use crate::common::*;
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn openapi_covers_every_route_and_nothing_else() {
    let app = TestApp::spawn().await;
    let (status, doc) = app.call(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().expect("paths");

    let routes = tinnhiem::api::routes();
    for (method, path, _) in &routes {
        let full = format!("{}{}", tinnhiem::api::BASE, path);
        let op = &paths
            .get(&full)
            .unwrap_or_else(|| panic!("{full} missing from OpenAPI"))
            [method.as_str().to_lowercase()];
        assert!(op.is_object(), "{method} {full} missing from OpenAPI");
        let responses = op["responses"].as_object().expect("responses");
        assert!(
            responses.keys().any(|k| k.starts_with('2')),
            "{method} {full}: no success response"
        );
        for (code, response) in responses {
            if !code.starts_with('2') {
                assert!(
                    response["content"]["application/problem+json"].is_object(),
                    "{method} {full} {code} is not documented as problem+json"
                );
            }
        }
    }
    let mut documented = 0;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            documented += 1;
            let served = routes.iter().any(|(m, p, _)| {
                format!("{}{}", tinnhiem::api::BASE, p) == *path
                    && m.as_str().eq_ignore_ascii_case(method)
            });
            assert!(served, "{method} {path} is documented but not served");
        }
    }
    assert_eq!(documented, routes.len());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

/// Each documented route answers over HTTP (not the unknown-route 404).
#[tokio::test]
async fn every_route_in_the_table_is_reachable() {
    let app = TestApp::spawn().await;
    let id = uuid::Uuid::new_v4().to_string();
    for (method, path, _) in tinnhiem::api::routes() {
        let path = path
            .replace("{council_id}", &id)
            .replace("{vote_id}", &id)
            .replace("{member_id}", &id);
        let method = Method::from_bytes(method.as_str().as_bytes()).unwrap();
        let resp = app
            .client
            .request(method.clone(), app.url(&path))
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let body: serde_json::Value = resp.json().await.unwrap_or_default();
        let unknown_route = status == StatusCode::NOT_FOUND
            && body["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("There is nothing at"));
        assert!(
            !unknown_route && status != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}: {status}"
        );
    }
}
