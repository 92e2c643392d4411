//! Extensible classifiers in the records: an intake report's `source`, an assessment's life
//! domain and a contact's `type` take a built-in code or an active one an administrator added;
//! once deactivated, new records refuse it (422 naming the field) and records keep theirs.

use chrono::{Duration, SecondsFormat, Utc};
use opora_domain::Role;
use opora_tests::walk::opened_case;
use opora_tests::TestApp;
use serde_json::{json, Value};

fn entry(code: &str, en: &str) -> Value {
    json!({"code": code, "labels": {
        "en": en, "uk": format!("{en} (uk)"), "ru": format!("{en} (ru)"), "cs": format!("{en} (cs)")}})
}

fn add(app: &TestApp, admin: &str, list: &str, code: &str, en: &str) {
    let added = app.post(
        &format!("/api/v1/reference/{list}/entries"),
        admin,
        entry(code, en),
    );
    assert_eq!(added.status, 201, "{list}/{code}: {:?}", added.body);
}

fn deactivate(app: &TestApp, admin: &str, list: &str, code: &str) {
    let answer = app.send(
        "POST",
        &format!("/api/v1/reference/{list}/entries/{code}/deactivation"),
        Some(admin),
        &[],
        None,
    );
    assert!(
        (200..300).contains(&answer.status),
        "{list}/{code}: {} {:?}",
        answer.status,
        answer.body
    );
}

#[test]
fn a_report_takes_an_added_source_until_it_is_deactivated() {
    let app = TestApp::start();
    let a = app.district_a.clone();
    let officer = app.staff("olena", &[Role::CaseManager], &a);
    let admin = app.staff("admin", &[Role::Admin], &app.centre.clone());
    let report = |source: &str| {
        app.post(
            "/api/v1/intake-reports",
            &officer,
            json!({"source": source, "urgency": "routine", "description": "x"}),
        )
    };

    let unknown = report("church_parish");
    assert_eq!(unknown.status, 422, "{:?}", unknown.body);
    assert_eq!(unknown.fields_at_fault(), ["source"]);
    assert_eq!(report("hotline").status, 201);

    add(
        &app,
        &admin,
        "report_sources",
        "church_parish",
        "Church parish",
    );
    let created = report("church_parish");
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["source"], "church_parish");
    let id = created.body["id"].as_str().unwrap().to_owned();

    deactivate(&app, &admin, "report_sources", "church_parish");
    let refused = report("church_parish");
    assert_eq!(refused.status, 422, "{:?}", refused.body);
    assert_eq!(refused.fields_at_fault(), ["source"]);
    // The report that took it keeps it, and the list still filters by it.
    let kept = app.get(&format!("/api/v1/intake-reports/{id}"), &officer);
    assert_eq!(kept.body["source"], "church_parish");
    let listed = app.get("/api/v1/intake-reports?source=church_parish", &officer);
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
}

#[test]
fn an_assessment_takes_an_added_life_domain_until_it_is_deactivated() {
    let app = TestApp::start();
    let a = app.district_a.clone();
    let manager = app.staff("olena", &[Role::CaseManager], &a);
    let admin = app.staff("admin", &[Role::Admin], &app.centre.clone());
    let case = opened_case(&app, &manager, "olena", "case_management");
    let url = format!("/api/v1/cases/{}/assessments", case["id"].as_str().unwrap());
    let assess = |domain: &str| {
        app.post(
            &url,
            &manager,
            json!({"kind": "initial", "summary": "s",
                   "domains": [{"domain": "health", "need_level": "low"},
                               {"domain": domain, "need_level": "high"}]}),
        )
    };

    let unknown = assess("digital_inclusion");
    assert_eq!(unknown.status, 422, "{:?}", unknown.body);
    assert_eq!(unknown.fields_at_fault(), ["domains[1].domain"]);

    add(
        &app,
        &admin,
        "life_domains",
        "digital_inclusion",
        "Digital inclusion",
    );
    let created = assess("digital_inclusion");
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["domains"][1]["domain"], "digital_inclusion");

    deactivate(&app, &admin, "life_domains", "digital_inclusion");
    let refused = assess("digital_inclusion");
    assert_eq!(refused.status, 422, "{:?}", refused.body);
    assert_eq!(refused.fields_at_fault(), ["domains[1].domain"]);
}

#[test]
fn a_contact_takes_an_added_type_until_it_is_deactivated() {
    let app = TestApp::start();
    let a = app.district_a.clone();
    let manager = app.staff("olena", &[Role::CaseManager], &a);
    let admin = app.staff("admin", &[Role::Admin], &app.centre.clone());
    let case = opened_case(&app, &manager, "olena", "case_management");
    let url = format!("/api/v1/cases/{}/contacts", case["id"].as_str().unwrap());
    let when = (Utc::now() + Duration::days(3)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let contact = |kind: &str| {
        app.post(
            &url,
            &manager,
            json!({"type": kind, "status": "planned", "scheduled_at": when, "purpose": "p",
                   "participants": {"member_ids": [], "staff_ids": ["olena"], "others": []}}),
        )
    };

    // `other` is a built-in contact type, listed with its labels.
    assert_eq!(contact("other").status, 201);
    let list = app.get("/api/v1/reference/contact_types", &manager);
    assert!(
        list.body["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "other" && e["built_in"] == true),
        "{:?}",
        list.body
    );

    let unknown = contact("group_session");
    assert_eq!(unknown.status, 422, "{:?}", unknown.body);
    assert_eq!(unknown.fields_at_fault(), ["type"]);

    add(
        &app,
        &admin,
        "contact_types",
        "group_session",
        "Group session",
    );
    let created = contact("group_session");
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["type"], "group_session");

    deactivate(&app, &admin, "contact_types", "group_session");
    let refused = contact("group_session");
    assert_eq!(refused.status, 422, "{:?}", refused.body);
    assert_eq!(refused.fields_at_fault(), ["type"]);
}
