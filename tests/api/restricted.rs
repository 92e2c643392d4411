//! A restricted case is visible only to the staff named on it (always a supervisor) and its key
//! worker; to everyone else it does not exist.

use opora_domain::Role;
use opora_tests::walk::opened_case;
use opora_tests::TestApp;
use serde_json::json;

#[test]
fn a_restricted_case_disappears_for_everyone_not_named() {
    let app = TestApp::start();
    let a = app.district_a.clone();
    let key_worker = app.staff("olena", &[Role::CaseManager], &a);
    let supervisor = app.staff("iryna", &[Role::Supervisor], &a);
    let colleague = app.staff("andrii", &[Role::CaseManager], &a);
    let auditor = app.staff("maria", &[Role::Auditor], &a);
    let case = opened_case(&app, &key_worker, "olena", "case_management");
    let id = case["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/cases/{id}");
    assert_eq!(app.get(&path, &colleague).status, 200);

    let by_manager = app.send(
        "PUT",
        &format!("{path}/restriction"),
        Some(&key_worker),
        &[],
        Some(&json!({"restricted": true, "named_staff": ["olena"], "reason": "r"})),
    );
    assert_eq!(by_manager.status, 403, "only supervisors restrict");
    let without_self = app.send(
        "PUT",
        &format!("{path}/restriction"),
        Some(&supervisor),
        &[],
        Some(&json!({"restricted": true, "named_staff": [], "reason": "r"})),
    );
    assert_eq!(
        (without_self.status, without_self.fields_at_fault()),
        (422, vec!["named_staff".to_owned()])
    );
    let restricted = app.send(
        "PUT",
        &format!("{path}/restriction"),
        Some(&supervisor),
        &[],
        Some(&json!({"restricted": true, "named_staff": ["iryna"], "reason": "The mother's partner works here"})),
    );
    assert_eq!(
        (restricted.status, restricted.body["named_staff"].clone()),
        (200, json!(["iryna"])),
        "{:?}",
        restricted.body
    );

    for (who, token, sees) in [
        ("key worker", &key_worker, true),
        ("supervisor", &supervisor, true),
        ("colleague", &colleague, false),
        ("auditor", &auditor, false),
    ] {
        let status = app.get(&path, token).status;
        assert_eq!(status, if sees { 200 } else { 404 }, "{who}");
        let listed = app
            .get("/api/v1/cases", token)
            .body
            .to_string()
            .contains(&id);
        assert_eq!(listed, sees, "{who} in the list");
        assert_eq!(
            app.get(&format!("{path}/events"), token).status,
            if sees { 200 } else { 404 },
            "{who} history"
        );
    }

    // The work queue follows the same rule: a second supervisor of the unit, not named, finds
    // nothing of the case in the unit's queue; the named one does.
    let other_supervisor = app.staff("petro", &[Role::Supervisor], &a);
    for (token, sees) in [(&supervisor, true), (&other_supervisor, false)] {
        let queue = app
            .get("/api/v1/work-queue?scope=units", token)
            .body
            .to_string();
        assert_eq!(queue.contains(&id), sees, "{queue}");
    }

    let lifted = app.send(
        "PUT",
        &format!("{path}/restriction"),
        Some(&supervisor),
        &[],
        Some(&json!({"restricted": false, "reason": "Partner left the department"})),
    );
    assert_eq!(lifted.status, 200);
    assert_eq!(app.get(&path, &colleague).status, 200);
    let events = app.get(&format!("{path}/events"), &supervisor).body;
    let actions: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"case.restricted") && actions.contains(&"case.unrestricted"),
        "{actions:?}"
    );
}

#[test]
fn a_key_worker_in_a_service_below_sees_the_case_they_lead_and_its_client() {
    let app = TestApp::start();
    let service = app
        .store
        .create_unit(opora_persistence::directory::NewUnit {
            parent_id: Some(app.district_a.clone()),
            kind: opora_domain::UnitKind::Service,
            name: "Family support".into(),
        })
        .unwrap()
        .id;
    let supervisor = app.staff("iryna", &[Role::Supervisor], &app.district_a.clone());
    let worker = app.staff("olena", &[Role::CaseManager], &service);
    // The district's supervisor opens the case with a key worker of the service below.
    let case = opened_case(&app, &supervisor, "olena", "case_management");
    let id = case["id"].as_str().unwrap();
    assert_eq!(app.get(&format!("/api/v1/cases/{id}"), &worker).status, 200);
    assert!(app
        .get("/api/v1/cases", &worker)
        .body
        .to_string()
        .contains(id));
    assert_eq!(
        app.get(
            &format!("/api/v1/clients/{}", case["client_id"].as_str().unwrap()),
            &worker
        )
        .status,
        200
    );
    let queue = app.get("/api/v1/work-queue", &worker).body.to_string();
    assert!(
        queue.contains(id),
        "the key worker's work queue holds the case: {queue}"
    );
    // A colleague of the same service who does not lead it still does not see it.
    let colleague = app.staff("andrii", &[Role::CaseManager], &service);
    assert_eq!(
        app.get(&format!("/api/v1/cases/{id}"), &colleague).status,
        404
    );
}
