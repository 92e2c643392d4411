//! Clients and families in depth: client categories from the classifier, several phones, a
//! child's school, and the client questionnaire (seed 003) with its sensitive questions kept in
//! the sensitive sections.

use opora_domain::Role;
use opora_tests::walk::{family, move_case, opened_case};
use opora_tests::{Answer, TestApp};
use serde_json::{json, Value};

fn manager(app: &TestApp) -> String {
    app.staff("olena", &[Role::CaseManager], &app.district_a)
}

fn put(app: &TestApp, path: &str, token: &str, if_match: Option<&str>, body: Value) -> Answer {
    let headers: Vec<(&str, &str)> = if_match.map(|e| vec![("If-Match", e)]).unwrap_or_default();
    app.send("PUT", path, Some(token), &headers, Some(&body))
}

fn add_category(app: &TestApp, code: &str) {
    let admin = app.staff("admin", &[Role::Admin], &app.district_a);
    let added = app.post(
        "/api/v1/reference/client_categories/entries",
        &admin,
        json!({"code": code, "labels": {"en": code, "uk": format!("{code} uk"), "ru": format!("{code} ru"), "cs": format!("{code} cs")}}),
    );
    assert_eq!(added.status, 201, "{:?}", added.body);
}

fn deactivate_category(app: &TestApp, code: &str) {
    let admin = app.staff("admin", &[Role::Admin], &app.district_a);
    let gone = app.send(
        "POST",
        &format!("/api/v1/reference/client_categories/entries/{code}/deactivation"),
        Some(&admin),
        &[],
        None,
    );
    assert_eq!(gone.status, 200, "{:?}", gone.body);
}

fn person(categories: Value) -> Value {
    json!({"kind": "person", "display_name": "Ivan Petrenko", "categories": categories})
}

fn ids(list: &Answer) -> Vec<String> {
    list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn categories_come_from_the_classifier_and_filter_the_list() {
    let app = TestApp::start();
    let token = manager(&app);
    add_category(&app, "roma_families");

    let created = app.post(
        "/api/v1/clients",
        &token,
        person(json!(["single_parent", "roma_families"])),
    );
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(
        created.body["categories"],
        json!(["single_parent", "roma_families"])
    );
    let read = app.get(&format!("/api/v1/clients/{}", created.id()), &token);
    assert_eq!(read.body["categories"], created.body["categories"]);

    let unknown = app.post(
        "/api/v1/clients",
        &token,
        person(json!(["single_parent", "no_such_category"])),
    );
    assert_eq!(unknown.status, 422, "{:?}", unknown.body);
    assert_eq!(unknown.fields_at_fault(), ["categories[1]"]);
    let twice = app.post(
        "/api/v1/clients",
        &token,
        person(json!(["single_parent", "single_parent"])),
    );
    assert_eq!(twice.status, 422);
    assert_eq!(twice.fields_at_fault(), ["categories[1]"]);

    deactivate_category(&app, "roma_families");
    let deactivated = app.post("/api/v1/clients", &token, person(json!(["roma_families"])));
    assert_eq!(deactivated.status, 422, "{:?}", deactivated.body);
    assert_eq!(deactivated.fields_at_fault(), ["categories[0]"]);
    // A client who already has it may keep it; a new one may not be given it.
    let other = app.post("/api/v1/clients", &token, person(json!([])));
    let path = format!("/api/v1/clients/{}", created.id());
    let kept = app.patch(
        &path,
        &token,
        created.etag.as_deref(),
        json!({"categories": ["roma_families", "large_families"]}),
    );
    assert_eq!(kept.status, 200, "{:?}", kept.body);
    assert_eq!(
        kept.body["categories"],
        json!(["roma_families", "large_families"])
    );
    let refused = app.patch(
        &format!("/api/v1/clients/{}", other.id()),
        &token,
        other.etag.as_deref(),
        json!({"categories": ["roma_families"]}),
    );
    assert_eq!(refused.status, 422, "{:?}", refused.body);
    assert_eq!(refused.fields_at_fault(), ["categories[0]"]);

    let large = app.get("/api/v1/clients?category=large_families", &token);
    assert_eq!(large.status, 200, "{:?}", large.body);
    assert_eq!(ids(&large), [created.id()]);
    let none = app.get("/api/v1/clients?category=single_parent", &token);
    assert_eq!(ids(&none), Vec::<String>::new());
    // Another district's clients never show, whatever their category.
    let b = app.staff("b-olena", &[Role::CaseManager], &app.district_b);
    let theirs = app.post("/api/v1/clients", &b, person(json!(["large_families"])));
    assert_eq!(theirs.status, 201);
    assert_eq!(
        ids(&app.get("/api/v1/clients?category=large_families", &token)),
        [created.id()]
    );
}

#[test]
fn phones_and_a_childs_school_are_stored_and_replaced() {
    let app = TestApp::start();
    let token = manager(&app);
    let created = app.post(
        "/api/v1/clients",
        &token,
        json!({
            "kind": "family", "display_name": "Shevchenko family", "district": "Suvorovskyi",
            "phones": [
                {"number": "+380 67 123 45 67", "kind": "mobile", "note": "mother"},
                {"number": "+380 48 700 00 00", "kind": "home"}
            ],
            "members": [
                {"full_name": "Oksana Shevchenko", "relation": "head", "is_child": false},
                {"full_name": "Daryna Shevchenko", "relation": "child", "is_child": true,
                 "school": {"name": "School no. 45", "class_group": "5-B"}},
                {"full_name": "Ivan Shevchenko", "relation": "child", "is_child": true}
            ]
        }),
    );
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(
        created.body["phones"],
        json!([
            {"number": "+380 67 123 45 67", "kind": "mobile", "note": "mother"},
            {"number": "+380 48 700 00 00", "kind": "home", "note": null}
        ])
    );
    assert_eq!(
        created.body["members"][1]["school"],
        json!({"name": "School no. 45", "class_group": "5-B"})
    );
    assert_eq!(created.body["members"][2]["school"], Value::Null);
    assert_eq!(created.body["district"], "Suvorovskyi");

    let path = format!("/api/v1/clients/{}", created.id());
    let bad_kind = app.patch(
        &path,
        &token,
        created.etag.as_deref(),
        json!({"phones": [{"number": "1", "kind": "fax"}]}),
    );
    assert_eq!(bad_kind.status, 422, "{:?}", bad_kind.body);
    let adult_school = app.patch(
        &path,
        &token,
        created.etag.as_deref(),
        json!({"members": [{"full_name": "Oksana Shevchenko", "relation": "head", "is_child": false,
                            "school": {"name": "Evening school"}}]}),
    );
    assert_eq!(adult_school.status, 422, "{:?}", adult_school.body);
    assert_eq!(adult_school.fields_at_fault(), ["members[0].school"]);

    let replaced = app.patch(
        &path,
        &token,
        created.etag.as_deref(),
        json!({"phones": [{"number": "+380 50 000 00 00", "kind": "work"}]}),
    );
    assert_eq!(replaced.status, 200, "{:?}", replaced.body);
    assert_eq!(replaced.body["phones"].as_array().unwrap().len(), 1);
    assert_eq!(replaced.body["phones"][0]["kind"], "work");
    // Members untouched keep their school.
    assert_eq!(
        replaced.body["members"][1]["school"]["name"],
        "School no. 45"
    );
}

fn questionnaire() -> Value {
    json!({
        "education": {"level": "vocational", "speciality": "cook", "studying_now": false},
        "housing": {"type": "flat", "tenure": "rented", "conditions": "two rooms"},
        "relatives": {"list": [{"name": "Halyna", "relation": "mother"}]},
        "reasons_for_coming": {"reasons": "threat of eviction"}
    })
}

#[test]
fn the_questionnaire_is_versioned_with_if_match() {
    let app = TestApp::start();
    let token = manager(&app);
    let client = family(&app, &token, None).id();
    let path = format!("/api/v1/clients/{client}/questionnaire");

    let empty = app.get(&path, &token);
    assert_eq!(empty.status, 200, "{:?}", empty.body);
    assert_eq!(empty.etag.as_deref(), Some("\"v0\""));
    assert_eq!(empty.body["version"], 0);
    assert_eq!(empty.body["housing"], Value::Null);

    let without = put(&app, &path, &token, None, questionnaire());
    assert_eq!(without.status, 428, "{:?}", without.body);
    let stale = put(&app, &path, &token, Some("\"v3\""), questionnaire());
    assert_eq!(stale.status, 412, "{:?}", stale.body);

    let written = put(&app, &path, &token, Some("\"v0\""), questionnaire());
    assert_eq!(written.status, 200, "{:?}", written.body);
    assert_eq!(written.etag.as_deref(), Some("\"v1\""));
    assert_eq!(written.body["updated_by"], "olena");
    let read = app.get(&path, &token);
    assert_eq!(read.etag.as_deref(), Some("\"v1\""));
    assert_eq!(read.body["housing"]["tenure"], "rented");
    assert_eq!(read.body["relatives"]["list"][0]["relation"], "mother");
    assert_eq!(read.body, written.body);

    let again = put(&app, &path, &token, Some("\"v0\""), questionnaire());
    assert_eq!(again.status, 412);
    let second = put(
        &app,
        &path,
        &token,
        Some("\"v1\""),
        json!({"work": {"employed": true}}),
    );
    assert_eq!(second.status, 200, "{:?}", second.body);
    assert_eq!(second.body["version"], 2);
    assert_eq!(
        second.body["housing"],
        Value::Null,
        "a PUT replaces the whole"
    );

    // Shape: unknown questions and sections are named; the sensitive ones go elsewhere.
    let unknown_question = put(
        &app,
        &path,
        &token,
        Some("\"v2\""),
        json!({"housing": {"colour": "red"}}),
    );
    assert_eq!(unknown_question.status, 422, "{:?}", unknown_question.body);
    assert_eq!(unknown_question.fields_at_fault(), ["housing.colour"]);
    let too_long = put(
        &app,
        &path,
        &token,
        Some("\"v2\""),
        json!({"housing": {"notes": "x".repeat(2001)}}),
    );
    assert_eq!(too_long.status, 422);
    assert_eq!(too_long.fields_at_fault(), ["housing.notes"]);
    let not_object = put(
        &app,
        &path,
        &token,
        Some("\"v2\""),
        json!({"housing": "flat"}),
    );
    assert_eq!(not_object.status, 422);
    let sensitive = put(
        &app,
        &path,
        &token,
        Some("\"v2\""),
        json!({"health": {"diagnoses": ["asthma"]}}),
    );
    assert!(
        [400, 422].contains(&sensitive.status),
        "{:?}",
        sensitive.body
    );

    // Every write is an event with before and after.
    let auditor = app.staff("maria", &[Role::Auditor], &app.district_a);
    let audit = app.get(
        &format!("/api/v1/audit/entries?subject_id={client}&action=client.questionnaire.updated"),
        &auditor,
    );
    assert_eq!(audit.status, 200, "{:?}", audit.body);
    assert_eq!(audit.body["items"].as_array().map(Vec::len), Some(2));
    // The entries name the sections that changed, never the answers.
    let text = audit.body.to_string();
    assert!(!text.contains("cook"), "{text}");
    let details = |entry: &serde_json::Value| entry["payload"]["details"].clone();
    let items = audit.body["items"].as_array().cloned().unwrap_or_default();
    assert!(
        items.iter().any(|e| details(e)["changed_sections"]
            .as_array()
            .is_some_and(|s| !s.is_empty())),
        "{items:?}"
    );
}

#[test]
fn an_auditor_reads_the_questionnaire_but_may_not_write_and_other_districts_do_not_see_it() {
    let app = TestApp::start();
    let token = manager(&app);
    let client = family(&app, &token, None).id();
    let path = format!("/api/v1/clients/{client}/questionnaire");
    assert_eq!(
        put(&app, &path, &token, Some("\"v0\""), questionnaire()).status,
        200
    );

    let auditor = app.staff("maria", &[Role::Auditor], &app.district_a);
    let read = app.get(&path, &auditor);
    assert_eq!(read.status, 200, "{:?}", read.body);
    assert_eq!(read.body["education"]["speciality"], "cook");
    let write = put(&app, &path, &auditor, Some("\"v1\""), questionnaire());
    assert_eq!(write.status, 403, "{:?}", write.body);

    let foreign = app.staff("b-olena", &[Role::CaseManager], &app.district_b);
    assert_eq!(app.get(&path, &foreign).status, 404);
    assert_eq!(
        put(&app, &path, &foreign, Some("\"v1\""), questionnaire()).status,
        404
    );
    assert_eq!(
        app.get(&format!("/api/v1/clients/{client}"), &foreign)
            .status,
        404
    );
}

#[test]
fn retention_clears_phones_schools_and_the_questionnaire_and_the_export_holds_them() {
    let app = TestApp::start();
    let token = manager(&app);
    let supervisor = app.staff("iryna", &[Role::Supervisor], &app.district_a);
    let case = opened_case(&app, &token, "olena", "case_management");
    let client = case["client_id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/clients/{client}");
    let current = app.get(&path, &token);
    let patched = app.patch(
        &path,
        &token,
        current.etag.as_deref(),
        json!({
            "categories": ["single_parent"],
            "phones": [{"number": "+380 67 123 45 67", "kind": "mobile"}],
            "members": [
                {"full_name": "Oksana Shevchenko", "relation": "head", "is_child": false},
                {"full_name": "Daryna Shevchenko", "relation": "child", "is_child": true,
                 "school": {"name": "School no. 45", "class_group": "5-B"}}
            ]
        }),
    );
    assert_eq!(patched.status, 200, "{:?}", patched.body);
    let q = format!("{path}/questionnaire");
    assert_eq!(
        put(&app, &q, &token, Some("\"v0\""), questionnaire()).status,
        200
    );

    let export = app.get(&format!("{path}/export"), &supervisor);
    assert_eq!(export.status, 200, "{:?}", export.body);
    assert_eq!(export.body["phones"][0]["number"], "+380 67 123 45 67");
    assert_eq!(export.body["categories"], json!(["single_parent"]));
    assert_eq!(export.body["members"][1]["school_name"], "School no. 45");
    assert_eq!(
        export.body["questionnaire"]["sections"]["housing"]["tenure"],
        "rented"
    );

    opora_tests::walk::closure_report(&app, &token, case["id"].as_str().unwrap(), "moved_away");
    let closed = move_case(
        &app,
        &token,
        case["id"].as_str().unwrap(),
        json!({"from": "opened", "to": "closed", "closure_reason": "moved_away"}),
    );
    assert_eq!(closed.status, 200, "{:?}", closed.body);
    let cutoff = chrono::Utc::now().naive_utc() + chrono::Duration::days(1);
    let report = app.store.run_retention(cutoff, false).unwrap();
    assert_eq!(report.pseudonymised, std::slice::from_ref(&client));

    let after = app.get(&path, &token);
    assert_eq!(after.body["phones"], json!([]));
    assert_eq!(after.body["members"][1]["school"], Value::Null);
    assert!(!after.body.to_string().contains("School no. 45"));
    let q_after = app.get(&q, &token);
    assert_eq!(q_after.status, 200);
    assert_eq!(q_after.body["version"], 0);
    assert_eq!(q_after.body["housing"], Value::Null);
}
