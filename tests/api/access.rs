//! Scope and roles: a record outside the caller's units is 404 (its existence is not revealed)
//! and absent from lists; a visible record the caller's role may not touch is 403.

use opora_domain::Role;
use opora_tests::walk::{family, move_case, move_report, opened_case, report};
use opora_tests::{Answer, TestApp};
use serde_json::{json, Value};

/// A client, a report about them and a case opened from it, all in district A.
struct DistrictA {
    app: TestApp,
    manager: String,
    client: String,
    report: String,
    case: String,
}

fn district_a() -> DistrictA {
    let app = TestApp::start();
    let manager = app.staff("olena", &[Role::CaseManager], &app.district_a);
    let case = opened_case(&app, &manager, "olena", "case_management");
    let case_id = case["id"].as_str().unwrap().to_owned();
    let client = case["client_id"].as_str().unwrap().to_owned();
    let report = case["report_id"].as_str().unwrap().to_owned();
    DistrictA {
        app,
        manager,
        client,
        report,
        case: case_id,
    }
}

fn ids(answer: &Answer) -> Vec<String> {
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

fn assert_forbidden(answer: &Answer) {
    assert_eq!(answer.status, 403, "{:?}", answer.body);
    assert_eq!(answer.content_type, "application/problem+json");
    assert_eq!(answer.problem_kind(), "forbidden");
}

fn assert_not_found(answer: &Answer) {
    assert_eq!(answer.status, 404, "{:?}", answer.body);
    assert_eq!(answer.content_type, "application/problem+json");
    assert_eq!(answer.problem_kind(), "not-found");
}

fn close(app: &TestApp, token: &str, case: &str) -> Answer {
    move_case(
        app,
        token,
        case,
        json!({"from": "opened", "to": "closed", "closure_reason": "client_ended_agreement"}),
    )
}

fn etag_of_case(app: &TestApp, token: &str, case: &str) -> String {
    let answer = app.get(&format!("/api/v1/cases/{case}"), token);
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.etag.unwrap()
}

fn assessment() -> Value {
    json!({"kind": "initial", "summary": "Children alone at night", "complete": true})
}

#[test]
fn a_case_manager_of_another_district_gets_not_found_for_its_client_report_and_case() {
    let a = district_a();
    let other = a
        .app
        .staff("bohdan", &[Role::CaseManager], &a.app.district_b);

    for path in [
        format!("/api/v1/clients/{}", a.client),
        format!("/api/v1/intake-reports/{}", a.report),
        format!("/api/v1/cases/{}", a.case),
        format!("/api/v1/cases/{}/events", a.case),
        format!("/api/v1/cases/{}/assessments", a.case),
    ] {
        let answer = a.app.get(&path, &other);

        assert_not_found(&answer);
    }
}

#[test]
fn a_case_manager_of_another_district_gets_not_found_when_changing_its_records() {
    let a = district_a();
    let other = a
        .app
        .staff("bohdan", &[Role::CaseManager], &a.app.district_b);

    let moved = move_report(
        &a.app,
        &other,
        &a.report,
        json!({"from": "opened", "to": "verification"}),
    );
    assert_not_found(&moved);
    let closed = close(&a.app, &other, &a.case);
    assert_not_found(&closed);
    let patched = a.app.patch(
        &format!("/api/v1/clients/{}", a.client),
        &other,
        Some("\"v1\""),
        json!({"phone": "+380 00 000 00 00"}),
    );
    assert_not_found(&patched);
    let recorded = a.app.post(
        &format!("/api/v1/cases/{}/assessments", a.case),
        &other,
        assessment(),
    );
    assert_not_found(&recorded);

    // Nothing changed.
    let case = a.app.get(&format!("/api/v1/cases/{}", a.case), &a.manager);
    assert_eq!(case.body["lifecycle_stage"], "opened");
    assert_eq!(case.body["version"], 1);
}

#[test]
fn a_case_manager_of_another_district_does_not_see_its_records_in_lists() {
    let a = district_a();
    let other = a
        .app
        .staff("bohdan", &[Role::CaseManager], &a.app.district_b);
    let own_client = family(&a.app, &other, None).id();
    let own_report = report(&a.app, &other, Some(&own_client)).id();

    let clients = ids(&a.app.get("/api/v1/clients", &other));
    let reports = ids(&a.app.get("/api/v1/intake-reports", &other));
    let cases = ids(&a.app.get("/api/v1/cases", &other));

    assert_eq!(clients, [own_client]);
    assert_eq!(reports, [own_report]);
    assert!(cases.is_empty(), "{cases:?}");
    // Filtering by the foreign client's id does not reveal it either.
    let filtered = ids(&a
        .app
        .get(&format!("/api/v1/cases?client_id={}", a.client), &other));
    assert!(filtered.is_empty(), "{filtered:?}");
}

#[test]
fn a_supervisor_of_the_centre_sees_the_records_of_both_districts() {
    let a = district_a();
    let other = a
        .app
        .staff("bohdan", &[Role::CaseManager], &a.app.district_b);
    let b_case = opened_case(&a.app, &other, "bohdan", "individual");
    let b_case_id = b_case["id"].as_str().unwrap().to_owned();
    let b_client = b_case["client_id"].as_str().unwrap().to_owned();
    let b_report = b_case["report_id"].as_str().unwrap().to_owned();
    let supervisor = a.app.staff("iryna", &[Role::Supervisor], &a.app.centre);

    for path in [
        format!("/api/v1/clients/{}", a.client),
        format!("/api/v1/clients/{b_client}"),
        format!("/api/v1/intake-reports/{}", a.report),
        format!("/api/v1/intake-reports/{b_report}"),
        format!("/api/v1/cases/{}", a.case),
        format!("/api/v1/cases/{b_case_id}"),
    ] {
        let answer = a.app.get(&path, &supervisor);
        assert_eq!(answer.status, 200, "{path}: {:?}", answer.body);
    }
    let mut clients = ids(&a.app.get("/api/v1/clients", &supervisor));
    clients.sort();
    let mut expected = vec![a.client.clone(), b_client];
    expected.sort();
    assert_eq!(clients, expected);
    let mut cases = ids(&a.app.get("/api/v1/cases", &supervisor));
    cases.sort();
    let mut expected = vec![a.case.clone(), b_case_id];
    expected.sort();
    assert_eq!(cases, expected);
    assert_eq!(
        ids(&a.app.get("/api/v1/intake-reports", &supervisor)).len(),
        2
    );
}

#[test]
fn an_auditor_of_the_centre_reads_cases_and_their_history() {
    let a = district_a();
    let auditor = a.app.staff("anna", &[Role::Auditor], &a.app.centre);

    let case = a.app.get(&format!("/api/v1/cases/{}", a.case), &auditor);
    let events = a
        .app
        .get(&format!("/api/v1/cases/{}/events", a.case), &auditor);
    let cases = ids(&a.app.get("/api/v1/cases", &auditor));

    assert_eq!(case.status, 200, "{:?}", case.body);
    assert_eq!(case.body["id"], a.case.as_str());
    assert_eq!(events.status, 200, "{:?}", events.body);
    assert!(!events.body.as_array().unwrap().is_empty());
    assert_eq!(cases, [a.case.as_str()]);
}

#[test]
fn an_auditor_may_not_create_a_client() {
    let a = district_a();
    let auditor = a.app.staff("anna", &[Role::Auditor], &a.app.centre);

    let answer = a.app.post(
        "/api/v1/clients",
        &auditor,
        json!({"kind": "person", "display_name": "Ivan Petrenko"}),
    );

    assert_forbidden(&answer);
}

#[test]
fn an_auditor_may_not_move_a_report() {
    let a = district_a();
    let fresh = report(&a.app, &a.manager, Some(&a.client)).id();
    let auditor = a.app.staff("anna", &[Role::Auditor], &a.app.centre);

    let answer = move_report(
        &a.app,
        &auditor,
        &fresh,
        json!({"from": "intake", "to": "verification"}),
    );

    assert_forbidden(&answer);
    let unchanged = a
        .app
        .get(&format!("/api/v1/intake-reports/{fresh}"), &a.manager);
    assert_eq!(unchanged.body["stage"], "intake");
}

#[test]
fn an_auditor_may_not_update_a_case() {
    let a = district_a();
    let auditor = a.app.staff("anna", &[Role::Auditor], &a.app.centre);
    let etag = etag_of_case(&a.app, &auditor, &a.case);

    let answer = a.app.patch(
        &format!("/api/v1/cases/{}", a.case),
        &auditor,
        Some(&etag),
        json!({"urgency": "emergency", "reason": "audit"}),
    );

    assert_forbidden(&answer);
    let unchanged = a.app.get(&format!("/api/v1/cases/{}", a.case), &a.manager);
    assert_eq!(unchanged.body["urgency"], "urgent");
}

#[test]
fn an_auditor_may_not_record_an_assessment() {
    let a = district_a();
    let auditor = a.app.staff("anna", &[Role::Auditor], &a.app.centre);

    let answer = a.app.post(
        &format!("/api/v1/cases/{}/assessments", a.case),
        &auditor,
        assessment(),
    );

    assert_forbidden(&answer);
}

#[test]
fn an_auditor_may_not_move_a_case() {
    let a = district_a();
    let auditor = a.app.staff("anna", &[Role::Auditor], &a.app.centre);

    let answer = close(&a.app, &auditor, &a.case);

    assert_forbidden(&answer);
}

#[test]
fn an_admin_may_not_read_case_records() {
    let a = district_a();
    let admin = a.app.staff("adam", &[Role::Admin], &a.app.centre);

    let case = a.app.get(&format!("/api/v1/cases/{}", a.case), &admin);
    let cases = a.app.get("/api/v1/cases", &admin);
    let client = a.app.get(&format!("/api/v1/clients/{}", a.client), &admin);
    let events = a
        .app
        .get(&format!("/api/v1/cases/{}/events", a.case), &admin);

    assert_forbidden(&case);
    assert_forbidden(&cases);
    assert_forbidden(&client);
    assert_forbidden(&events);
}

#[test]
fn a_specialist_records_an_assessment_but_may_not_move_the_case() {
    let a = district_a();
    let specialist = a.app.staff("sofia", &[Role::Specialist], &a.app.district_a);

    let recorded = a.app.post(
        &format!("/api/v1/cases/{}/assessments", a.case),
        &specialist,
        assessment(),
    );
    let moved = move_case(
        &a.app,
        &specialist,
        &a.case,
        json!({"from": "establishing_contact", "to": "needs_assessment"}),
    );

    assert_eq!(recorded.status, 201, "{:?}", recorded.body);
    assert_eq!(recorded.body["created_by"], "sofia");
    assert_forbidden(&moved);
    let unchanged = a.app.get(&format!("/api/v1/cases/{}", a.case), &a.manager);
    assert_eq!(unchanged.body["model_stage"], "establishing_contact");
}

#[test]
fn an_intake_officer_registers_and_verifies_a_report_but_may_not_open_a_case() {
    let app = TestApp::start();
    app.staff("olena", &[Role::CaseManager], &app.district_a);
    let officer = app.staff("taras", &[Role::IntakeOfficer], &app.district_a);
    let client = family(&app, &officer, None).id();
    let report_id = report(&app, &officer, Some(&client)).id();

    for (from, to) in [
        ("intake", "verification"),
        ("verification", "need_recognition"),
    ] {
        let moved = move_report(&app, &officer, &report_id, json!({"from": from, "to": to}));
        assert_eq!(moved.status, 200, "{to}: {:?}", moved.body);
        assert_eq!(moved.body["report"]["stage"], to);
    }
    let opened = move_report(
        &app,
        &officer,
        &report_id,
        json!({"from": "need_recognition", "to": "opened", "work_model": "case_management", "key_worker_id": "olena"}),
    );

    assert_forbidden(&opened);
    let unchanged = app.get(&format!("/api/v1/intake-reports/{report_id}"), &officer);
    assert_eq!(unchanged.body["stage"], "need_recognition");
    assert_eq!(unchanged.body["case_id"], Value::Null);
}

#[test]
fn a_case_manager_may_not_reopen_a_closed_case() {
    let a = district_a();
    opora_tests::walk::closure_report(&a.app, &a.manager, &a.case, "client_ended_agreement");
    let closed = close(&a.app, &a.manager, &a.case);
    assert_eq!(closed.status, 200, "{:?}", closed.body);
    assert_eq!(closed.body["lifecycle_stage"], "closed");

    let answer = move_case(
        &a.app,
        &a.manager,
        &a.case,
        json!({"from": "closed", "to": "opened", "reason": "The family asked for help again"}),
    );

    assert_forbidden(&answer);
    let unchanged = a.app.get(&format!("/api/v1/cases/{}", a.case), &a.manager);
    assert_eq!(unchanged.body["lifecycle_stage"], "closed");
}

#[test]
fn a_supervisor_reopens_a_closed_case() {
    let a = district_a();
    let supervisor = a.app.staff("iryna", &[Role::Supervisor], &a.app.district_a);
    opora_tests::walk::closure_report(&a.app, &a.manager, &a.case, "client_ended_agreement");
    let closed = close(&a.app, &a.manager, &a.case);
    assert_eq!(closed.status, 200, "{:?}", closed.body);

    let answer = move_case(
        &a.app,
        &supervisor,
        &a.case,
        json!({"from": "closed", "to": "opened", "reason": "The family asked for help again"}),
    );

    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.body["lifecycle_stage"], "opened");
    assert_eq!(answer.body["model_stage"], "establishing_contact");
    assert_eq!(answer.body["cycle"], 2);
    assert_eq!(answer.body["closure_reason"], Value::Null);
}
