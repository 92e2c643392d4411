//! Bearer authentication: no token, a malformed header, a foreign or expired token, a subject
//! that is no (active) staff member are all 401 problems; roles come from the staff record on
//! every request, never from the token.

use opora_api::auth::TokenKeys;
use opora_domain::Role;
use opora_tests::walk::family;
use opora_tests::{Answer, TestApp};
use serde_json::Value;

const CLIENTS: &str = "/api/v1/clients";

/// An answer and its `WWW-Authenticate` header, with the Authorization header sent as given.
fn with_authorization(app: &TestApp, authorization: Option<&str>) -> (Answer, Option<String>) {
    let mut request = ureq::get(&app.url(CLIENTS));
    if let Some(value) = authorization {
        request = request.set("Authorization", value);
    }
    let response = match request.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("GET {CLIENTS}: {e}"),
    };
    let challenge = response.header("www-authenticate").map(str::to_owned);
    let status = response.status();
    let content_type = response.header("content-type").unwrap_or("").to_owned();
    let text = response.into_string().unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (
        Answer {
            status,
            content_type,
            etag: None,
            location: None,
            body,
        },
        challenge,
    )
}

fn assert_unauthorized(answer: &Answer) {
    assert_eq!(answer.status, 401, "{:?}", answer.body);
    assert_eq!(answer.content_type, "application/problem+json");
    assert_eq!(answer.problem_kind(), "unauthorized");
    assert_eq!(answer.body["status"], 401);
}

#[test]
fn a_request_without_authorization_is_refused_with_a_bearer_challenge() {
    let app = TestApp::start();

    let (answer, challenge) = with_authorization(&app, None);

    assert_unauthorized(&answer);
    let challenge = challenge.expect("a 401 must carry WWW-Authenticate");
    assert!(challenge.starts_with("Bearer"), "{challenge}");
}

#[test]
fn a_malformed_authorization_header_is_refused() {
    let app = TestApp::start();
    let token = app.staff("olena", &[Role::CaseManager], &app.district_a);

    for header in [
        "Basic b2xlbmE6c2VjcmV0".to_owned(),
        "Bearer".to_owned(),
        "Bearer    ".to_owned(),
        "Bearer not-a-jwt".to_owned(),
        token.clone(),
        format!("Token {token}"),
    ] {
        let (answer, challenge) = with_authorization(&app, Some(&header));

        assert_unauthorized(&answer);
        assert!(challenge.is_some(), "{header}: no WWW-Authenticate");
    }
}

#[test]
fn a_token_signed_with_another_secret_is_refused() {
    let app = TestApp::start();
    app.staff("olena", &[Role::CaseManager], &app.district_a);
    let forged = TokenKeys::new("another-secret-of-enough-length")
        .issue("olena", chrono::Duration::minutes(15))
        .unwrap();

    let answer = app.get(CLIENTS, &forged);

    assert_unauthorized(&answer);
}

#[test]
fn an_expired_token_is_refused() {
    let app = TestApp::start();
    app.staff("olena", &[Role::CaseManager], &app.district_a);
    let expired = app
        .keys
        .issue("olena", chrono::Duration::minutes(-5))
        .unwrap();

    let answer = app.get(CLIENTS, &expired);

    assert_unauthorized(&answer);
}

#[test]
fn a_token_whose_subject_is_not_a_staff_member_is_refused() {
    let app = TestApp::start();
    let token = app
        .keys
        .issue("nobody-we-know", chrono::Duration::minutes(15))
        .unwrap();

    let answer = app.get(CLIENTS, &token);

    assert_unauthorized(&answer);
}

#[test]
fn a_token_of_a_member_disabled_after_it_was_issued_is_refused_at_once() {
    let app = TestApp::start();
    let token = app.staff("olena", &[Role::CaseManager], &app.district_a);
    assert_eq!(app.get(CLIENTS, &token).status, 200);

    app.disable("olena", &[Role::CaseManager], &app.district_a);
    let answer = app.get(CLIENTS, &token);

    assert_unauthorized(&answer);
}

#[test]
fn roles_granted_on_the_staff_record_apply_to_a_token_issued_before() {
    let app = TestApp::start();
    let token = app.staff("petro", &[Role::Auditor], &app.district_a);
    let before = app.post(CLIENTS, &token, family_body());
    assert_eq!(before.status, 403, "{:?}", before.body);

    app.staff("petro", &[Role::CaseManager], &app.district_a);
    let after = app.post(CLIENTS, &token, family_body());

    assert_eq!(after.status, 201, "{:?}", after.body);
}

#[test]
fn roles_withdrawn_on_the_staff_record_stop_applying_to_a_token_issued_before() {
    let app = TestApp::start();
    let token = app.staff("petro", &[Role::CaseManager], &app.district_a);
    family(&app, &token, None);

    app.staff("petro", &[Role::Auditor], &app.district_a);
    let answer = app.post(CLIENTS, &token, family_body());

    assert_eq!(answer.status, 403, "{:?}", answer.body);
    assert_eq!(answer.content_type, "application/problem+json");
    assert_eq!(answer.problem_kind(), "forbidden");
    // Reading is still allowed to an auditor.
    assert_eq!(app.get(CLIENTS, &token).status, 200);
}

fn family_body() -> Value {
    serde_json::json!({"kind": "person", "display_name": "Ivan Petrenko"})
}
