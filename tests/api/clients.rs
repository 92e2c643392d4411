//! Clients: created with Location and ETag, read back with the same ETag, and updated only with
//! If-Match naming the current version (428 without, 412 when stale), so no update is lost.

use opora_domain::Role;
use opora_tests::walk::family;
use opora_tests::{Answer, TestApp};
use serde_json::{json, Value};

fn manager(app: &TestApp) -> String {
    app.staff("olena", &[Role::CaseManager], &app.district_a)
}

fn path_of(client: &Answer) -> String {
    format!("/api/v1/clients/{}", client.id())
}

fn person() -> Value {
    json!({
        "kind": "person",
        "display_name": "Ivan Petrenko",
        "date_of_birth": "1961-05-02",
        "sex": "male",
        "phone": "+380 48 700 00 00",
        "address": "vul. Dnipropetrovska 12, Odesa",
        "district": "Suvorovskyi"
    })
}

#[test]
fn a_created_client_is_named_by_location_and_versioned_by_etag() {
    let app = TestApp::start();
    let token = manager(&app);

    let created = app.post("/api/v1/clients", &token, person());

    assert_eq!(created.status, 201, "{:?}", created.body);
    assert!(created.content_type.starts_with("application/json"));
    let id = created.id();
    assert!(!id.is_empty());
    assert_eq!(
        created.location.as_deref(),
        Some(format!("/api/v1/clients/{id}").as_str())
    );
    assert!(created.etag.is_some(), "no ETag");
    assert_eq!(created.body["version"], 1);
    assert_eq!(created.body["unit_id"], app.district_a.as_str());
    assert_eq!(created.body["display_name"], "Ivan Petrenko");
    assert_eq!(created.body["members"], json!([]));
}

#[test]
fn a_client_reads_back_with_the_etag_it_was_created_with() {
    let app = TestApp::start();
    let token = manager(&app);
    let created = family(&app, &token, None);

    let read = app.get(created.location.as_deref().unwrap(), &token);

    assert_eq!(read.status, 200, "{:?}", read.body);
    assert_eq!(read.etag, created.etag);
    // The create answer adds only the duplicate warning (none here) to the stored client.
    let mut created_body = created.body.clone();
    let warning = created_body
        .as_object_mut()
        .unwrap()
        .remove("duplicate_warning");
    assert_eq!(warning, Some(Value::Null));
    assert_eq!(read.body, created_body);
    let members: Vec<&str> = read.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["full_name"].as_str().unwrap())
        .collect();
    assert_eq!(members, ["Oksana Shevchenko", "Daryna Shevchenko"]);
}

#[test]
fn an_update_without_if_match_is_precondition_required() {
    let app = TestApp::start();
    let token = manager(&app);
    let created = family(&app, &token, None);

    let answer = app.patch(
        &path_of(&created),
        &token,
        None,
        json!({"phone": "+380 67 000 00 00"}),
    );

    assert_eq!(answer.status, 428, "{:?}", answer.body);
    assert_eq!(answer.content_type, "application/problem+json");
    assert_eq!(answer.problem_kind(), "precondition-required");
    let unchanged = app.get(&path_of(&created), &token);
    assert_eq!(unchanged.body["version"], 1);
    assert_eq!(unchanged.body["phone"], Value::Null);
}

#[test]
fn an_update_with_a_stale_if_match_is_refused_with_the_current_etag() {
    let app = TestApp::start();
    let token = manager(&app);
    let created = family(&app, &token, None);
    let first_etag = created.etag.clone().unwrap();
    let first = app.patch(
        &path_of(&created),
        &token,
        Some(&first_etag),
        json!({"phone": "+380 67 000 00 00"}),
    );
    assert_eq!(first.status, 200, "{:?}", first.body);

    // A second writer who read version 1 too.
    let stale = app.patch(
        &path_of(&created),
        &token,
        Some(&first_etag),
        json!({"phone": "+380 50 111 11 11"}),
    );

    assert_eq!(stale.status, 412, "{:?}", stale.body);
    assert_eq!(stale.content_type, "application/problem+json");
    assert_eq!(stale.problem_kind(), "precondition-failed");
    assert_eq!(stale.etag, first.etag);
    let current = app.get(&path_of(&created), &token);
    assert_eq!(current.body["phone"], "+380 67 000 00 00");
    assert_eq!(current.etag, first.etag);
}

#[test]
fn an_update_with_an_if_match_never_issued_is_refused() {
    let app = TestApp::start();
    let token = manager(&app);
    let created = family(&app, &token, None);

    for if_match in ["*", "\"v99\"", "garbage"] {
        let answer = app.patch(
            &path_of(&created),
            &token,
            Some(if_match),
            json!({"phone": "+380 67 000 00 00"}),
        );

        assert_eq!(answer.status, 412, "{if_match}: {:?}", answer.body);
        assert_eq!(answer.etag, created.etag, "{if_match}");
    }
}

#[test]
fn an_update_with_the_current_if_match_applies_the_changes_and_issues_a_new_etag() {
    let app = TestApp::start();
    let token = manager(&app);
    let created = app.post("/api/v1/clients", &token, person());
    assert_eq!(created.status, 201, "{:?}", created.body);

    let updated = app.patch(
        &path_of(&created),
        &token,
        created.etag.as_deref(),
        json!({"display_name": "Ivan P. Petrenko", "phone": "+380 67 000 00 00", "address": null}),
    );

    assert_eq!(updated.status, 200, "{:?}", updated.body);
    assert!(updated.etag.is_some());
    assert_ne!(updated.etag, created.etag);
    assert_eq!(updated.body["version"], 2);
    assert_eq!(updated.body["display_name"], "Ivan P. Petrenko");
    assert_eq!(updated.body["phone"], "+380 67 000 00 00");
    assert_eq!(updated.body["address"], Value::Null);
    // Absent fields stay as they were.
    assert_eq!(updated.body["district"], "Suvorovskyi");
    assert_eq!(updated.body["date_of_birth"], "1961-05-02");
    assert_eq!(updated.body["sex"], "male");
    // The update is stored, and the ETag names the stored version.
    let read = app.get(&path_of(&created), &token);
    assert_eq!(read.body, updated.body);
    assert_eq!(read.etag, updated.etag);
}

#[test]
fn members_given_in_an_update_replace_the_whole_list() {
    let app = TestApp::start();
    let token = manager(&app);
    let created = family(&app, &token, None);

    let updated = app.patch(
        &path_of(&created),
        &token,
        created.etag.as_deref(),
        json!({"members": [
            {"full_name": "Oksana Shevchenko", "relation": "head", "date_of_birth": "1988-03-14", "sex": "female", "is_child": false},
            {"full_name": "Taras Shevchenko", "relation": "child", "date_of_birth": "2019-02-11", "sex": "male", "is_child": true},
            {"full_name": "Hanna Shevchenko", "relation": "grandparent", "date_of_birth": null, "sex": null, "is_child": false}
        ]}),
    );

    assert_eq!(updated.status, 200, "{:?}", updated.body);
    assert_eq!(updated.body["version"], 2);
    let read = app.get(&path_of(&created), &token);
    let members: Vec<(&str, &str, bool)> = read.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["full_name"].as_str().unwrap(),
                m["relation"].as_str().unwrap(),
                m["is_child"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        members,
        [
            ("Oksana Shevchenko", "head", false),
            ("Taras Shevchenko", "child", true),
            ("Hanna Shevchenko", "grandparent", false)
        ]
    );
    assert_eq!(read.body["members"][2]["sex"], Value::Null);
    assert_eq!(read.body["display_name"], "Shevchenko family");
}

#[test]
fn each_update_grows_the_version_by_one() {
    let app = TestApp::start();
    let token = manager(&app);
    let created = family(&app, &token, None);
    let mut etag = created.etag.clone().unwrap();

    for (i, phone) in [
        "+380 67 000 00 01",
        "+380 67 000 00 02",
        "+380 67 000 00 03",
    ]
    .into_iter()
    .enumerate()
    {
        let updated = app.patch(
            &path_of(&created),
            &token,
            Some(&etag),
            json!({"phone": phone}),
        );
        assert_eq!(updated.status, 200, "{:?}", updated.body);
        assert_eq!(updated.body["version"], i + 2);
        etag = updated.etag.unwrap();
    }
}

#[test]
fn an_invalid_update_changes_nothing() {
    let app = TestApp::start();
    let token = manager(&app);
    let created = family(&app, &token, None);

    let answer = app.patch(
        &path_of(&created),
        &token,
        created.etag.as_deref(),
        json!({"display_name": "", "sex": "robot"}),
    );

    assert_eq!(answer.status, 422, "{:?}", answer.body);
    let read = app.get(&path_of(&created), &token);
    assert_eq!(read.body["version"], 1);
    assert_eq!(read.etag, created.etag);
}

#[test]
fn an_unknown_client_is_not_found() {
    let app = TestApp::start();
    let token = manager(&app);

    let answer = app.get(
        "/api/v1/clients/0193a1c2-0000-7000-8000-000000000000",
        &token,
    );

    assert_eq!(answer.status, 404, "{:?}", answer.body);
    assert_eq!(answer.content_type, "application/problem+json");
}
