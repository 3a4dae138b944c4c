//! Oversight over real HTTP: a council's parent, set at creation or by the admin and never
//! making a circle, and the parent council's supervisors, who read the child councils' votes,
//! turnout and published tallies, never an unpublished count, and change nothing.

use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeMap;

async fn new_council(app: &Api, admin: &str, name: &str, parent: Option<&str>) -> Value {
    let mut body = json!({"name": name, "seats": 50});
    if let Some(p) = parent {
        body["parent_id"] = json!(p);
    }
    let (status, council) = app.post("/councils", admin, body).await;
    assert_eq!(status, StatusCode::CREATED, "{council}");
    council
}

async fn set_parent(app: &Api, token: &str, id: &str, parent: Value) -> (StatusCode, Value) {
    app.call(
        Method::PUT,
        &format!("/councils/{id}/parent"),
        Some(token),
        Some(json!({ "parent_id": parent })),
    )
    .await
}

/// A member of `council_id` holding `roles`; their token.
async fn member(
    app: &Api,
    admin: &str,
    council_id: &str,
    username: &str,
    roles: &[&str],
) -> String {
    let (status, body) = app
        .post(
            &format!("/councils/{council_id}/members"),
            admin,
            json!({"username": username, "full_name": format!("Thường trực {username}"),
                   "password": PASSWORD, "roles": roles}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["roles"], json!(roles));
    app.token(username, PASSWORD).await
}

#[tokio::test]
async fn a_council_gets_a_parent_at_creation_or_from_the_admin_and_never_a_circle() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let province = new_council(&app, &admin, "HĐND tỉnh Vĩnh Phúc", None).await;
    let p = province["id"].as_str().unwrap();
    assert_eq!(province["parent_id"], Value::Null);
    let district = new_council(&app, &admin, "HĐND huyện Tam Dương", Some(p)).await;
    let d = district["id"].as_str().unwrap();
    assert_eq!(district["parent_id"], p);
    let commune = new_council(&app, &admin, "HĐND xã Hoàng Hoa", Some(d)).await;
    let c = commune["id"].as_str().unwrap();

    // Creation refuses a parent that does not exist; nothing is created.
    let (_, before) = app.get("/councils", &admin).await;
    for parent in [json!("0b5c8a4e-7f0e-4a57-9d5b-1c2d3e4f5a6b"), json!("tỉnh")] {
        let got = app
            .post(
                "/councils",
                &admin,
                json!({"name": "HĐND huyện khác", "seats": 30, "parent_id": parent}),
            )
            .await;
        let problem = assert_problem(got, 422, "validation-failed");
        assert!(problem["detail"]
            .as_str()
            .unwrap()
            .contains("is not a council"));
    }
    let (_, after) = app.get("/councils", &admin).await;
    assert_eq!(before, after);

    // The admin moves it; a circle, itself, or an unknown council are refused.
    for (id, parent, words) in [
        (p, json!(c), "below this one"),
        (p, json!(d), "below this one"),
        (d, json!(d), "its own parent"),
        (
            d,
            json!("1d6f1a7e-0000-4000-8000-000000000000"),
            "is not a council",
        ),
    ] {
        let problem = assert_problem(
            set_parent(&app, &admin, id, parent).await,
            422,
            "validation-failed",
        );
        assert!(
            problem["detail"].as_str().unwrap().contains(words),
            "{problem}"
        );
    }
    let council = app.council(10, 2).await;
    assert_problem(
        set_parent(&app, &council.chair, d, json!(null)).await,
        403,
        "forbidden",
    );
    assert_problem(
        set_parent(&app, &council.chair, &council.id, json!(null)).await,
        403,
        "forbidden",
    );
    assert_problem(
        set_parent(
            &app,
            &admin,
            "4f9e2a1c-1111-4222-8333-444455556666",
            json!(null),
        )
        .await,
        404,
        "not-found",
    );
    assert_problem(
        app.call(
            Method::PUT,
            &format!("/councils/{d}/parent"),
            None,
            Some(json!({ "parent_id": null })),
        )
        .await,
        401,
        "unauthenticated",
    );
    assert_problem(
        app.call(
            Method::PUT,
            &format!("/councils/{d}/parent"),
            Some(&admin),
            Some(json!({ "parent": p })),
        )
        .await,
        400,
        "malformed-request",
    );
    let (_, still) = app.get("/councils", &admin).await;
    assert_eq!(
        still.as_array().unwrap().len(),
        after.as_array().unwrap().len() + 1
    );
    let (_, read) = app.get(&format!("/councils/{d}"), &admin).await;
    assert_eq!(read["parent_id"], p, "no refusal changed the parent");

    let (status, moved) = set_parent(&app, &admin, c, json!(p)).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["parent_id"], p);
    let (status, alone) = set_parent(&app, &admin, c, json!(null)).await;
    assert_eq!(status, StatusCode::OK, "{alone}");
    assert_eq!(alone["parent_id"], Value::Null);
}

/// The progress of the child council's votes, by vote id, as the children list shows it.
fn progress(children: &Value, council_id: &str) -> BTreeMap<String, Value> {
    let child = children
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == council_id)
        .unwrap_or_else(|| panic!("{council_id} in {children}"));
    child["votes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["id"].as_str().unwrap().to_owned(), v.clone()))
        .collect()
}

#[tokio::test]
async fn a_supervisor_reads_a_child_councils_votes_and_published_tallies_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let district = app.council(10, 3).await;
    let admin = district.admin.clone();
    let province = new_council(&app, &admin, "HĐND tỉnh Vĩnh Phúc", None).await;
    let p = province["id"].as_str().unwrap().to_owned();
    let (status, _) = set_parent(&app, &admin, &district.id, json!(p)).await;
    assert_eq!(status, StatusCode::OK);
    let supervisor = member(&app, &admin, &p, "thuongtruc", &["supervisor"]).await;
    // A chair of the province who is not a supervisor sees nothing of the district.
    let province_chair = member(&app, &admin, &p, "chutoatinh", &["chair", "delegate"]).await;
    // A supervisor and chair at once writes nothing in the district either.
    let both = member(&app, &admin, &p, "phochutich", &["chair", "supervisor"]).await;
    let unrelated = app.council(10, 1).await;
    let (_, me) = app.get("/me", &supervisor).await;
    assert_eq!(me["roles"], json!(["supervisor"]));
    assert_eq!(me["council_id"], p);

    let vote = app.vote(&district, "rating", 2, None).await;
    let id = vote["id"].as_str().unwrap().to_owned();
    let elsewhere = app.vote(&unrelated, "rating", 1, None).await;
    let elsewhere = elsewhere["id"].as_str().unwrap().to_owned();

    // In draft: the vote reads, the tally does not exist, the list shows the draft.
    let (status, read) = app.get(&format!("/votes/{id}"), &supervisor).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["state"], "draft");
    assert_problem(
        app.get(&format!("/votes/{id}/tally"), &supervisor).await,
        409,
        "tally-not-published",
    );
    let (status, children) = app
        .get(&format!("/councils/{p}/children"), &supervisor)
        .await;
    assert_eq!(status, StatusCode::OK, "{children}");
    assert_eq!(children.as_array().unwrap().len(), 1);
    assert_eq!(children[0]["name"], "HĐND tỉnh Thử nghiệm");
    let draft = &progress(&children, &district.id)[&id];
    assert_eq!(draft["state"], "draft");
    assert_eq!(draft["eligible"], Value::Null);
    assert_eq!(draft["tally_published"], false);
    let (status, list) = app
        .get(&format!("/councils/{}/votes", district.id), &supervisor)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let (status, council) = app
        .get(&format!("/councils/{}", district.id), &supervisor)
        .await;
    assert_eq!(status, StatusCode::OK, "{council}");
    assert_eq!(council["parent_id"], p);

    // Open, two of three cast: turnout only; no count anywhere.
    let (status, _) = app
        .post_empty(&format!("/votes/{id}/open"), &district.chair)
        .await;
    assert_eq!(status, StatusCode::OK);
    let ids = subject_ids(&vote);
    for token in &district.delegates[..2] {
        let (status, body) = app
            .post(
                &format!("/votes/{id}/ballot"),
                token,
                json!({"marks": {ids[0].clone(): "low", ids[1].clone(): "high"}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (_, children) = app
        .get(&format!("/councils/{p}/children"), &supervisor)
        .await;
    let open = &progress(&children, &district.id)[&id];
    assert_eq!(open["state"], "open");
    assert_eq!(open["eligible"], 3);
    assert_eq!(open["ballots_cast"], 2);
    assert_eq!(open["tally_published"], false);
    for text in ["low", "high", "counts", "percents"] {
        assert!(!children.to_string().contains(text), "{text} in {children}");
    }
    let (_, read) = app.get(&format!("/votes/{id}"), &supervisor).await;
    assert_eq!(
        (read["eligible"].clone(), read["ballots_cast"].clone()),
        (json!(3), json!(2))
    );
    assert_problem(
        app.get(&format!("/votes/{id}/tally"), &supervisor).await,
        409,
        "tally-not-published",
    );

    // Every write, and every read that is not theirs, answers 403 and changes nothing.
    let d = &district.id;
    let writes: Vec<(Method, String, Option<Value>)> = vec![
        (Method::POST, format!("/votes/{id}/close"), None),
        (Method::POST, format!("/votes/{id}/open"), None),
        (Method::POST, format!("/votes/{id}/publish"), None),
        (Method::POST, format!("/votes/{id}/follow-up"), None),
        (
            Method::PUT,
            format!("/votes/{id}/subjects"),
            Some(json!({"subjects": [{"full_name": "A", "positions": ["B"]}]})),
        ),
        (
            Method::POST,
            format!("/votes/{id}/ballot"),
            Some(json!({"marks": {}})),
        ),
        (Method::GET, format!("/votes/{id}/ballot"), None),
        (Method::GET, format!("/votes/{id}/record"), None),
        (Method::GET, format!("/votes/{id}/resolution"), None),
        (
            Method::POST,
            format!("/councils/{d}/votes"),
            Some(json!({"title": "T", "kind": "rating",
                        "subjects": [{"full_name": "A", "positions": ["B"]}]})),
        ),
        (Method::GET, format!("/councils/{d}/members"), None),
        (Method::GET, format!("/councils/{d}/children"), None),
        (
            Method::POST,
            format!("/councils/{d}/members"),
            Some(
                json!({"username": "x", "full_name": "X", "password": PASSWORD,
                        "roles": ["delegate"]}),
            ),
        ),
    ];
    for token in [&supervisor, &both] {
        for (method, path, body) in &writes {
            let got = app
                .call(method.clone(), path, Some(token), body.clone())
                .await;
            let problem = assert_problem(got, 403, "forbidden");
            let detail = problem["detail"].as_str().unwrap();
            assert!(
                detail.contains("change nothing") || detail.contains("Only admin"),
                "{path}: {detail}"
            );
        }
        assert_problem(
            set_parent(&app, token, d, json!(null)).await,
            403,
            "forbidden",
        );
    }
    let (_, after) = app.get(&format!("/votes/{id}"), &district.chair).await;
    assert_eq!(after["state"], "open");
    assert_eq!(after["ballots_cast"], 2);
    assert_eq!(after["subjects"], vote["subjects"]);
    let (_, list_after) = app
        .get(&format!("/councils/{d}/votes"), &district.chair)
        .await;
    assert_eq!(list_after.as_array().unwrap().len(), 1);

    // Others: the province's chair, a district member, an unrelated council.
    assert_problem(
        app.get(&format!("/votes/{id}"), &province_chair).await,
        404,
        "not-found",
    );
    assert_problem(
        app.get(&format!("/councils/{p}/children"), &province_chair)
            .await,
        403,
        "forbidden",
    );
    assert_problem(
        app.get(&format!("/councils/{p}/children"), &district.chair)
            .await,
        404,
        "not-found",
    );
    assert_problem(
        app.get(&format!("/votes/{elsewhere}"), &supervisor).await,
        404,
        "not-found",
    );
    assert_problem(
        app.get(&format!("/councils/{}/children", unrelated.id), &supervisor)
            .await,
        404,
        "not-found",
    );
    assert_problem(
        app.call(Method::GET, &format!("/councils/{p}/children"), None, None)
            .await,
        401,
        "unauthenticated",
    );

    // Closed: the published tally reads exactly as the district's own members read it.
    let (status, _) = app
        .post_empty(&format!("/votes/{id}/close"), &district.chair)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, tally) = app.get(&format!("/votes/{id}/tally"), &supervisor).await;
    assert_eq!(status, StatusCode::OK, "{tally}");
    let (_, own) = app
        .get(&format!("/votes/{id}/tally"), &district.auditor)
        .await;
    assert_eq!(tally, own);
    assert_eq!(tally["results"][0]["counts"]["low"], 2);
    let (_, children) = app.get(&format!("/councils/{p}/children"), &admin).await;
    let closed = &progress(&children, &district.id)[&id];
    assert_eq!(closed["tally_published"], true);
    assert_eq!(closed["public"], false);
    assert_problem(
        app.get(&format!("/votes/{id}/record"), &supervisor).await,
        403,
        "forbidden",
    );

    // A grandchild is not the province's to read; nor is a council no longer below it.
    let commune = new_council(&app, &admin, "HĐND xã", Some(d)).await;
    let (_, children) = app
        .get(&format!("/councils/{p}/children"), &supervisor)
        .await;
    assert_eq!(children.as_array().unwrap().len(), 1, "{children}");
    assert_problem(
        app.get(
            &format!("/councils/{}", commune["id"].as_str().unwrap()),
            &supervisor,
        )
        .await,
        404,
        "not-found",
    );
    let (status, _) = set_parent(&app, &admin, d, json!(null)).await;
    assert_eq!(status, StatusCode::OK);
    assert_problem(
        app.get(&format!("/votes/{id}"), &supervisor).await,
        404,
        "not-found",
    );
    assert_problem(
        app.get(&format!("/votes/{id}/tally"), &supervisor).await,
        404,
        "not-found",
    );
    let (_, children) = app
        .get(&format!("/councils/{p}/children"), &supervisor)
        .await;
    assert_eq!(children, json!([]));
}

#[tokio::test]
async fn supervisor_is_a_council_role_like_the_others() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 1).await;
    let (status, body) = app
        .import(
            &council.admin,
            &council.id,
            &[(
                "giamsat".into(),
                "Giám sát".into(),
                "supervisor;auditor".into(),
            )],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = app.member_id(&council, "giamsat").await;
    let (_, list) = app
        .get(&format!("/councils/{}/members", council.id), &council.admin)
        .await;
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["username"] == "giamsat")
        .unwrap()
        .clone();
    assert_eq!(listed["roles"], json!(["auditor", "supervisor"]));
    let (status, member) = app
        .call(
            Method::PUT,
            &format!("/councils/{}/members/{id}/roles", council.id),
            Some(&council.admin),
            Some(json!({"roles": ["supervisor"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{member}");
    assert_eq!(member["roles"], json!(["supervisor"]));
    let got = app
        .call(
            Method::PUT,
            &format!("/councils/{}/members/{id}/roles", council.id),
            Some(&council.admin),
            Some(json!({"roles": ["overseer"]})),
        )
        .await;
    let problem = assert_problem(got, 422, "validation-failed");
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("delegate, chair, auditor or supervisor"));
}
