//! Data-subject rights: the export of everything held about a person, legal holds, and retention's
//! pseudonymisation, which leaves the audit chain verifiable.

use opora_domain::Role;
use opora_tests::walk::{move_case, opened_case};
use opora_tests::TestApp;
use serde_json::json;

fn closed_family_case(app: &TestApp, manager: &str) -> (String, String) {
    let case = opened_case(app, manager, "olena", "case_management");
    let id = case["id"].as_str().unwrap().to_owned();
    opora_tests::walk::closure_report(app, manager, &id, "moved_away");
    let closed = move_case(
        app,
        manager,
        &id,
        json!({"from": "opened", "to": "closed", "closure_reason": "moved_away"}),
    );
    assert_eq!(closed.status, 200, "{:?}", closed.body);
    (case["client_id"].as_str().unwrap().to_owned(), id)
}

#[test]
fn the_export_holds_everything_about_the_client_with_the_reporter_redacted() {
    let app = TestApp::start();
    let a = app.district_a.clone();
    let manager = app.staff("olena", &[Role::CaseManager], &a);
    let supervisor = app.staff("iryna", &[Role::Supervisor], &a);
    let case = opened_case(&app, &manager, "olena", "case_management");
    let client = case["client_id"].as_str().unwrap();
    app.post(
        "/api/v1/intake-reports",
        &manager,
        json!({"source": "police", "urgency": "urgent", "description": "Second report", "client_id": client, "reporter": "Officer Bondar"}),
    );
    app.send(
        "PUT",
        &format!("/api/v1/clients/{client}/sensitive/health"),
        Some(&manager),
        &[],
        Some(&json!({"content": {"diagnoses": ["asthma"]}})),
    );
    app.post(
        &format!("/api/v1/clients/{client}/disclosures"),
        &manager,
        json!({"recipient_organisation": "Child-protection service", "sections": ["health"], "legal_basis": "child_in_danger", "purpose": "duty to inform"}),
    );

    assert_eq!(
        app.get(&format!("/api/v1/clients/{client}/export"), &manager)
            .status,
        403,
        "supervisors export"
    );
    let export = app.get(&format!("/api/v1/clients/{client}/export"), &supervisor);
    assert_eq!(export.status, 200, "{:?}", export.body);
    let body = &export.body;
    assert_eq!(body["client"]["id"], client);
    assert_eq!(body["cases"].as_array().map(Vec::len), Some(1));
    assert_eq!(body["intake_reports"].as_array().map(Vec::len), Some(2));
    assert!(
        !body.to_string().contains("Officer Bondar"),
        "the reporter is redacted"
    );
    assert_eq!(body["sensitive_sections"][0]["section"], "health");
    assert_eq!(
        body["disclosures"][0]["recipient_organisation"],
        "Child-protection service"
    );
    assert!(body["events"].as_array().is_some_and(|e| e.len() >= 4));

    let auditor = app.staff("maria", &[Role::Auditor], &a);
    let logged = app.get(
        &format!("/api/v1/audit/entries?subject_id={client}&action=client.exported"),
        &auditor,
    );
    assert_eq!(logged.body["items"].as_array().map(Vec::len), Some(1));
}

#[test]
fn retention_pseudonymises_closed_cases_except_under_a_legal_hold_and_the_chain_still_verifies() {
    let app = TestApp::start();
    let a = app.district_a.clone();
    let manager = app.staff("olena", &[Role::CaseManager], &a);
    let supervisor = app.staff("iryna", &[Role::Supervisor], &a);
    let auditor = app.staff("maria", &[Role::Auditor], &a);
    let (expired, _) = closed_family_case(&app, &manager);
    let (held, _) = closed_family_case(&app, &manager);
    let open = opened_case(&app, &manager, "olena", "case_management");
    let hold = app.send(
        "PUT",
        &format!("/api/v1/clients/{held}/legal-hold"),
        Some(&supervisor),
        &[],
        Some(&json!({"hold": true, "reason": "custody proceedings"})),
    );
    assert_eq!(
        (hold.status, hold.body["hold"].as_bool()),
        (200, Some(true))
    );

    // A cutoff after "now" stands for a retention period that has passed.
    let cutoff = chrono::Utc::now().naive_utc() + chrono::Duration::days(1);
    let dry = app.store.run_retention(cutoff, true).unwrap();
    assert_eq!(
        (dry.pseudonymised.clone(), dry.held.clone()),
        (vec![expired.clone()], vec![held.clone()])
    );
    let before = app
        .get(&format!("/api/v1/clients/{expired}"), &manager)
        .body;
    assert_eq!(
        before["display_name"], "Shevchenko family",
        "a dry run changes nothing"
    );

    app.store.run_retention(cutoff, false).unwrap();
    let after = app
        .get(&format!("/api/v1/clients/{expired}"), &manager)
        .body;
    assert!(
        after["display_name"]
            .as_str()
            .unwrap()
            .starts_with("Pseudonymised client"),
        "{after}"
    );
    assert_eq!(after["members"][0]["full_name"], "Member 1");
    assert!(!after.to_string().contains("Shevchenko"));
    assert_eq!(
        app.get(&format!("/api/v1/clients/{held}"), &manager).body["display_name"],
        "Shevchenko family"
    );
    let still_open = open["client_id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/clients/{still_open}"), &manager)
            .body["display_name"],
        "Shevchenko family"
    );

    let verification = app.post("/api/v1/audit/verification", &auditor, json!({}));
    assert_eq!(verification.body["valid"], true, "{:?}", verification.body);
    assert!(verification.body["erased_payloads"].as_i64().unwrap_or(0) > 0);
}

#[test]
fn a_members_export_hides_the_other_members_and_the_familys_sensitive_sections() {
    let app = TestApp::start();
    let a = app.district_a.clone();
    let manager = app.staff("olena", &[Role::CaseManager], &a);
    let supervisor = app.staff("iryna", &[Role::Supervisor], &a);
    let case = opened_case(&app, &manager, "olena", "case_management");
    let client = case["client_id"].as_str().unwrap();
    app.send(
        "PUT",
        &format!("/api/v1/clients/{client}/sensitive/violence"),
        Some(&manager),
        &[],
        Some(&json!({"content": {"note": "Daryna Shevchenko has bruises"}})),
    );
    app.post(
        &format!("/api/v1/cases/{}/assessments", case["id"].as_str().unwrap()),
        &manager,
        json!({"kind": "initial", "summary": "Oksana Shevchenko works nights; Daryna Shevchenko looks after her brother", "complete": true}),
    );
    let members = app.get(&format!("/api/v1/clients/{client}"), &manager).body["members"].clone();
    let oksana = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["full_name"] == "Oksana Shevchenko")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let export = app.get(
        &format!("/api/v1/clients/{client}/export?member_id={oksana}"),
        &supervisor,
    );
    assert_eq!(export.status, 200, "{:?}", export.body);
    let text = export.body.to_string();
    assert!(
        text.contains("Oksana Shevchenko"),
        "the subject's own data stays"
    );
    assert!(
        !text.contains("Daryna"),
        "another member's name is nowhere: {text}"
    );
    assert_eq!(export.body["sensitive_sections"], json!([]));
    assert_eq!(export.body["subject_member_id"], oksana.as_str());

    let unknown = app.get(
        &format!("/api/v1/clients/{client}/export?member_id=nobody"),
        &supervisor,
    );
    assert_eq!(
        (unknown.status, unknown.fields_at_fault()),
        (422, vec!["member_id".to_owned()])
    );
}
