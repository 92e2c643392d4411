//! Tokens of an external identity provider (e.g. Keycloak), validated by its RS256 public key; the
//! subject claim maps to a staff record, which still decides roles and scope.

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use opora_api::auth::{ExternalIdp, TokenKeys};
use opora_domain::Role;
use opora_tests::{TestApp, SECRET};
use serde_json::json;

const PRIVATE: &[u8] = include_bytes!("../fixtures/idp-test-rsa-private.pem");
const PUBLIC: &[u8] = include_bytes!("../fixtures/idp-test-rsa-public.pem");
const ISSUER: &str = "https://id.example.org/realms/social";

fn app() -> TestApp {
    let idp =
        ExternalIdp::from_pem("RS256", PUBLIC, ISSUER, "opora", "preferred_username").unwrap();
    TestApp::start_with_keys(TokenKeys::new(SECRET).with_external(idp))
}

fn token(claims: serde_json::Value) -> String {
    encode(
        &Header::new(Algorithm::RS256),
        &claims,
        &EncodingKey::from_rsa_pem(PRIVATE).unwrap(),
    )
    .unwrap()
}

fn claims(user: &str, minutes: i64) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": "f0c1-uuid", "preferred_username": user, "iss": ISSUER, "aud": "opora", "iat": now, "nbf": now, "exp": now + minutes * 60})
}

#[test]
fn a_provider_token_for_a_staff_member_is_accepted_and_the_staff_record_decides() {
    let app = app();
    app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    let me = app.get("/api/v1/me", &token(claims("olena", 5)));
    assert_eq!(
        (me.status, me.body["staff"]["roles"].clone()),
        (200, json!(["case_manager"])),
        "{:?}",
        me.body
    );
    // Opora's own tokens still work beside it.
    let own = app
        .keys
        .issue("olena", chrono::Duration::minutes(5))
        .unwrap();
    assert_eq!(app.get("/api/v1/me", &own).status, 200);
}

#[test]
fn provider_tokens_are_refused_when_expired_for_another_audience_issuer_or_unknown_user() {
    let app = app();
    app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    let mut wrong_audience = claims("olena", 5);
    wrong_audience["aud"] = json!("account");
    let mut wrong_issuer = claims("olena", 5);
    wrong_issuer["iss"] = json!("https://evil.example.org");
    let mut not_yet = claims("olena", 5);
    not_yet["nbf"] = json!(chrono::Utc::now().timestamp() + 3600);
    for (what, claims) in [
        ("expired", claims("olena", -5)),
        ("audience", wrong_audience),
        ("issuer", wrong_issuer),
        ("not yet valid", not_yet),
        ("unknown staff member", claims("stranger", 5)),
    ] {
        assert_eq!(app.get("/api/v1/me", &token(claims)).status, 401, "{what}");
    }
}

#[test]
fn a_token_signed_with_an_algorithm_not_configured_is_refused() {
    let app = app();
    app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    // An HS256 token signed with the provider's *public* key (the classic key-confusion attack).
    let forged = encode(
        &Header::new(Algorithm::HS256),
        &claims("olena", 5),
        &EncodingKey::from_secret(PUBLIC),
    )
    .unwrap();
    assert_eq!(app.get("/api/v1/me", &forged).status, 401);
}

#[test]
fn a_jwks_file_serves_the_key_named_by_the_tokens_kid() {
    let jwks = include_str!("../fixtures/idp-test-jwks.json");
    let idp = ExternalIdp::from_jwks("RS256", jwks, ISSUER, "opora", "preferred_username").unwrap();
    let app = TestApp::start_with_keys(TokenKeys::new(SECRET).with_external(idp));
    app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    let signed = |kid: &str| {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        encode(
            &header,
            &claims("olena", 5),
            &EncodingKey::from_rsa_pem(PRIVATE).unwrap(),
        )
        .unwrap()
    };
    assert_eq!(app.get("/api/v1/me", &signed("test-key-1")).status, 200);
    assert_eq!(
        app.get("/api/v1/me", &signed("other-key")).status,
        401,
        "another key of the set does not verify it"
    );
    assert_eq!(app.get("/api/v1/me", &signed("no-such-key")).status, 401);
}

fn put_own_password(app: &TestApp, token: &str, body: serde_json::Value) -> opora_tests::Answer {
    app.send("PUT", "/api/v1/me/password", Some(token), &[], Some(&body))
}

fn login(app: &TestApp, password: &str) -> u16 {
    app.send(
        "POST",
        "/api/v1/auth/login",
        None,
        &[],
        Some(&json!({"staff_id": "olena", "password": password})),
    )
    .status
}

#[test]
fn a_provider_token_alone_does_not_create_a_local_password() {
    let app = app();
    app.staff("olena", &[Role::CaseManager], &app.district_a.clone());

    let answer = put_own_password(
        &app,
        &token(claims("olena", 5)),
        json!({"new_password": "a password of my own"}),
    );

    assert_eq!(
        (answer.status, answer.fields_at_fault()),
        (422, vec!["setup_token".to_owned()]),
        "{:?}",
        answer.body
    );
    assert_eq!(login(&app, "a password of my own"), 401);
}

#[test]
fn an_admins_one_time_token_lets_a_provider_account_set_its_first_password_once() {
    let app = app();
    let admin = app.staff("admin", &[Role::Admin], &app.district_a.clone());
    app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    // Olena reads case content: one admin asks, a second completes and alone sees the token.
    let asked = app.post(
        "/api/v1/staff/olena/password-setup-token",
        &admin,
        json!(null),
    );
    assert_eq!(asked.status, 202, "{:?}", asked.body);
    assert!(asked.body.get("setup_token").is_none());
    let second = app.staff("admin-2", &[Role::Admin], &app.district_a.clone());
    let issued = app.post(
        "/api/v1/staff/olena/password-setup-token",
        &second,
        json!(null),
    );
    assert_eq!(issued.status, 201, "{:?}", issued.body);
    let setup = issued.body["setup_token"].as_str().unwrap().to_owned();

    let first = put_own_password(
        &app,
        &token(claims("olena", 5)),
        json!({"setup_token": setup, "new_password": "a password of my own"}),
    );
    assert_eq!(first.status, 204, "{:?}", first.body);
    assert_eq!(login(&app, "a password of my own"), 200);

    // Setting the password ended every session: the provider's next token (its `iat` in whole
    // seconds) comes from a later second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let again = put_own_password(
        &app,
        &token(claims("olena", 5)),
        json!({"setup_token": setup, "new_password": "another password again"}),
    );
    assert_eq!(
        (again.status, again.fields_at_fault()),
        (422, vec!["setup_token".to_owned()]),
        "a setup token works once"
    );
    let auditor = app.staff("maria", &[Role::Auditor], &app.centre.clone());
    for query in [
        "action=staff.password_setup_requested&actor_id=admin",
        "action=staff.password_setup_token_issued&actor_id=admin-2",
        "action=staff.password_set&actor_id=olena",
    ] {
        let entries = app.get(&format!("/api/v1/audit/entries?{query}"), &auditor);
        assert_eq!(
            entries.body["items"].as_array().map(Vec::len),
            Some(1),
            "{query}: {:?}",
            entries.body
        );
    }
}

#[test]
fn only_an_admin_of_the_members_unit_issues_a_setup_token_and_never_for_themselves() {
    let app = app();
    let admin = app.staff("admin", &[Role::Admin], &app.district_a.clone());
    let supervisor = app.staff("iryna", &[Role::Supervisor], &app.district_a.clone());
    app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    app.staff("andrii", &[Role::CaseManager], &app.district_b.clone());
    let issue = |token: &str, id: &str| {
        app.post(
            &format!("/api/v1/staff/{id}/password-setup-token"),
            token,
            json!(null),
        )
        .status
    };
    assert_eq!(issue(&supervisor, "olena"), 403);
    assert_eq!(issue(&admin, "andrii"), 404);
    assert_eq!(issue(&admin, "admin"), 403);
}
