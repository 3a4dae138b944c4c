//! Stolen or forged tokens: each way of making a token we did not issue is refused, and a
//! member's tokens end at once when their password, roles or standing change.

use crate::common::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A running service, its token key as read from the key file, and the claims of a token it
/// would issue to its admin right now.
struct Forge {
    app: TestApp,
    secret: Vec<u8>,
    claims: Value,
}

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

async fn forge() -> Forge {
    let app = TestApp::spawn().await;
    let token = app.admin().await;
    let (_, me) = app.get("/me", &token).await;
    let secret = std::fs::read(&app.config.token_key_file).expect("token key file");
    let claims = json!({
        "sub": me["id"], "iss": "tinnhiem", "aud": "tinnhiem-api",
        "iat": now(), "nbf": now(), "exp": now() + 3600, "ver": 0,
    });
    Forge {
        app,
        secret,
        claims,
    }
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// `header.payload.signature`, signed with HMAC `alg` over the exact header given.
fn hmac_token(header: &Value, claims: &Value, key: &[u8], alg: Algorithm) -> String {
    let message = format!("{}.{}", b64(header), b64(claims));
    let signature =
        jsonwebtoken::crypto::sign(message.as_bytes(), &EncodingKey::from_secret(key), alg)
            .expect("sign");
    format!("{message}.{signature}")
}

impl Forge {
    fn sign(&self, claims: &Value) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(&self.secret),
        )
        .expect("encode")
    }

    fn with(&self, field: &str, value: Value) -> Value {
        let mut claims = self.claims.clone();
        claims[field] = value;
        claims
    }

    async fn refused(&self, token: &str) {
        let body = assert_problem(self.app.get("/me", token).await, 401, "unauthenticated");
        assert!(
            body["detail"].as_str().unwrap().contains("sign in"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_token_made_like_ours_with_our_key_is_accepted() {
    // The control: the forging below differs from this in one thing each.
    let f = forge().await;
    let (status, me) = f.app.get("/me", &f.sign(&f.claims)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["username"], ADMIN);
}

#[tokio::test]
async fn alg_none_is_refused() {
    let f = forge().await;
    for alg in ["none", "None", "NONE"] {
        let header = json!({"alg": alg, "typ": "JWT"});
        f.refused(&format!("{}.{}.", b64(&header), b64(&f.claims)))
            .await;
    }
}

#[tokio::test]
async fn other_hmac_algorithms_with_our_key_are_refused() {
    let f = forge().await;
    for (alg, name) in [(Algorithm::HS384, "HS384"), (Algorithm::HS512, "HS512")] {
        let header = json!({"alg": name, "typ": "JWT"});
        f.refused(&hmac_token(&header, &f.claims, &f.secret, alg))
            .await;
    }
}

#[tokio::test]
async fn public_key_algorithm_labels_are_refused() {
    // Algorithm confusion: the header claims RS256/ES256/EdDSA while the signature is an HMAC
    // made with our key, as an attacker would try against a service that trusts the header.
    let f = forge().await;
    for name in ["RS256", "ES256", "PS256", "EdDSA"] {
        let header = json!({"alg": name, "typ": "JWT"});
        f.refused(&hmac_token(&header, &f.claims, &f.secret, Algorithm::HS256))
            .await;
    }
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_refused() {
    let f = forge().await;
    let other = vec![0x5a; 64];
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &f.claims,
        &EncodingKey::from_secret(&other),
    )
    .unwrap();
    f.refused(&token).await;
}

#[tokio::test]
async fn a_tampered_payload_is_refused() {
    // A delegate's own token with its payload rewritten to name the chair.
    let f = forge().await;
    let council = f.app.council(5, 2).await;
    let (_, chair) = f.app.get("/me", &council.chair).await;
    let token = council.delegates[1].clone();
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["sub"] = chair["id"].clone();
    let tampered = format!("{}.{}.{}", parts[0], b64(&claims), parts[2]);
    f.refused(&tampered).await;
    // And the signature of one token on the payload of another.
    let chair_parts: Vec<&str> = council.chair.split('.').collect();
    f.refused(&format!("{}.{}.{}", parts[0], chair_parts[1], parts[2]))
        .await;
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let f = forge().await;
    let mut claims = f.with("exp", json!(now() - 600));
    claims["iat"] = json!(now() - 4000);
    claims["nbf"] = json!(now() - 4000);
    f.refused(&f.sign(&claims)).await;
}

#[tokio::test]
async fn a_token_not_yet_valid_is_refused() {
    let f = forge().await;
    f.refused(&f.sign(&f.with("nbf", json!(now() + 600)))).await;
}

#[tokio::test]
async fn a_token_without_nbf_or_version_is_refused() {
    let f = forge().await;
    for field in ["nbf", "ver", "exp", "sub"] {
        let mut claims = f.claims.clone();
        claims.as_object_mut().unwrap().remove(field);
        f.refused(&f.sign(&claims)).await;
    }
}

#[tokio::test]
async fn a_wrong_issuer_is_refused() {
    let f = forge().await;
    f.refused(&f.sign(&f.with("iss", json!("someone-else"))))
        .await;
}

#[tokio::test]
async fn a_wrong_audience_is_refused() {
    let f = forge().await;
    f.refused(&f.sign(&f.with("aud", json!("another-api"))))
        .await;
}

#[tokio::test]
async fn a_stale_token_version_is_refused() {
    let f = forge().await;
    f.refused(&f.sign(&f.with("ver", json!(1)))).await;
}

// ---- Ending tokens: password, roles, deactivation ----

/// The council's member with `username`, as the admin lists them.
async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    app.call(Method::PUT, path, Some(token), Some(body)).await
}

#[tokio::test]
async fn an_admin_setting_a_password_ends_the_members_tokens_at_once() {
    let app = TestApp::spawn().await;
    let council = app.council(5, 3).await;
    let d1 = council.usernames[2].clone();
    let id = app.member_id(&council, &d1).await;
    let old = council.delegates[1].clone();
    let path = format!("/councils/{}/members/{id}/password", council.id);

    let (status, member) = put(
        &app,
        &path,
        &council.admin,
        json!({"password": "new-password-1"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{member}");
    assert_eq!(member["username"], d1.as_str());
    assert_eq!(member["active"], true);
    assert_problem(app.get("/me", &old).await, 401, "unauthenticated");
    assert_problem(app.login(&d1, PASSWORD).await, 401, "unauthenticated");
    let fresh = app.token(&d1, "new-password-1").await;
    assert_eq!(app.get("/me", &fresh).await.0, StatusCode::OK);
    // Other members keep their sign-ins.
    assert_eq!(
        app.get("/me", &council.delegates[2]).await.0,
        StatusCode::OK
    );

    assert_problem(
        put(&app, &path, &council.admin, json!({"password": "short"})).await,
        422,
        "validation-failed",
    );
    assert_problem(
        put(
            &app,
            &path,
            &council.chair,
            json!({"password": "chairs-choice"}),
        )
        .await,
        403,
        "forbidden",
    );
    assert_eq!(
        app.get("/me", &fresh).await.0,
        StatusCode::OK,
        "refusals change nothing"
    );
}

#[tokio::test]
async fn removing_a_role_ends_the_members_tokens_and_adding_one_does_not() {
    let app = TestApp::spawn().await;
    let council = app.council(5, 2).await;
    let chair_name = council.usernames[0].clone();
    let id = app.member_id(&council, &chair_name).await;
    let path = format!("/councils/{}/members/{id}/roles", council.id);

    let (status, member) = put(
        &app,
        &path,
        &council.admin,
        json!({"roles": ["chair", "delegate", "auditor"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{member}");
    assert_eq!(member["roles"], json!(["chair", "delegate", "auditor"]));
    let (status, me) = app.get("/me", &council.chair).await;
    assert_eq!(status, StatusCode::OK, "an added role keeps the token");
    assert_eq!(me["roles"], json!(["chair", "delegate", "auditor"]));

    let (status, _) = put(&app, &path, &council.admin, json!({"roles": ["delegate"]})).await;
    assert_eq!(status, StatusCode::OK);
    assert_problem(app.get("/me", &council.chair).await, 401, "unauthenticated");
    let again = app.token(&chair_name, PASSWORD).await;
    let votes = format!("/councils/{}/votes", council.id);
    let body = json!({"title": "t", "kind": "rating", "subjects": [{"full_name": "A", "positions": ["P"]}]});
    assert_problem(app.post(&votes, &again, body).await, 403, "forbidden");

    for bad in [json!({"roles": []}), json!({"roles": ["admin"]})] {
        assert_problem(
            put(&app, &path, &council.admin, bad).await,
            422,
            "validation-failed",
        );
    }
}

#[tokio::test]
async fn a_deactivated_member_cannot_act_sign_in_or_cast() {
    let app = TestApp::spawn().await;
    let council = app.council(5, 3).await;
    let vote = app.vote(&council, "rating", 1, None).await;
    let vote_id = vote["id"].as_str().unwrap().to_owned();
    app.post_empty(&format!("/votes/{vote_id}/open"), &council.chair)
        .await;
    let d1 = council.usernames[2].clone();
    let id = app.member_id(&council, &d1).await;
    let token = council.delegates[1].clone();
    let base = format!("/councils/{}/members/{id}", council.id);

    let (status, member) = app
        .post_empty(&format!("{base}/deactivate"), &council.admin)
        .await;
    assert_eq!(status, StatusCode::OK, "{member}");
    assert_eq!(member["active"], false);
    let ballot = format!("/votes/{vote_id}/ballot");
    assert_problem(
        app.post(&ballot, &token, json!({"marks": {}})).await,
        401,
        "unauthenticated",
    );
    let refused = assert_problem(app.login(&d1, PASSWORD).await, 401, "unauthenticated");
    assert!(refused["detail"].as_str().unwrap().contains("deactivated"));
    let (_, turnout) = app.get(&format!("/votes/{vote_id}"), &council.chair).await;
    assert_eq!(turnout["ballots_cast"], 0, "nothing was cast");
    assert_eq!(turnout["eligible"], 3, "eligibility was fixed at open");

    // A vote opened now leaves the deactivated delegate out.
    let later = app.vote(&council, "rating", 1, None).await;
    let (_, later) = app
        .post_empty(
            &format!("/votes/{}/open", later["id"].as_str().unwrap()),
            &council.chair,
        )
        .await;
    assert_eq!(later["eligible"], 2);

    // Activated again: may sign in, but the old token stays ended.
    let (status, member) = app
        .post_empty(&format!("{base}/activate"), &council.admin)
        .await;
    assert_eq!((status, &member["active"]), (StatusCode::OK, &json!(true)));
    assert_problem(app.get("/me", &token).await, 401, "unauthenticated");
    let fresh = app.token(&d1, PASSWORD).await;
    let (status, _) = app.post(&ballot, &fresh, json!({"marks": {}})).await;
    assert_eq!(status, StatusCode::CREATED, "an elector again once active");
}

#[tokio::test]
async fn only_admins_manage_members_and_only_of_the_councils_they_name() {
    let app = TestApp::spawn().await;
    let council = app.council(5, 2).await;
    let other = app.council(5, 2).await;
    let id = app.member_id(&council, &council.usernames[2]).await;
    let admin_id = app.get("/me", &council.admin).await.1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mine = format!("/councils/{}/members/{id}", council.id);
    let elsewhere = format!("/councils/{}/members/{id}", other.id);

    assert_problem(
        app.post_empty(&format!("{mine}/deactivate"), &council.chair)
            .await,
        403,
        "forbidden",
    );
    // The chair of another council does not see this council at all.
    assert_problem(
        app.post_empty(&format!("{mine}/deactivate"), &other.chair)
            .await,
        404,
        "not-found",
    );
    // The member does not belong to the council named in the path.
    assert_problem(
        app.post_empty(&format!("{elsewhere}/deactivate"), &council.admin)
            .await,
        404,
        "not-found",
    );
    // Admins are no council's members.
    assert_problem(
        app.post_empty(
            &format!("/councils/{}/members/{admin_id}/deactivate", council.id),
            &council.admin,
        )
        .await,
        404,
        "not-found",
    );
    assert_problem(
        app.post_empty(
            &format!("/councils/{}/members/nope/deactivate", council.id),
            &council.admin,
        )
        .await,
        404,
        "not-found",
    );
    assert_eq!(
        app.get("/me", &council.delegates[1]).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn members_change_their_own_password_with_the_current_one() {
    let app = TestApp::spawn().await;
    let council = app.council(5, 2).await;
    let d1 = council.usernames[2].clone();
    let old = council.delegates[1].clone();
    // A second device of the same member.
    let other_device = app.token(&d1, PASSWORD).await;

    let wrong = app
        .post(
            "/me/password",
            &old,
            json!({"current_password": "not-it-at-all", "new_password": "brand-new-pass"}),
        )
        .await;
    assert_problem(wrong, 422, "validation-failed");
    assert_problem(
        app.post(
            "/me/password",
            &old,
            json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await,
        422,
        "validation-failed",
    );
    assert_eq!(
        app.get("/me", &old).await.0,
        StatusCode::OK,
        "refusals change nothing"
    );

    let (status, body) = app
        .post(
            "/me/password",
            &old,
            json!({"current_password": PASSWORD, "new_password": "brand-new-pass"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let fresh = body["access_token"].as_str().unwrap();
    assert_eq!(app.get("/me", fresh).await.0, StatusCode::OK);
    assert_problem(app.get("/me", &old).await, 401, "unauthenticated");
    assert_problem(app.get("/me", &other_device).await, 401, "unauthenticated");
    assert_problem(app.login(&d1, PASSWORD).await, 401, "unauthenticated");
    app.token(&d1, "brand-new-pass").await;
}
