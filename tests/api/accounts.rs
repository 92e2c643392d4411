//! Accounts: an admin manages staff; staff log in with a password, refresh and log out; failed
//! logins are throttled with growing delays, never locked out.

use opora_domain::Role;
use opora_tests::TestApp;
use serde_json::json;

/// An admin in district A, and a case manager they created with a password (the role granted
/// by a second admin: it reads case content).
fn with_member() -> (TestApp, String) {
    let app = TestApp::start();
    let admin = app.staff("admin", &[Role::Admin], &app.district_a.clone());
    let created = app.post(
        "/api/v1/staff",
        &admin,
        json!({"id": "o.kovalenko", "full_name": "Olena Kovalenko", "roles": ["case_manager"], "unit_id": app.district_a}),
    );
    assert_eq!(
        (
            created.status,
            created.body["roles"].clone(),
            created.body["pending_role_grant"]["roles"].clone()
        ),
        (201, json!([]), json!(["case_manager"])),
        "{:?}",
        created.body
    );
    let second = app.staff("admin-2", &[Role::Admin], &app.district_a.clone());
    let approved = app.post(
        &format!(
            "/api/v1/role-grants/{}/decision",
            created.body["pending_role_grant"]["id"].as_str().unwrap()
        ),
        &second,
        json!({"approve": true}),
    );
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    app.give_password("o.kovalenko", &app.district_a, "correct horse battery");
    (app, admin)
}

#[test]
fn a_member_logs_in_and_the_access_token_works() {
    let (app, _) = with_member();
    let answer = app.login("o.kovalenko", "correct horse battery");
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(
        (
            answer.body["token_type"].as_str(),
            answer.body["expires_in"].as_i64()
        ),
        (Some("Bearer"), Some(900))
    );
    let me = app.get("/api/v1/me", answer.body["access_token"].as_str().unwrap());
    assert_eq!(
        (me.status, me.body["staff"]["id"].as_str()),
        (200, Some("o.kovalenko"))
    );
}

#[test]
fn a_wrong_password_and_an_unknown_member_get_the_same_answer() {
    let (app, _) = with_member();
    let wrong = app.login("o.kovalenko", "wrong horse battery");
    let unknown = app.login("nobody", "correct horse battery");
    assert_eq!((wrong.status, unknown.status), (401, 401));
    assert_eq!(wrong.body["detail"], unknown.body["detail"]);
}

#[test]
fn repeated_failures_make_the_next_attempt_wait_but_never_lock_the_account() {
    let (app, _) = with_member();
    for _ in 0..3 {
        assert_eq!(app.login("o.kovalenko", "wrong horse battery").status, 401);
    }
    let throttled = app.login("o.kovalenko", "correct horse battery");
    assert_eq!(
        (throttled.status, throttled.problem_kind()),
        (429, "too-many-requests".to_owned())
    );
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert_eq!(
        app.login("o.kovalenko", "correct horse battery").status,
        200,
        "after the delay the right password works"
    );
}

#[test]
fn a_refresh_token_works_once_and_a_reused_one_revokes_its_family() {
    let (app, _) = with_member();
    let first = app.login("o.kovalenko", "correct horse battery").body["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let renewed = app.refresh(&first);
    assert_eq!(renewed.status, 200);
    let second = renewed.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    assert_eq!(app.refresh(&first).status, 401, "a used token is refused");
    assert_eq!(
        app.refresh(&second).status,
        401,
        "and its whole family is revoked"
    );
}

#[test]
fn logout_ends_the_session() {
    let (app, _) = with_member();
    let tokens = app.login("o.kovalenko", "correct horse battery").body;
    let access = tokens["access_token"].as_str().unwrap();
    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    assert_eq!(
        app.post(
            "/api/v1/auth/logout",
            access,
            json!({"refresh_token": refresh_token})
        )
        .status,
        204
    );
    assert_eq!(app.refresh(refresh_token).status, 401);
}

#[test]
fn a_disabled_member_can_neither_log_in_nor_use_their_tokens() {
    let (app, admin) = with_member();
    let access = app.login("o.kovalenko", "correct horse battery").body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let disabled = app.patch(
        "/api/v1/staff/o.kovalenko",
        &admin,
        None,
        json!({"active": false}),
    );
    assert_eq!(
        (disabled.status, disabled.body["active"].as_bool()),
        (200, Some(false))
    );
    assert_eq!(app.get("/api/v1/me", &access).status, 401);
    assert_eq!(
        app.login("o.kovalenko", "correct horse battery").status,
        401
    );
}

#[test]
fn passwords_must_be_long_and_ones_own_change_needs_the_current_one() {
    let (app, admin) = with_member();
    let weak = app.send(
        "PUT",
        "/api/v1/staff/o.kovalenko/password",
        Some(&admin),
        &[],
        Some(&json!({"new_password": "short"})),
    );
    assert_eq!(
        (weak.status, weak.fields_at_fault()),
        (422, vec!["new_password".to_owned()])
    );
    let access = app.login("o.kovalenko", "correct horse battery").body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let without = app.send(
        "PUT",
        "/api/v1/me/password",
        Some(&access),
        &[],
        Some(&json!({"new_password": "a brand new password"})),
    );
    assert_eq!(
        (without.status, without.fields_at_fault()),
        (422, vec!["current_password".to_owned()])
    );
    let with = app.send(
        "PUT",
        "/api/v1/me/password",
        Some(&access),
        &[],
        Some(&json!({"current_password": "correct horse battery", "new_password": "a brand new password"})),
    );
    assert_eq!(with.status, 204);
    assert_eq!(app.login("o.kovalenko", "a brand new password").status, 200);
}

#[test]
fn only_admins_manage_staff_and_only_in_their_units() {
    let (app, admin) = with_member();
    let supervisor = app.staff("iryna", &[Role::Supervisor], &app.district_a.clone());
    let by_supervisor = app.post(
        "/api/v1/staff",
        &supervisor,
        json!({"id": "x.y", "full_name": "X", "roles": ["specialist"], "unit_id": app.district_a}),
    );
    assert_eq!(by_supervisor.status, 403);
    app.staff("andrii", &[Role::CaseManager], &app.district_b.clone());
    assert_eq!(
        app.patch(
            "/api/v1/staff/andrii",
            &admin,
            None,
            json!({"active": false})
        )
        .status,
        404
    );
    let duplicate = app.post("/api/v1/staff", &admin, json!({"id": "o.kovalenko", "full_name": "X", "roles": ["specialist"], "unit_id": app.district_a}));
    assert_eq!(duplicate.status, 409);
    let unit = app.post(
        "/api/v1/units",
        &admin,
        json!({"parent_id": app.district_a, "kind": "service", "name": "Support of care leavers"}),
    );
    assert_eq!(unit.status, 201, "{:?}", unit.body);
    let wrong_tree = app.post(
        "/api/v1/units",
        &admin,
        json!({"parent_id": unit.id(), "kind": "centre", "name": "X"}),
    );
    assert_eq!(
        (wrong_tree.status, wrong_tree.fields_at_fault()),
        (422, vec!["kind".to_owned()])
    );
}
