//! Every error is an RFC 9457 problem: actix's own (unknown route, wrong method, body too large)
//! as much as the API's (malformed JSON, wrong media type, invalid fields, bad parameters).

use opora_domain::Role;
use opora_tests::{Answer, TestApp};
use serde_json::{json, Value};

const CLIENTS: &str = "/api/v1/clients";

fn manager(app: &TestApp) -> String {
    app.staff("olena", &[Role::CaseManager], &app.district_a)
}

/// A valid new family.
fn family() -> Value {
    json!({
        "kind": "family",
        "display_name": "Shevchenko family",
        "members": [
            {"full_name": "Oksana Shevchenko", "relation": "head", "date_of_birth": "1988-03-14", "sex": "female", "is_child": false},
            {"full_name": "Daryna Shevchenko", "relation": "child", "date_of_birth": "2015-09-01", "sex": "female", "is_child": true}
        ]
    })
}

/// Sends a raw body with the given Content-Type (the harness always sends application/json).
fn raw(app: &TestApp, token: &str, path: &str, content_type: &str, body: &str) -> Answer {
    let response = ureq::post(&app.url(path))
        .set("Authorization", &format!("Bearer {token}"))
        .set("Content-Type", content_type)
        .send_string(body);
    let response = match response {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("POST {path}: {e}"),
    };
    let status = response.status();
    let content_type = response.header("content-type").unwrap_or("").to_owned();
    let text = response.into_string().unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        content_type,
        etag: None,
        location: None,
        body,
    }
}

fn assert_problem(answer: &Answer, status: u16, kind: &str) {
    assert_eq!(answer.status, status, "{:?}", answer.body);
    assert_eq!(
        answer.content_type, "application/problem+json",
        "{:?}",
        answer.body
    );
    assert_eq!(answer.problem_kind(), kind, "{:?}", answer.body);
    assert_eq!(answer.body["status"], status);
    assert!(answer.body["title"].is_string(), "{:?}", answer.body);
}

fn codes_at_fault(answer: &Answer) -> Vec<(String, String)> {
    answer.body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or("").to_owned(),
                        e["code"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn an_unknown_route_is_a_not_found_problem_naming_the_path() {
    let app = TestApp::start();
    let token = manager(&app);

    let answer = app.get("/api/v1/no-such-resource", &token);

    assert_problem(&answer, 404, "not-found");
    assert_eq!(answer.body["instance"], "/api/v1/no-such-resource");
}

#[test]
fn an_unknown_route_outside_the_api_is_a_not_found_problem_too() {
    let app = TestApp::start();

    let answer = app.send("GET", "/nowhere/at/all", None, &[], None);

    assert_problem(&answer, 404, "not-found");
    assert_eq!(answer.body["instance"], "/nowhere/at/all");
}

#[test]
fn a_method_the_route_does_not_allow_is_a_method_not_allowed_problem() {
    let app = TestApp::start();
    let token = manager(&app);

    let answer = app.send("DELETE", CLIENTS, Some(&token), &[], None);

    assert_problem(&answer, 405, "method-not-allowed");
}

#[test]
fn malformed_json_is_a_bad_request() {
    let app = TestApp::start();
    let token = manager(&app);

    let answer = raw(
        &app,
        &token,
        CLIENTS,
        "application/json",
        r#"{"kind": "person", "display_name": "#,
    );

    assert_problem(&answer, 400, "malformed-request");
}

#[test]
fn a_body_that_is_not_json_by_content_type_is_unsupported_media_type() {
    let app = TestApp::start();
    let token = manager(&app);

    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let answer = raw(&app, &token, CLIENTS, content_type, &family().to_string());

        assert_problem(&answer, 415, "unsupported-media-type");
    }
    let nothing_created = app.get(CLIENTS, &token);
    assert_eq!(nothing_created.body["items"], json!([]));
}

#[test]
fn a_missing_required_field_is_named() {
    let app = TestApp::start();
    let token = manager(&app);
    let mut body = family();
    body.as_object_mut().unwrap().remove("display_name");

    let answer = app.post(CLIENTS, &token, body);

    assert_problem(&answer, 422, "validation-failed");
    assert_eq!(
        codes_at_fault(&answer),
        [("display_name".to_owned(), "required".to_owned())]
    );
}

#[test]
fn a_wrongly_typed_field_of_a_member_is_named_with_its_path() {
    let app = TestApp::start();
    let token = manager(&app);
    let mut body = family();
    body["members"][0]["is_child"] = json!("no");

    let answer = app.post(CLIENTS, &token, body);

    assert_problem(&answer, 422, "validation-failed");
    assert_eq!(
        codes_at_fault(&answer),
        [("members[0].is_child".to_owned(), "invalid_type".to_owned())]
    );
}

#[test]
fn every_invalid_field_is_listed_at_once() {
    let app = TestApp::start();
    let token = manager(&app);
    let mut body = family();
    body["display_name"] = json!("");
    body["sex"] = json!("robot");
    body["members"][1]["full_name"] = json!("");
    body["members"][1]["relation"] = json!("neighbour");

    let answer = app.post(CLIENTS, &token, body);

    assert_problem(&answer, 422, "validation-failed");
    let mut fields = answer.fields_at_fault();
    fields.sort();
    assert_eq!(
        fields,
        [
            "display_name",
            "members[1].full_name",
            "members[1].relation",
            "sex"
        ]
    );
}

#[test]
fn an_unknown_code_is_named() {
    let app = TestApp::start();
    let token = manager(&app);
    let mut body = family();
    body["kind"] = json!("alien");

    let answer = app.post(CLIENTS, &token, body);

    assert_problem(&answer, 422, "validation-failed");
    assert_eq!(
        codes_at_fault(&answer),
        [("kind".to_owned(), "unknown_code".to_owned())]
    );
}

#[test]
fn an_unknown_field_is_refused_and_named() {
    let app = TestApp::start();
    let token = manager(&app);
    let mut body = family();
    body["nickname"] = json!("The Shevchenkos");

    let answer = app.post(CLIENTS, &token, body);

    assert_problem(&answer, 422, "validation-failed");
    assert_eq!(
        codes_at_fault(&answer),
        [("nickname".to_owned(), "unknown_field".to_owned())]
    );
}

#[test]
fn an_unknown_field_of_a_member_is_refused_and_named_with_its_path() {
    let app = TestApp::start();
    let token = manager(&app);
    let mut body = family();
    // (`school` is a member's field now; `nickname` is still unknown.)
    body["members"][1]["nickname"] = json!("Dasha");

    let answer = app.post(CLIENTS, &token, body);

    assert_problem(&answer, 422, "validation-failed");
    assert_eq!(
        codes_at_fault(&answer),
        [("members[1].nickname".to_owned(), "unknown_field".to_owned())]
    );
}

#[test]
fn a_limit_out_of_range_is_a_problem_naming_it() {
    let app = TestApp::start();
    let token = manager(&app);

    for query in ["limit=0", "limit=201"] {
        let answer = app.get(&format!("{CLIENTS}?{query}"), &token);

        assert!(
            [400, 422].contains(&answer.status),
            "{query}: {} {:?}",
            answer.status,
            answer.body
        );
        assert_eq!(answer.content_type, "application/problem+json");
        assert_eq!(answer.fields_at_fault(), ["limit"], "{query}");
    }
}

#[test]
fn a_limit_that_is_not_a_number_is_a_problem_naming_it() {
    let app = TestApp::start();
    let token = manager(&app);

    let answer = app.get(&format!("{CLIENTS}?limit=abc"), &token);

    assert!(
        [400, 422].contains(&answer.status),
        "{} {:?}",
        answer.status,
        answer.body
    );
    assert_eq!(answer.content_type, "application/problem+json");
    assert_eq!(answer.fields_at_fault(), ["limit"]);
}

#[test]
fn an_unknown_code_in_a_filter_is_a_problem_naming_it() {
    let app = TestApp::start();
    let token = manager(&app);

    let answer = app.get("/api/v1/cases?lifecycle_stage=limbo", &token);

    assert!(
        [400, 422].contains(&answer.status),
        "{} {:?}",
        answer.status,
        answer.body
    );
    assert_eq!(answer.content_type, "application/problem+json");
    assert_eq!(answer.fields_at_fault(), ["lifecycle_stage"]);
}

#[test]
fn a_body_over_256_kib_is_payload_too_large() {
    let app = TestApp::start();
    let token = manager(&app);
    let mut body = family();
    body["address"] = json!("x".repeat(300 * 1024));

    let answer = app.post(CLIENTS, &token, body);

    assert_problem(&answer, 413, "payload-too-large");
}

#[test]
fn a_body_just_under_256_kib_is_read_and_judged_on_its_fields() {
    let app = TestApp::start();
    let token = manager(&app);
    let mut body = family();
    body["address"] = json!("x".repeat(200 * 1024));

    let answer = app.post(CLIENTS, &token, body);

    // Read, then refused for the address's length (at most 300 characters).
    assert_problem(&answer, 422, "validation-failed");
    assert_eq!(answer.fields_at_fault(), ["address"]);
}
