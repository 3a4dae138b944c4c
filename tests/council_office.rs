//! The council's office around the vote, over real HTTP: a draft's subject list replaced from
//! JSON or CSV, the follow-up confidence vote, and public results.

use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;
use tinnhiem::committee_tool::{self, Outcome, Session};

fn people(names: &[&str]) -> Value {
    json!(names
        .iter()
        .map(|n| json!({"full_name": n, "positions": [format!("Chức vụ của {n}")]}))
        .collect::<Vec<_>>())
}

fn names(vote: &Value) -> Vec<String> {
    vote["subjects"]
        .as_array()
        .expect("subjects")
        .iter()
        .map(|s| s["full_name"].as_str().unwrap().to_owned())
        .collect()
}

async fn put_subjects(
    app: &Api,
    vote_id: &str,
    token: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    app.call(
        Method::PUT,
        &format!("/votes/{vote_id}/subjects"),
        token,
        Some(body),
    )
    .await
}

/// Posts `csv` to the vote's subject import; the status and the body.
async fn import_subjects(
    app: &Api,
    vote_id: &str,
    token: Option<&str>,
    content_type: &str,
    csv: &str,
) -> (StatusCode, Value) {
    let mut req = app
        .client
        .post(app.url(&format!("/votes/{vote_id}/subjects/import")))
        .header("content-type", content_type)
        .body(csv.to_owned());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("import sent");
    let status = resp.status();
    if !status.is_success() {
        assert_eq!(resp.headers()["content-type"], "application/problem+json");
    }
    let body: Value = resp.json().await.expect("JSON body");
    if !status.is_success() {
        assert_problem_shape(status, &body);
    }
    (status, body)
}

/// Each delegate casts one ballot: `choices[i][j]` for subject j ("" leaves it blank).
async fn cast_all(app: &Api, council: &Council, vote: &Value, choices: &[Vec<&str>]) {
    let ids = subject_ids(vote);
    let vote_id = vote["id"].as_str().unwrap();
    for (token, row) in council.delegates.iter().zip(choices) {
        let marks: BTreeMap<&str, &str> = ids
            .iter()
            .zip(row)
            .filter(|(_, c)| !c.is_empty())
            .map(|(s, c)| (s.as_str(), *c))
            .collect();
        let (status, body) = app
            .post(
                &format!("/votes/{vote_id}/ballot"),
                token,
                json!({ "marks": marks }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
}

async fn open(app: &Api, council: &Council, vote_id: &str) -> Value {
    let (status, vote) = app
        .post_empty(&format!("/votes/{vote_id}/open"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK, "{vote}");
    vote
}

async fn close(app: &Api, council: &Council, vote_id: &str) -> Value {
    let (status, vote) = app
        .post_empty(&format!("/votes/{vote_id}/close"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK, "{vote}");
    vote
}

/// A closed vote of the council: opened, every ballot in `choices` cast, closed.
async fn closed_vote(
    app: &Api,
    council: &Council,
    kind: &str,
    subjects: &[&str],
    base: &str,
    choices: &[Vec<&str>],
) -> Value {
    let (status, vote) = app
        .post(
            &format!("/councils/{}/votes", council.id),
            &council.chair,
            json!({"title": "Lấy phiếu tín nhiệm 2026", "kind": kind,
                   "percent_base": base, "subjects": people(subjects)}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{vote}");
    let id = vote["id"].as_str().unwrap();
    let opened = open(app, council, id).await;
    cast_all(app, council, &opened, choices).await;
    close(app, council, id).await
}

#[tokio::test]
async fn a_chair_replaces_a_drafts_subjects_and_the_vote_runs_with_the_new_list() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 3).await;
    let vote = app.vote(&council, "rating", 2, None).await;
    let id = vote["id"].as_str().unwrap();

    let body = json!({"subjects": [
        {"full_name": "Trần Phú Hùng", "positions": ["Phó Chủ tịch HĐND tỉnh"]},
        {"full_name": "Ạ Nguyễn", "positions": [" Phó Chủ tịch UBND tỉnh ", "Ủy viên UBND tỉnh"]},
        {"full_name": "Bùi Văn A", "positions": ["Giám đốc Sở Tài chính"]},
    ]});
    let (status, edited) = put_subjects(&app, id, Some(&council.chair), body).await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(names(&edited), ["Trần Phú Hùng", "Ạ Nguyễn", "Bùi Văn A"]);
    assert_eq!(
        edited["subjects"][1]["positions"],
        json!(["Phó Chủ tịch UBND tỉnh", "Ủy viên UBND tỉnh"]),
        "trimmed as at creation"
    );
    let orders: Vec<i64> = edited["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["order"].as_i64().unwrap())
        .collect();
    assert_eq!(orders, [1, 2, 3]);
    assert_eq!(edited["state"], "draft");
    let (_, got) = app
        .get(&format!("/votes/{id}"), &council.delegates[1])
        .await;
    assert_eq!(got, edited);

    // The admin may too; the last list is the one the ballot carries.
    let (status, edited) = put_subjects(
        &app,
        id,
        Some(&council.admin),
        json!({"subjects": people(&["Lê Văn Một", "Phạm Thị Hai"])}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    let opened = open(&app, &council, id).await;
    let (status, ballot) = app
        .get(&format!("/votes/{id}/ballot"), &council.delegates[1])
        .await;
    assert_eq!(status, StatusCode::OK, "{ballot}");
    assert_eq!(names(&ballot), ["Lê Văn Một", "Phạm Thị Hai"]);
    assert_eq!(subject_ids(&ballot), subject_ids(&edited));

    // Open, the list is fixed.
    let (status, refused) = put_subjects(
        &app,
        id,
        Some(&council.chair),
        json!({"subjects": people(&["Someone Else"])}),
    )
    .await;
    let refused = assert_problem((status, refused), 409, "invalid-state");
    assert!(
        refused["detail"].as_str().unwrap().contains("draft"),
        "{refused}"
    );
    cast_all(
        &app,
        &council,
        &opened,
        &[vec!["high", "low"], vec!["medium", ""]],
    )
    .await;
    close(&app, &council, id).await;
    assert_problem(
        put_subjects(
            &app,
            id,
            Some(&council.chair),
            json!({"subjects": people(&["X"])}),
        )
        .await,
        409,
        "invalid-state",
    );

    // The tally and the signed record, checked on every download, carry the edited list.
    let (status, tally) = app.get(&format!("/votes/{id}/tally"), &council.chair).await;
    assert_eq!(status, StatusCode::OK, "{tally}");
    let tallied: Vec<&str> = tally["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["full_name"].as_str().unwrap())
        .collect();
    assert_eq!(tallied, ["Lê Văn Một", "Phạm Thị Hai"]);
    let (status, record) = app
        .get(&format!("/votes/{id}/record"), &council.auditor)
        .await;
    assert_eq!(status, StatusCode::OK, "{record}");
    let events = record["record"]["events"].as_array().unwrap();
    assert_eq!(events[0]["event"], "created");
    assert_eq!(events[0]["counts"], json!({"subjects": 2}));
    let (_, final_vote) = app.get(&format!("/votes/{id}"), &council.chair).await;
    assert_eq!(names(&final_vote), ["Lê Văn Một", "Phạm Thị Hai"]);
}

#[tokio::test]
async fn a_refused_subject_list_changes_nothing_and_says_what_creation_says() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 2).await;
    let vote = app.vote(&council, "rating", 2, None).await;
    let id = vote["id"].as_str().unwrap();
    let create_path = format!("/councils/{}/votes", council.id);

    let too_many: Vec<Value> = (0..501)
        .map(|i| json!({"full_name": format!("P{i}"), "positions": ["x"]}))
        .collect();
    for bad in [
        json!([]),
        json!([{"full_name": "", "positions": ["x"]}]),
        json!([{"full_name": "A", "positions": []}]),
        json!([{"full_name": "A", "positions": ["ok"]}, {"full_name": "B", "positions": [" "]}]),
        json!([{"full_name": "A", "positions": ["x".repeat(301)]}]),
        json!(too_many),
    ] {
        let edit = assert_problem(
            put_subjects(&app, id, Some(&council.chair), json!({ "subjects": bad })).await,
            422,
            "validation-failed",
        );
        let create = assert_problem(
            app.post(
                &create_path,
                &council.chair,
                json!({"title": "T", "kind": "rating", "subjects": bad}),
            )
            .await,
            422,
            "validation-failed",
        );
        assert_eq!(
            edit["detail"], create["detail"],
            "the same words as creation"
        );
    }
    assert_problem(
        put_subjects(
            &app,
            id,
            Some(&council.chair),
            json!({"subjects": [{"full_name": "A", "positions": ["x"], "age": 50}]}),
        )
        .await,
        400,
        "malformed-request",
    );
    let good = json!({"subjects": people(&["Người Mới"])});
    assert_problem(
        put_subjects(&app, id, None, good.clone()).await,
        401,
        "unauthenticated",
    );
    for token in [&council.delegates[1], &council.auditor] {
        assert_problem(
            put_subjects(&app, id, Some(token), good.clone()).await,
            403,
            "forbidden",
        );
    }
    let other = app.council(5, 1).await;
    assert_problem(
        put_subjects(&app, id, Some(&other.chair), good.clone()).await,
        404,
        "not-found",
    );
    let (_, after) = app.get(&format!("/votes/{id}"), &council.chair).await;
    assert_eq!(after, vote, "nothing changed after any refusal");
}

/// The request example in the OpenAPI document, which clients copy and the fuzzer sends, is
/// an import that succeeds.
#[tokio::test]
async fn the_documented_subject_import_example_is_accepted() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 2).await;
    let vote = app.vote(&council, "rating", 2, None).await;
    let id = vote["id"].as_str().unwrap();
    let (_, doc) = app.call(Method::GET, "/openapi.json", None, None).await;
    let example = doc["paths"]["/api/v1/votes/{vote_id}/subjects/import"]["post"]["requestBody"]
        ["content"]["text/csv"]["example"]
        .as_str()
        .expect("a text/csv example")
        .to_owned();
    let (status, imported) =
        import_subjects(&app, id, Some(&council.chair), "text/csv", &example).await;
    assert_eq!(status, StatusCode::OK, "{imported}");
    assert_eq!(names(&imported), ["Nguyễn Văn An", "Bùi Thị Lan"]);
}

/// The same for the JSON body that replaces a draft's lists: the example in the document, the
/// schema's, is a list the server takes, people not rated included.
#[tokio::test]
async fn the_documented_subject_list_example_is_accepted() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 2).await;
    let vote = app.vote(&council, "rating", 2, None).await;
    let id = vote["id"].as_str().unwrap();
    let (_, doc) = app.call(Method::GET, "/openapi.json", None, None).await;
    let example = doc["components"]["schemas"]["SetSubjects"]["example"].clone();
    assert!(example.is_object(), "a SetSubjects example: {example}");
    let (status, replaced) = put_subjects(&app, id, Some(&council.chair), example).await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(names(&replaced), ["Nguyễn Văn An", "Bùi Thị Lan"]);
    assert_eq!(replaced["exempt"][0]["full_name"], "Trần Văn Hưu");
}

#[tokio::test]
async fn subjects_are_imported_from_csv_every_line_or_none() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 2).await;
    let vote = app.vote(&council, "rating", 2, None).await;
    let id = vote["id"].as_str().unwrap();

    let csv = "full_name,positions\n\
               Trần Phú Hùng,Phó Chủ tịch HĐND tỉnh\n\
               \"Nguyễn Văn A, con\",Phó Chủ tịch UBND tỉnh; Ủy viên UBND tỉnh;\n\
               Bùi Văn B,Giám đốc Sở Tài chính\n";
    let (status, imported) = import_subjects(&app, id, Some(&council.chair), "text/csv", csv).await;
    assert_eq!(status, StatusCode::OK, "{imported}");
    assert_eq!(
        names(&imported),
        ["Trần Phú Hùng", "Nguyễn Văn A, con", "Bùi Văn B"]
    );
    assert_eq!(
        imported["subjects"][1]["positions"],
        json!(["Phó Chủ tịch UBND tỉnh", "Ủy viên UBND tỉnh"])
    );
    let (_, got) = app.get(&format!("/votes/{id}"), &council.chair).await;
    assert_eq!(got, imported);

    // Bad lines 3 and 5: nothing is imported, and each is named.
    let bad = "full_name,positions\n\
               Lê Văn Một,Chủ tịch UBND\n\
               ,Phó Chủ tịch UBND\n\
               Phạm Thị Hai,Ủy viên\n\
               Hoàng Văn Ba,\n";
    let problem = assert_problem(
        import_subjects(
            &app,
            id,
            Some(&council.admin),
            "text/csv; charset=utf-8",
            bad,
        )
        .await,
        422,
        "validation-failed",
    );
    let lines: Vec<u64> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 5], "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("line 3") && detail.contains("line 5"),
        "{detail}"
    );
    assert!(
        detail.contains("Hoàng Văn Ba"),
        "names the person: {detail}"
    );
    // A ragged row is named too.
    let ragged = "full_name,positions\nA,B\nC,D,E\n";
    let problem = assert_problem(
        import_subjects(&app, id, Some(&council.chair), "text/csv", ragged).await,
        422,
        "validation-failed",
    );
    assert_eq!(problem["errors"][0]["line"], 3, "{problem}");
    assert_problem(
        import_subjects(
            &app,
            id,
            Some(&council.chair),
            "text/csv",
            "full_name,positions\n",
        )
        .await,
        422,
        "validation-failed",
    );
    // More people than a ballot holds: refused as at creation.
    let mut long = String::from("full_name,positions\n");
    for i in 0..501 {
        long.push_str(&format!("Người {i},Ủy viên\n"));
    }
    let problem = assert_problem(
        import_subjects(&app, id, Some(&council.chair), "text/csv", &long).await,
        422,
        "validation-failed",
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("between 1 and 500"),
        "{problem}"
    );
    assert_problem(
        import_subjects(
            &app,
            id,
            Some(&council.chair),
            "text/csv",
            "name,roles\nA,B\n",
        )
        .await,
        400,
        "malformed-request",
    );
    assert_problem(
        import_subjects(&app, id, Some(&council.chair), "application/json", csv).await,
        400,
        "malformed-request",
    );
    assert_problem(
        import_subjects(&app, id, None, "text/csv", csv).await,
        401,
        "unauthenticated",
    );
    assert_problem(
        import_subjects(&app, id, Some(&council.delegates[1]), "text/csv", csv).await,
        403,
        "forbidden",
    );
    let other = app.council(5, 1).await;
    assert_problem(
        import_subjects(&app, id, Some(&other.chair), "text/csv", csv).await,
        404,
        "not-found",
    );
    let (_, after) = app.get(&format!("/votes/{id}"), &council.chair).await;
    assert_eq!(after, imported, "nothing changed after any refusal");

    open(&app, &council, id).await;
    assert_problem(
        import_subjects(&app, id, Some(&council.chair), "text/csv", csv).await,
        409,
        "invalid-state",
    );
    let (_, after) = app.get(&format!("/votes/{id}"), &council.chair).await;
    assert_eq!(names(&after), names(&imported));
}

/// Seven ballots (base 7 seats, all cast): 4 low is may_resign (2·4 > 7), 5 low is
/// dismissal_required (3·5 ≥ 2·7), 3 low is none.
fn seven_ballots() -> Vec<Vec<&'static str>> {
    let rows = [
        ["low", "high", "low", "low"],
        ["low", "high", "low", "low"],
        ["low", "medium", "low", "low"],
        ["low", "high", "low", "high"],
        ["high", "high", "low", "high"],
        ["medium", "high", "high", ""],
        ["high", "", "medium", "medium"],
    ];
    rows.iter().map(|r| r.to_vec()).collect()
}

#[tokio::test]
async fn the_follow_up_vote_lists_exactly_the_people_who_qualify_in_ballot_order() {
    let app = TestApp::spawn().await;
    let council = app.council(7, 7).await;
    let subjects = ["Người Một", "Người Hai", "Người Ba", "Người Bốn"];
    let rating = closed_vote(
        &app,
        &council,
        "rating",
        &subjects,
        "seats",
        &seven_ballots(),
    )
    .await;
    let rating_id = rating["id"].as_str().unwrap();
    let (_, tally) = app
        .get(&format!("/votes/{rating_id}/tally"), &council.chair)
        .await;
    let outcomes: Vec<&str> = tally["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        ["may_resign", "none", "dismissal_required", "none"]
    );

    let path = format!("/votes/{rating_id}/follow-up");
    let (status, follow_up) = app.post_empty(&path, &council.chair).await;
    assert_eq!(status, StatusCode::CREATED, "{follow_up}");
    assert_eq!(
        names(&follow_up),
        ["Người Một", "Người Ba"],
        "ballot order kept"
    );
    assert_eq!(
        follow_up["subjects"][1]["positions"],
        json!(["Chức vụ của Người Ba"])
    );
    assert_eq!(follow_up["kind"], "confidence");
    assert_eq!(follow_up["state"], "draft");
    assert_eq!(follow_up["percent_base"], "seats");
    assert_eq!(follow_up["secrecy"], "server");
    assert_eq!(follow_up["title"], "Bỏ phiếu tín nhiệm 2026");
    assert_eq!(follow_up["follow_up_of"], rating_id);
    assert_eq!(follow_up["follow_up"], Value::Null);
    let follow_up_id = follow_up["id"].as_str().unwrap();
    let (_, rating_now) = app
        .get(&format!("/votes/{rating_id}"), &council.delegates[2])
        .await;
    assert_eq!(rating_now["follow_up"], follow_up_id);
    assert_eq!(rating_now["follow_up_of"], Value::Null);

    // One follow-up per vote, whoever asks.
    let again = assert_problem(
        app.post_empty(&path, &council.admin).await,
        409,
        "invalid-state",
    );
    assert!(
        again["detail"].as_str().unwrap().contains("already"),
        "{again}"
    );

    // Someone resigned: the chair removes them in draft; the vote then runs as any other.
    let (status, edited) = put_subjects(
        &app,
        follow_up_id,
        Some(&council.chair),
        json!({"subjects": [follow_up["subjects"][1].as_object().map(|s| json!({
            "full_name": s["full_name"], "positions": s["positions"]})).unwrap()]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(names(&edited), ["Người Ba"]);
    let opened = open(&app, &council, follow_up_id).await;
    let (_, ballot) = app
        .get(
            &format!("/votes/{follow_up_id}/ballot"),
            &council.delegates[3],
        )
        .await;
    assert_eq!(ballot["choices"], json!(["confidence", "no_confidence"]));
    let ballots: Vec<Vec<&str>> = (0..7)
        .map(|i| vec![if i < 4 { "no_confidence" } else { "confidence" }])
        .collect();
    cast_all(&app, &council, &opened, &ballots).await;
    close(&app, &council, follow_up_id).await;
    let (_, tally) = app
        .get(&format!("/votes/{follow_up_id}/tally"), &council.chair)
        .await;
    assert_eq!(tally["results"][0]["outcome"], "dismissal_proposed");
    // A confidence vote has no follow-up of its own.
    assert_problem(
        app.post_empty(&format!("/votes/{follow_up_id}/follow-up"), &council.chair)
            .await,
        409,
        "invalid-state",
    );
}

#[tokio::test]
async fn a_follow_up_is_refused_before_the_close_for_others_and_when_nobody_qualifies() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 2).await;
    let votes_path = format!("/councils/{}/votes", council.id);
    let follow = |id: &str| format!("/votes/{id}/follow-up");

    let draft = app.vote(&council, "rating", 2, None).await;
    let draft_id = draft["id"].as_str().unwrap();
    let problem = assert_problem(
        app.post_empty(&follow(draft_id), &council.chair).await,
        409,
        "invalid-state",
    );
    assert!(
        problem["detail"].as_str().unwrap().contains("draft"),
        "{problem}"
    );
    open(&app, &council, draft_id).await;
    let problem = assert_problem(
        app.post_empty(&follow(draft_id), &council.chair).await,
        409,
        "invalid-state",
    );
    assert!(
        problem["detail"].as_str().unwrap().contains("open"),
        "{problem}"
    );
    cast_all(
        &app,
        &council,
        &draft,
        &[vec!["low", "high"], vec!["high", "high"]],
    )
    .await;
    close(&app, &council, draft_id).await;
    // One low of two is not more than half: nobody qualifies.
    let problem = assert_problem(
        app.post_empty(&follow(draft_id), &council.chair).await,
        422,
        "validation-failed",
    );
    assert!(
        problem["detail"].as_str().unwrap().contains("may_resign"),
        "{problem}"
    );

    let confidence = closed_vote(
        &app,
        &council,
        "confidence",
        &["A"],
        "ballots",
        &[vec!["no_confidence"], vec!["no_confidence"]],
    )
    .await;
    let problem = assert_problem(
        app.post_empty(&follow(confidence["id"].as_str().unwrap()), &council.chair)
            .await,
        409,
        "invalid-state",
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("confidence vote"),
        "{problem}"
    );

    let qualifying = closed_vote(
        &app,
        &council,
        "rating",
        &["A"],
        "ballots",
        &[vec!["low"], vec!["low"]],
    )
    .await;
    let qualifying_id = qualifying["id"].as_str().unwrap();
    assert_problem(
        app.call(Method::POST, &follow(qualifying_id), None, None)
            .await,
        401,
        "unauthenticated",
    );
    for token in [&council.delegates[1], &council.auditor] {
        assert_problem(
            app.post_empty(&follow(qualifying_id), token).await,
            403,
            "forbidden",
        );
    }
    let other = app.council(5, 1).await;
    assert_problem(
        app.post_empty(&follow(qualifying_id), &other.chair).await,
        404,
        "not-found",
    );
    let (_, list) = app.get(&votes_path, &council.chair).await;
    assert_eq!(
        list.as_array().unwrap().len(),
        3,
        "no vote was created: {list}"
    );
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["follow_up"].is_null()));

    // The admin may create it.
    let (status, follow_up) = app.post_empty(&follow(qualifying_id), &council.admin).await;
    assert_eq!(status, StatusCode::CREATED, "{follow_up}");
    assert_eq!(follow_up["percent_base"], "ballots");
}

async fn public_results(app: &Api, council_id: &str) -> (StatusCode, Value) {
    app.call(
        Method::GET,
        &format!("/public/councils/{council_id}/results"),
        None,
        None,
    )
    .await
}

#[tokio::test]
async fn only_tallies_the_chair_made_public_are_visible_without_sign_in() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 2).await;
    let choices = [vec!["high", "low"], vec!["medium", ""]];
    let first = closed_vote(&app, &council, "rating", &["A", "B"], "ballots", &choices).await;
    let second = closed_vote(&app, &council, "rating", &["C", "D"], "seats", &choices).await;
    let closed_only = closed_vote(&app, &council, "rating", &["E"], "ballots", &choices).await;
    let open_vote = app.vote(&council, "rating", 1, None).await;
    open(&app, &council, open_vote["id"].as_str().unwrap()).await;
    let draft = app.vote(&council, "rating", 1, None).await;
    let publish = |v: &Value| format!("/votes/{}/publish", v["id"].as_str().unwrap());

    let (status, list) = public_results(&app, &council.id).await;
    assert_eq!(
        (status, &list),
        (StatusCode::OK, &json!([])),
        "nothing before publication"
    );
    assert_eq!(first["public"], false);
    assert_eq!(first["public_at"], Value::Null);

    // Refusals.
    for vote in [&draft, &open_vote] {
        let problem = assert_problem(
            app.post_empty(&publish(vote), &council.chair).await,
            409,
            "invalid-state",
        );
        assert!(
            problem["detail"].as_str().unwrap().contains("closed"),
            "{problem}"
        );
    }
    assert_problem(
        app.call(Method::POST, &publish(&first), None, None).await,
        401,
        "unauthenticated",
    );
    for token in [&council.delegates[1], &council.auditor] {
        assert_problem(
            app.post_empty(&publish(&first), token).await,
            403,
            "forbidden",
        );
    }
    let other = app.council(5, 1).await;
    assert_problem(
        app.post_empty(&publish(&first), &other.chair).await,
        404,
        "not-found",
    );
    let (status, list) = public_results(&app, &council.id).await;
    assert_eq!(
        (status, &list),
        (StatusCode::OK, &json!([])),
        "nothing after refusals"
    );

    // The chair publishes one, the admin another; asking again changes nothing.
    let (status, published) = app.post_empty(&publish(&first), &council.chair).await;
    assert_eq!(status, StatusCode::OK, "{published}");
    assert_eq!(published["public"], true);
    let public_at = published["public_at"].as_str().unwrap().to_owned();
    assert!(public_at.ends_with('Z'), "{public_at}");
    tokio::time::sleep(Duration::from_millis(5)).await;
    let (status, again) = app.post_empty(&publish(&first), &council.chair).await;
    assert_eq!((status, &again), (StatusCode::OK, &published));
    let (status, _) = app.post_empty(&publish(&second), &council.admin).await;
    assert_eq!(status, StatusCode::OK);

    // Newest first, each the tally members read, with the council's name.
    let (status, list) = public_results(&app, &council.id).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 2, "{list:?}");
    for (public, vote) in list.iter().zip([&second, &first]) {
        let id = vote["id"].as_str().unwrap();
        let (_, mut tally) = app
            .get(&format!("/votes/{id}/tally"), &council.delegates[1])
            .await;
        tally["council_name"] = json!("HĐND tỉnh Thử nghiệm");
        assert_eq!(public, &tally);
    }
    let shown: Vec<&str> = list
        .iter()
        .map(|t| t["vote_id"].as_str().unwrap())
        .collect();
    assert!(!shown.contains(&closed_only["id"].as_str().unwrap()));
    // Signed in or not, the same; another council's list is its own; an unknown one is 404.
    let (_, signed) = app
        .get(
            &format!("/public/councils/{}/results", council.id),
            &other.chair,
        )
        .await;
    assert_eq!(signed, json!(list));
    let (status, others) = public_results(&app, &other.id).await;
    assert_eq!((status, others), (StatusCode::OK, json!([])));
    assert_problem(
        public_results(&app, &uuid::Uuid::new_v4().to_string()).await,
        404,
        "not-found",
    );
    // Still nothing else is readable without sign-in.
    let id = first["id"].as_str().unwrap();
    for path in [format!("/votes/{id}"), format!("/votes/{id}/tally")] {
        assert_problem(
            app.call(Method::GET, &path, None, None).await,
            401,
            "unauthenticated",
        );
    }
}

// A committee vote: its draft list is edited like any other, its tally waits for the
// committee, and its follow-up uses the same committee (one key ceremony, several votes).

const PASSPHRASE: &str = "a passphrase for the share file";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_committee_votes_follow_up_and_publication_wait_for_the_decryption() {
    let app = TestApp::spawn().await;
    let council = app.council(20, 5).await;
    let prefix = council.id[..8].to_owned();
    let rows: Vec<(String, String, String)> = (1..=3)
        .map(|i| {
            (
                format!("k{i}-{prefix}"),
                format!("Kiểm phiếu {i}"),
                "auditor".to_owned(),
            )
        })
        .collect();
    let (status, body) = app.import(&council.admin, &council.id, &rows).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut members = Vec::new();
    for (username, _, _) in &rows {
        members.push(app.member_id(&council, username).await);
    }
    let (status, vote) = app
        .post(
            &format!("/councils/{}/votes", council.id),
            &council.chair,
            json!({"title": "Kỳ họp thứ 20", "kind": "rating", "secrecy": "committee",
                   "committee": {"members": members, "threshold": 2},
                   "subjects": people(&["X"])}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{vote}");
    let vote_id = vote["id"].as_str().unwrap().to_owned();
    let committee_id = vote["committee"]["id"].as_str().unwrap().to_owned();
    let (status, vote) = put_subjects(
        &app,
        &vote_id,
        Some(&council.chair),
        json!({"subjects": people(&["Nguyễn Văn A", "Trần Thị B"])}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{vote}");
    assert_eq!(vote["committee"]["id"], committee_id.as_str());

    let ceremonies = rows.iter().enumerate().map(|(i, (username, _, _))| {
        let (base, username, committee) =
            (app.base.clone(), username.clone(), committee_id.clone());
        let file = app.dir.path().join(format!("share-{}.json", i + 1));
        tokio::task::spawn_blocking(move || {
            let session = Session::sign_in(&base, &username, PASSWORD).unwrap();
            committee_tool::ceremony(
                &session,
                &committee,
                &file,
                PASSPHRASE,
                Duration::from_millis(50),
                |_| {},
            )
        })
    });
    for outcome in futures::future::join_all(ceremonies).await {
        assert!(matches!(outcome.unwrap(), Ok(Outcome::Ready { .. })));
    }
    open(&app, &council, &vote_id).await;
    for (i, choices) in [
        ["low", "high"],
        ["low", ""],
        ["low", "medium"],
        ["high", "high"],
    ]
    .iter()
    .enumerate()
    {
        let path = format!("/votes/{vote_id}/ballot");
        let (_, ballot) = app.get(&path, &council.delegates[i]).await;
        assert_eq!(names(&ballot), ["Nguyễn Văn A", "Trần Thị B"]);
        let marks: BTreeMap<String, String> = subject_ids(&ballot)
            .into_iter()
            .zip(choices)
            .filter(|(_, c)| !c.is_empty())
            .map(|(s, c)| (s, (*c).to_owned()))
            .collect();
        let sealed = tinnhiem::voter_tool::encrypt(&ballot, &marks).unwrap();
        let (status, body) = app
            .post(
                &path,
                &council.delegates[i],
                json!({"encrypted": sealed.cast}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    close(&app, &council, &vote_id).await;

    // Closed, but no tally until the committee decrypts: neither follow-up nor publication.
    for action in ["follow-up", "publish"] {
        let problem = assert_problem(
            app.post_empty(&format!("/votes/{vote_id}/{action}"), &council.chair)
                .await,
            409,
            "invalid-state",
        );
        assert!(
            problem["detail"].as_str().unwrap().contains("decrypt"),
            "{problem}"
        );
    }
    for i in 1..=2 {
        let (base, id) = (app.base.clone(), vote_id.clone());
        let file = app.dir.path().join(format!("share-{i}.json"));
        let username = format!("k{i}-{prefix}");
        tokio::task::spawn_blocking(move || {
            let session = Session::sign_in(&base, &username, PASSWORD).unwrap();
            committee_tool::decrypt(&session, &id, &file, PASSPHRASE, |_| {})
        })
        .await
        .unwrap()
        .unwrap();
    }

    let (status, follow_up) = app
        .post_empty(&format!("/votes/{vote_id}/follow-up"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{follow_up}");
    assert_eq!(
        names(&follow_up),
        ["Nguyễn Văn A"],
        "3 low of 4: dismissal_required"
    );
    assert_eq!(follow_up["secrecy"], "committee");
    assert_eq!(follow_up["committee"]["id"], committee_id.as_str());
    assert_eq!(follow_up["committee"]["state"], "ready");
    assert_eq!(follow_up["title"], "Bỏ phiếu tín nhiệm: Kỳ họp thứ 20");
    // The committee's key exists already: the follow-up opens without a new ceremony.
    open(&app, &council, follow_up["id"].as_str().unwrap()).await;

    let (status, published) = app
        .post_empty(&format!("/votes/{vote_id}/publish"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK, "{published}");
    let (_, list) = public_results(&app, &council.id).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["vote_id"], vote_id.as_str());
    assert_eq!(list[0]["results"][0]["outcome"], "dismissal_required");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_at_the_same_moment_make_one_follow_up_and_edit_a_draft_before_it_opens_or_not_at_all(
) {
    let app = TestApp::spawn().await;
    let council = app.council(7, 7).await;
    let subjects = ["Người Một", "Người Hai", "Người Ba", "Người Bốn"];
    let rating = closed_vote(
        &app,
        &council,
        "rating",
        &subjects,
        "ballots",
        &seven_ballots(),
    )
    .await;
    let path = format!("/votes/{}/follow-up", rating["id"].as_str().unwrap());
    let asks = (0..6).map(|i| {
        let token = if i % 2 == 0 {
            &council.chair
        } else {
            &council.admin
        };
        app.post_empty(&path, token)
    });
    let answers = futures::future::join_all(asks).await;
    let created = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "{answers:?}");
    for answer in answers
        .into_iter()
        .filter(|(s, _)| *s != StatusCode::CREATED)
    {
        assert_problem(answer, 409, "invalid-state");
    }
    let (_, list) = app
        .get(&format!("/councils/{}/votes", council.id), &council.chair)
        .await;
    let follow_ups = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["follow_up_of"] == rating["id"])
        .count();
    assert_eq!(follow_ups, 1, "{list}");

    // An edit racing the opening lands before it or is refused; the ballot, the tally and
    // the signed record all carry the list the vote opened with.
    for round in 0..4 {
        let vote = app.vote(&council, "rating", 2, None).await;
        let id = vote["id"].as_str().unwrap().to_owned();
        let new_list = json!({"subjects": people(&["Mới Một", "Mới Hai", "Mới Ba"])});
        let open_path = format!("/votes/{id}/open");
        let (edit, opened) = tokio::join!(
            put_subjects(&app, &id, Some(&council.chair), new_list),
            app.post_empty(&open_path, &council.chair),
        );
        assert_eq!(opened.0, StatusCode::OK, "{}", opened.1);
        let expected: Vec<String> = match edit.0 {
            StatusCode::OK => vec!["Mới Một".into(), "Mới Hai".into(), "Mới Ba".into()],
            _ => {
                assert_problem(edit, 409, "invalid-state");
                names(&vote)
            }
        };
        let (_, ballot) = app
            .get(&format!("/votes/{id}/ballot"), &council.delegates[1])
            .await;
        assert_eq!(names(&ballot), expected, "round {round}");
        close(&app, &council, &id).await;
        let (status, record) = app
            .get(&format!("/votes/{id}/record"), &council.auditor)
            .await;
        assert_eq!(status, StatusCode::OK, "round {round}: {record}");
        assert_eq!(
            record["record"]["events"][0]["counts"]["subjects"],
            expected.len(),
            "round {round}"
        );
    }
}
