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
