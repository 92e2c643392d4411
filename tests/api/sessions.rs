//! The end of a session ends its access tokens (issue 9, finding 11): logout, a refresh token
//! presented twice, a password change or reset, and enabling a disabled account again each move
//! the member's "tokens valid from" instant, and access tokens issued before it are 401 at once,
//! not when they expire. And no token lives longer than the server accepts (finding 13e).

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use opora_api::auth::{Claims, AUDIENCE, ISSUER};
use opora_domain::Role;
use opora_tests::{TestApp, SECRET};
use serde_json::json;

const PASSWORD: &str = "correct horse battery";

/// An app with an admin and a case manager who has a password; the admin's token.
fn with_member() -> (TestApp, String) {
    let app = TestApp::start();
    let admin = app.staff("admin", &[Role::Admin], &app.district_a.clone());
    app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    app.give_password("olena", &app.district_a, PASSWORD);
    (app, admin)
}

/// Logs olena in: (access token, refresh token).
fn session(app: &TestApp) -> (String, String) {
    let answer = app.login("olena", PASSWORD);
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    (
        answer.body["access_token"].as_str().unwrap().to_owned(),
        answer.body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

fn me(app: &TestApp, token: &str) -> u16 {
    app.get("/api/v1/me", token).status
}

#[test]
fn an_access_token_is_refused_as_soon_as_its_member_logs_out() {
    let (app, _) = with_member();
    let (access, refresh) = session(&app);
    assert_eq!(me(&app, &access), 200);

    let logout = app.post(
        "/api/v1/auth/logout",
        &access,
        json!({"refresh_token": refresh}),
    );

    assert_eq!(logout.status, 204, "{:?}", logout.body);
    let after = app.get("/api/v1/me", &access);
    assert_eq!(
        (after.status, after.problem_kind()),
        (401, "unauthorized".to_owned())
    );
}

#[test]
fn a_login_right_after_a_logout_gets_a_token_that_works() {
    let (app, _) = with_member();
    let (access, refresh) = session(&app);
    app.post(
        "/api/v1/auth/logout",
        &access,
        json!({"refresh_token": refresh}),
    );

    let (again, _) = session(&app);

    assert_eq!(me(&app, &again), 200, "issued after the logout, in force");
}

#[test]
fn access_tokens_are_refused_once_a_used_refresh_token_is_presented_again() {
    let (app, _) = with_member();
    let (access, first) = session(&app);
    let renewed = app.send(
        "POST",
        "/api/v1/auth/refresh",
        None,
        &[],
        Some(&json!({"refresh_token": first})),
    );
    assert_eq!(renewed.status, 200);
    let renewed_access = renewed.body["access_token"].as_str().unwrap().to_owned();

    let reused = app.send(
        "POST",
        "/api/v1/auth/refresh",
        None,
        &[],
        Some(&json!({"refresh_token": first})),
    );

    assert_eq!(reused.status, 401);
    assert_eq!(me(&app, &access), 401, "the first access token");
    assert_eq!(me(&app, &renewed_access), 401, "the thief's or the owner's");
}

#[test]
fn access_tokens_are_refused_after_the_password_is_changed_or_reset() {
    let (app, _) = with_member();
    let (before_change, _) = session(&app);
    let (other_device, _) = session(&app);
    let changed = app.send(
        "PUT",
        "/api/v1/me/password",
        Some(&before_change),
        &[],
        Some(&json!({"current_password": PASSWORD, "new_password": "a brand new password"})),
    );
    assert_eq!(changed.status, 204, "{:?}", changed.body);
    assert_eq!(me(&app, &before_change), 401);
    assert_eq!(me(&app, &other_device), 401);

    let after_change = app.login("olena", "a brand new password").body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(me(&app, &after_change), 200);
    // A reset (a setup token two admins issue, used by the member) ends it too.
    app.give_password("olena", &app.district_a, "reset by two admins");
    assert_eq!(me(&app, &after_change), 401, "a reset ends it too");
}

#[test]
fn a_token_from_before_an_account_was_disabled_stays_refused_after_it_is_enabled_again() {
    let (app, admin) = with_member();
    let (access, _) = session(&app);
    let patch = |body: serde_json::Value| app.patch("/api/v1/staff/olena", &admin, None, body);
    assert_eq!(patch(json!({"active": false})).status, 200);
    // One admin does not give a case reader back their access (four eyes): they enable the
    // account without its case roles, and a second admin approves the roles again.
    let alone = patch(json!({"active": true}));
    assert_eq!(alone.unmet(), ["four_eyes"], "{:?}", alone.body);
    assert_eq!(
        patch(json!({"active": true, "roles": ["registry"]})).status,
        200
    );
    let regranted = patch(json!({"roles": ["case_manager"]}));
    assert_eq!(regranted.status, 200, "{:?}", regranted.body);
    let second = app.staff("admin-2", &[Role::Admin], &app.district_a.clone());
    let approved = app.post(
        &format!(
            "/api/v1/role-grants/{}/decision",
            regranted.body["pending_role_grant"]["id"].as_str().unwrap()
        ),
        &second,
        json!({"approve": true}),
    );
    assert_eq!(approved.status, 200, "{:?}", approved.body);

    assert_eq!(me(&app, &access), 401);
    let (fresh, _) = session(&app);
    assert_eq!(me(&app, &fresh), 200, "a new login works");
}

fn signed(claims: &Claims) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap()
}

#[test]
fn a_token_living_longer_than_the_server_accepts_is_refused() {
    let app = TestApp::start();
    app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    let now = chrono::Utc::now().timestamp();
    let claims = |exp: i64| Claims {
        sub: "olena".into(),
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        iat: now as f64,
        nbf: now,
        exp,
    };
    // 2200-01-01: properly signed, yet no session lasts 174 years.
    let far = app.get("/api/v1/me", &signed(&claims(7_258_118_400)));
    assert_eq!(
        (far.status, far.problem_kind()),
        (401, "unauthorized".to_owned())
    );
    assert_eq!(
        app.get("/api/v1/me", &signed(&claims(now + 16 * 60)))
            .status,
        401,
        "the default maximum is the access tokens' 15 minutes"
    );
    assert_eq!(
        app.get("/api/v1/me", &signed(&claims(now + 15 * 60)))
            .status,
        200
    );
}

#[test]
fn a_longer_maximum_lifetime_is_configured_on_the_keys() {
    let keys =
        opora_api::auth::TokenKeys::new(SECRET).with_max_lifetime(chrono::Duration::hours(12));
    let app = TestApp::start_with_keys(keys.clone());
    app.staff("olena", &[Role::CaseManager], &app.district_a.clone());

    let twelve_hours = keys.issue("olena", chrono::Duration::hours(12)).unwrap();
    let thirteen_hours = keys.issue("olena", chrono::Duration::hours(13)).unwrap();

    assert_eq!(me(&app, &twelve_hours), 200);
    assert_eq!(me(&app, &thirteen_hours), 401);
}
