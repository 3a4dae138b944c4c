//! The people a vote does not rate (Art. 2(5)), over real HTTP: listed at creation and in a
//! draft's edit, carried by the Vote, the Tally, the signed record, its CSV and minutes, never
//! by a ballot; the record's check of them; a follow-up vote's record naming the rating vote;
//! and the draft resolution confirming the results.

use crate::common::*;
use crate::records::{cast_and_close, download, run_verify, write};
use crate::verify::{failed, signed};
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tinnhiem::record::key::RecordKey;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn subjects() -> Value {
    json!([
        {"full_name": "Đỗ Trọng Hưng", "positions": ["Chủ tịch HĐND tỉnh"]},
        {"full_name": "Lê Duy Thành", "positions": ["Phó Chủ tịch UBND tỉnh", "Ủy viên UBND tỉnh"]},
    ])
}

fn exempt() -> Value {
    json!([
        {"full_name": "Nguyễn Văn Mới", "positions": ["Phó Chủ tịch UBND tỉnh"],
         "reason": "Được bầu trong năm 2026"},
        {"full_name": "Trần Thị Hưu", "positions": ["Giám đốc Sở Tài chính"],
         "reason": "Đã có thông báo nghỉ hưu"},
    ])
}

async fn create(app: &Api, council: &Council, body: Value) -> (StatusCode, Value) {
    app.post(
        &format!("/councils/{}/votes", council.id),
        &council.chair,
        body,
    )
    .await
}

/// The council's votes, to show a refusal created none.
async fn vote_count(app: &Api, council: &Council) -> usize {
    let (_, list) = app
        .get(&format!("/councils/{}/votes", council.id), &council.chair)
        .await;
    list.as_array().expect("votes").len()
}

/// A server that signs with a known key.
async fn keyed(seed: [u8; 32]) -> TestApp {
    TestApp::spawn_with(|c| {
        c.signing_key = tinnhiem::record::key::SeedText(Some(B64.encode(seed)));
    })
    .await
}

#[tokio::test]
async fn exempt_people_are_in_the_vote_tally_record_csv_and_minutes_and_never_on_a_ballot() {
    let dir = tempfile::tempdir().unwrap();
    let seed = [0x45u8; 32];
    let app = keyed(seed).await;
    let council = app.council(10, 3).await;
    let (status, vote) = create(
        &app,
        &council,
        json!({"title": "Lấy phiếu tín nhiệm 2026", "kind": "rating",
               "subjects": subjects(), "exempt": exempt()}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{vote}");
    assert_eq!(vote["exempt"], exempt());
    let id = vote["id"].as_str().unwrap().to_owned();
    let (_, read) = app.get(&format!("/votes/{id}"), &council.auditor).await;
    assert_eq!(read["exempt"], exempt());

    // Opened: the ballot lists the two subjects only.
    let (status, _) = app
        .post_empty(&format!("/votes/{id}/open"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, ballot) = app
        .get(&format!("/votes/{id}/ballot"), &council.delegates[1])
        .await;
    assert_eq!(status, StatusCode::OK, "{ballot}");
    let text = ballot.to_string();
    assert_eq!(ballot["subjects"].as_array().unwrap().len(), 2);
    assert!(!text.contains("Mới") && !text.contains("Hưu") && !text.contains("exempt"));
    let (status, _) = app
        .post_empty(&format!("/votes/{id}/close"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK);

    // The tally and the record's tally list them, under the signature.
    let (status, tally) = app
        .get(&format!("/votes/{id}/tally"), &council.auditor)
        .await;
    assert_eq!(status, StatusCode::OK, "{tally}");
    assert_eq!(tally["exempt"], exempt());
    assert_eq!(tally["results"].as_array().unwrap().len(), 2);
    let got = download(&app, &id, Some(&council.auditor), "").await;
    assert_eq!(got.status, StatusCode::OK);
    let record = got.json()["record"].clone();
    assert_eq!(record["tally"]["exempt"], exempt());
    assert!(record["vote"].get("follow_up_of").is_none(), "{record}");
    let key = RecordKey::from_seed(&seed);
    let file = write(dir.path(), "exempt.json", &got.body);
    let (code, out) = run_verify(&[&file, "--public-key", &key.public_key()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("[ok  ] exempt: 2 not rated, none of them among the subjects"),
        "{out}"
    );

    // The CSV: a blank line, then one row each, with the reason.
    let csv = download(&app, &id, Some(&council.auditor), "?format=csv")
        .await
        .text();
    assert!(
        csv.ends_with(
            "\r\n\r\nnot_rated,full_name,positions,reason\r\n\
             1,Nguyễn Văn Mới,Phó Chủ tịch UBND tỉnh,Được bầu trong năm 2026\r\n\
             2,Trần Thị Hưu,Giám đốc Sở Tài chính,Đã có thông báo nghỉ hưu\r\n"
        ),
        "{csv}"
    );
    // The minutes: not rated, with the reason, in both languages.
    let vi = download(&app, &id, Some(&council.chair), "?format=html")
        .await
        .text();
    assert!(
        vi.contains("<h2>Người không lấy phiếu tín nhiệm</h2>"),
        "{vi}"
    );
    assert!(
        vi.contains("<td class=\"outcome\">Không lấy phiếu</td><td>Được bầu trong năm 2026</td>")
    );
    let en = download(&app, &id, Some(&council.chair), "?format=html&lang=en")
        .await
        .text();
    assert!(en.contains("<td class=\"outcome\">Not rated</td><td>Đã có thông báo nghỉ hưu</td>"));

    // Tampered, and signed again with a valid key: someone exempt who is also rated (the
    // name in another case), and an exempt entry of the wrong shape.
    type Edit = fn(&mut Value);
    let tampered: [(&str, Edit); 3] = [
        ("exempt and rated", |r| {
            r["tally"]["exempt"][1]["full_name"] = json!("  lê duy thành ");
        }),
        ("no reason", |r| {
            r["tally"]["exempt"][0]
                .as_object_mut()
                .unwrap()
                .remove("reason");
        }),
        ("not a list", |r| r["tally"]["exempt"] = json!("nobody")),
    ];
    for (label, edit) in tampered {
        let mut changed = record.clone();
        edit(&mut changed);
        let file = write(dir.path(), "tampered.json", &signed(&changed, &key));
        let (code, out) = run_verify(&[&file, "--public-key", &key.public_key()]);
        assert_eq!(code, 1, "{label}: {out}");
        assert_eq!(failed(&out), ["exempt"], "{label}: {out}");
    }
}

#[tokio::test]
async fn a_wrong_exempt_list_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 2).await;
    let other = app.council(10, 2).await;
    let body = |exempt: Value| {
        json!({"title": "Lấy phiếu tín nhiệm 2026", "kind": "rating",
               "subjects": subjects(), "exempt": exempt})
    };
    let one = |name: &str, positions: Value, reason: &str| json!([{"full_name": name, "positions": positions, "reason": reason}]);
    for (exempt, detail) in [
        (
            one("", json!(["Ủy viên"]), "Nghỉ hưu"),
            "exempt[0].full_name must not be empty.",
        ),
        (
            one("Phạm Văn C", json!([]), "Nghỉ hưu"),
            "exempt[0] (Phạm Văn C) must list between 1 and 20 positions.",
        ),
        (
            one("Phạm Văn C", json!(["  "]), "Nghỉ hưu"),
            "exempt[0].positions[0] must not be empty.",
        ),
        (
            one("Phạm Văn C", json!(["Ủy viên"]), " "),
            "exempt[0].reason must not be empty.",
        ),
        (
            one("Phạm Văn C", json!(["Ủy viên"]), &"x".repeat(501)),
            "exempt[0].reason is longer than 500 characters; shorten it.",
        ),
        (
            one("ĐỖ TRỌNG HƯNG", json!(["Ủy viên"]), "Nghỉ hưu"),
            "exempt[0].full_name (ĐỖ TRỌNG HƯNG) is also subjects[0]",
        ),
    ] {
        let got = create(&app, &council, body(exempt)).await;
        let problem = assert_problem(got, 422, "validation-failed");
        let text = problem["detail"].as_str().unwrap();
        assert!(text.starts_with(detail), "{text}");
    }
    // A member of the wrong shape is the body's fault: 400.
    let got = create(
        &app,
        &council,
        body(json!([{"full_name": "A", "positions": ["B"], "reason": "C", "note": 1}])),
    )
    .await;
    assert_problem(got, 400, "malformed-request");
    // Who may create comes first.
    let good = body(exempt());
    let path = format!("/councils/{}/votes", council.id);
    assert_problem(
        app.call(Method::POST, &path, None, Some(good.clone()))
            .await,
        401,
        "unauthenticated",
    );
    assert_problem(
        app.post(&path, &council.auditor, good.clone()).await,
        403,
        "forbidden",
    );
    assert_problem(
        app.post(&path, &other.chair, good.clone()).await,
        404,
        "not-found",
    );
    assert_eq!(
        vote_count(&app, &council).await,
        0,
        "no refusal made a vote"
    );

    // A draft's edit replaces the list, keeps it when left out, and is checked as creation.
    let (status, vote) = create(&app, &council, good).await;
    assert_eq!(status, StatusCode::CREATED, "{vote}");
    let id = vote["id"].as_str().unwrap().to_owned();
    let put = |token: &str, body: Value| {
        let path = format!("/votes/{id}/subjects");
        let token = token.to_owned();
        let app = &app;
        async move { app.call(Method::PUT, &path, Some(&token), Some(body)).await }
    };
    let renamed = json!([{"full_name": "Nguyễn Văn Mới", "positions": ["Chủ tịch"]}]);
    let got = put(&council.chair, json!({"subjects": renamed})).await;
    let problem = assert_problem(got, 422, "validation-failed");
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .starts_with("exempt[0].full_name (Nguyễn Văn Mới) is also subjects[0]"));
    let got = put(
        &council.chair,
        json!({"subjects": subjects(), "exempt": one("Lê Duy Thành", json!(["X"]), "Y")}),
    )
    .await;
    assert_problem(got, 422, "validation-failed");
    assert_problem(
        put(
            &council.delegates[1],
            json!({"subjects": subjects(), "exempt": []}),
        )
        .await,
        403,
        "forbidden",
    );
    let (_, unchanged) = app.get(&format!("/votes/{id}"), &council.chair).await;
    assert_eq!(unchanged["exempt"], exempt(), "no refusal changed the list");
    assert_eq!(unchanged["subjects"].as_array().unwrap().len(), 2);

    let (status, edited) = put(&council.chair, json!({"subjects": subjects()})).await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["exempt"], exempt(), "left out, the list stays");
    let fewer = json!([exempt()[1].clone()]);
    let (status, edited) = put(
        &council.chair,
        json!({"subjects": subjects(), "exempt": fewer}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["exempt"], fewer);
    let (status, _) = app
        .post_empty(&format!("/votes/{id}/open"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_problem(
        put(
            &council.chair,
            json!({"subjects": subjects(), "exempt": []}),
        )
        .await,
        409,
        "invalid-state",
    );
    let (_, open) = app.get(&format!("/votes/{id}"), &council.chair).await;
    assert_eq!(open["exempt"], fewer);
}

#[tokio::test]
async fn a_follow_up_votes_record_names_the_rating_vote_it_follows() {
    let dir = tempfile::tempdir().unwrap();
    let seed = [0x46u8; 32];
    let app = keyed(seed).await;
    let council = app.council(10, 3).await;
    let rating = app.vote(&council, "rating", 2, None).await;
    let low = Some("low");
    cast_and_close(
        &app,
        &council,
        &rating,
        &[
            vec![low, Some("high")],
            vec![low, Some("high")],
            vec![low, None],
        ],
    )
    .await;
    let rating_id = rating["id"].as_str().unwrap();
    let (status, follow_up) = app
        .post_empty(&format!("/votes/{rating_id}/follow-up"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{follow_up}");
    assert_eq!(follow_up["exempt"], json!([]));
    cast_and_close(
        &app,
        &council,
        &follow_up,
        &[vec![Some("no_confidence")], vec![Some("confidence")]],
    )
    .await;
    let follow_id = follow_up["id"].as_str().unwrap();
    let got = download(&app, follow_id, Some(&council.auditor), "").await;
    let record = got.json()["record"].clone();
    assert_eq!(record["vote"]["follow_up_of"], rating_id);
    let key = RecordKey::from_seed(&seed);
    let file = write(dir.path(), "follow-up.json", &got.body);
    let (code, out) = run_verify(&[&file, "--public-key", &key.public_key()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("[ok  ] follow-up: a confidence vote following vote"),
        "{out}"
    );
    // The rating vote's record was signed before its follow-up existed: it names none, and
    // still verifies and is served; the Vote names the follow-up.
    let got = download(&app, rating_id, Some(&council.auditor), "").await;
    assert_eq!(got.status, StatusCode::OK);
    assert!(got.json()["record"]["vote"].get("follow_up").is_none());
    let (_, vote) = app
        .get(&format!("/votes/{rating_id}"), &council.chair)
        .await;
    assert_eq!(vote["follow_up"], follow_id);

    for (label, value) in [
        ("not a vote id", json!("the rating vote")),
        ("upper case", json!(rating_id.to_uppercase())),
        ("itself", json!(follow_id)),
    ] {
        let mut changed = record.clone();
        changed["vote"]["follow_up_of"] = value;
        let file = write(dir.path(), "tampered.json", &signed(&changed, &key));
        let (code, out) = run_verify(&[&file, "--public-key", &key.public_key()]);
        assert_eq!(code, 1, "{label}: {out}");
        assert_eq!(failed(&out), ["follow-up"], "{label}: {out}");
    }
}

/// `GET /votes/{id}/resolution` as `token` asks for it.
async fn resolution(app: &Api, vote_id: &str, token: Option<&str>, query: &str) -> Download {
    let mut req = app
        .client
        .get(app.url(&format!("/votes/{vote_id}/resolution{query}")));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("request sent");
    let status = resp.status();
    let content_type = resp.headers()["content-type"].to_str().unwrap().to_owned();
    let csp = resp
        .headers()
        .get("content-security-policy")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = resp.text().await.expect("body");
    Download {
        status,
        content_type,
        csp,
        body,
    }
}

struct Download {
    status: StatusCode,
    content_type: String,
    csp: Option<String>,
    body: String,
}

impl Download {
    fn problem(&self, status: u16, slug: &str) {
        assert_eq!(
            self.content_type, "application/problem+json",
            "{}",
            self.body
        );
        let body: Value = serde_json::from_str(&self.body).unwrap();
        assert_problem((self.status, body), status, slug);
    }
}

#[tokio::test]
async fn the_resolution_confirms_the_published_results_with_comma_decimals() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 7).await;
    let other = app.council(10, 1).await;
    let (status, vote) = create(
        &app,
        &council,
        json!({"title": "Lấy phiếu tín nhiệm kỳ họp thứ 14", "kind": "rating",
               "subjects": subjects(), "exempt": [exempt()[0].clone()]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{vote}");
    let id = vote["id"].as_str().unwrap().to_owned();
    resolution(&app, &id, Some(&council.chair), "")
        .await
        .problem(409, "tally-not-published");
    // Six of the seven delegates cast: 4 high, 1 medium, 1 low for the first; the second
    // left blank once.
    let (h, m, l) = (Some("high"), Some("medium"), Some("low"));
    let ballots = [
        vec![h, h],
        vec![h, m],
        vec![h, l],
        vec![h, l],
        vec![m, l],
        vec![l, None],
    ];
    let (status, _) = app
        .post_empty(&format!("/votes/{id}/open"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK);
    resolution(&app, &id, Some(&council.chair), "")
        .await
        .problem(409, "tally-not-published");
    let subject_ids = subject_ids(&vote);
    for (d, marks) in ballots.iter().enumerate() {
        let marks: serde_json::Map<String, Value> = subject_ids
            .iter()
            .zip(marks)
            .filter_map(|(s, m)| m.map(|c| (s.clone(), json!(c))))
            .collect();
        let (status, body) = app
            .post(
                &format!("/votes/{id}/ballot"),
                &council.delegates[d],
                json!({ "marks": marks }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, _) = app
        .post_empty(&format!("/votes/{id}/close"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK);

    for token in [&council.chair, &council.auditor, &council.admin] {
        let got = resolution(&app, &id, Some(token), "").await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.body);
        assert_eq!(got.content_type, "text/html; charset=utf-8");
        assert_eq!(
            got.csp.as_deref(),
            Some("default-src 'none'; style-src 'unsafe-inline'")
        );
    }
    let vi = resolution(&app, &id, Some(&council.chair), "?lang=vi")
        .await
        .body;
    for text in [
        "NGHỊ QUYẾT",
        "Xác nhận kết quả lấy phiếu tín nhiệm đối với người giữ chức vụ do Hội đồng nhân dân bầu",
        "HĐND TỈNH THỬ NGHIỆM",
        "Lấy phiếu tín nhiệm kỳ họp thứ 14",
        "Tổng số phiếu phát ra: 7 phiếu; tổng số phiếu thu về: 6 phiếu.",
        // Đỗ Trọng Hưng: 4, 1, 1 of 6.
        "<td class=\"n\">4 phiếu (66,67%)</td><td class=\"n\">1 phiếu (16,67%)</td>\
         <td class=\"n\">1 phiếu (16,67%)</td>",
        // Lê Duy Thành: 1, 1, 3 and a blank.
        "<td class=\"n\">1 phiếu (16,67%)</td><td class=\"n\">1 phiếu (16,67%)</td>\
         <td class=\"n\">3 phiếu (50,00%)</td>",
        "<td class=\"outcome\">Không lấy phiếu</td><td>Được bầu trong năm 2026</td>",
        "Điều 3.",
        "contenteditable=\"true\"",
        "CHỦ TỊCH",
    ] {
        assert!(vi.contains(text), "{text} in {vi}");
    }
    assert!(!vi.contains("<script"), "no script");
    let en = resolution(&app, &id, Some(&council.chair), "?lang=en")
        .await
        .body;
    assert!(en.contains("<td class=\"n\">4 votes (66.67%)</td>"), "{en}");
    assert!(
        en.contains("Ballots issued: 7; ballots collected: 6."),
        "{en}"
    );

    // Refusals: who first, then what.
    resolution(&app, &id, None, "")
        .await
        .problem(401, "unauthenticated");
    resolution(&app, &id, Some(&council.delegates[1]), "")
        .await
        .problem(403, "forbidden");
    resolution(&app, &id, Some(&other.chair), "")
        .await
        .problem(404, "not-found");
    resolution(&app, "not-a-vote", Some(&council.chair), "")
        .await
        .problem(404, "not-found");
    resolution(&app, &id, Some(&council.chair), "?lang=fr")
        .await
        .problem(422, "validation-failed");
    resolution(&app, &id, Some(&council.chair), "?format=pdf")
        .await
        .problem(400, "malformed-request");
}
