//! Intake triage: due times by urgency class over working days and holidays, overdue flags, and
//! child-safety concerns decided by a supervisor within the emergency deadline.

use opora_domain::Role;
use opora_tests::walk::opened_case;
use opora_tests::TestApp;
use serde_json::json;

fn report(app: &TestApp, token: &str, urgency: &str, received_at: &str) -> serde_json::Value {
    let answer = app.post(
        "/api/v1/intake-reports",
        token,
        json!({"source": "school", "urgency": urgency, "description": "Absent for weeks", "received_at": received_at}),
    );
    assert_eq!(answer.status, 201, "{:?}", answer.body);
    answer.body
}

#[test]
fn each_urgency_class_has_its_due_time_over_weekends_and_ukrainian_holidays() {
    let app = TestApp::start();
    let officer = app.staff("natalia", &[Role::IntakeOfficer], &app.district_a.clone());
    let due = |urgency, received| {
        report(&app, &officer, urgency, received)["due_at"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        due("emergency", "2026-12-31T22:00:00Z"),
        "2027-01-01T22:00:00Z"
    );
    assert_eq!(
        due("urgent", "2026-12-31T22:00:00Z"),
        "2027-01-03T22:00:00Z"
    );
    // Ten working days (the Law on Social Services, art. 21(2)) from Tuesday 22 December skip
    // the weekends, Christmas (25 December) and New Year (1 January).
    assert_eq!(
        due("routine", "2026-12-22T09:00:00Z"),
        "2027-01-07T09:00:00Z"
    );
}

#[test]
fn under_martial_law_the_due_time_counts_public_holidays_as_working_days() {
    use opora_domain::deadlines::MartialLaw;
    let mut policy = opora_domain::Policy::default();
    policy.calendar.martial_law = Some(MartialLaw::UKRAINE_SINCE_2022);
    let app = TestApp::start_with_policy(policy);
    let officer = app.staff("natalia", &[Role::IntakeOfficer], &app.district_a.clone());
    let routine = report(&app, &officer, "routine", "2026-12-22T09:00:00Z");
    // Christmas and New Year are working days under martial law: two days earlier.
    assert_eq!(routine["due_at"], "2027-01-05T09:00:00Z");
}

#[test]
fn a_report_past_its_due_time_is_overdue_until_it_leaves_intake() {
    let app = TestApp::start();
    let manager = app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    let late = report(&app, &manager, "emergency", "2026-01-05T09:00:00Z");
    assert_eq!(late["overdue"], true);
    let fresh = report(&app, &manager, "routine", &chrono::Utc::now().to_rfc3339());
    assert_eq!(fresh["overdue"], false);
    let rejected = app.post(
        &format!(
            "/api/v1/intake-reports/{}/transitions",
            late["id"].as_str().unwrap()
        ),
        &manager,
        json!({"from": "intake", "to": "rejected", "rejection_reason": "duplicate_report"}),
    );
    assert_eq!(rejected.body["report"]["overdue"], false);
}

#[test]
fn the_case_inherits_the_due_time_and_is_overdue_until_an_assessment_is_completed() {
    let app = TestApp::start();
    let manager = app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    let case = opened_case(&app, &manager, "olena", "case_management");
    let id = case["id"].as_str().unwrap();
    assert!(case["assessment_due_at"].is_string());
    assert_eq!(case["assessment_overdue"], false);

    // Raising the urgency to emergency moves the due time to 24 h after the report came in.
    let etag = app
        .get(&format!("/api/v1/cases/{id}"), &manager)
        .etag
        .unwrap();
    let raised = app.patch(
        &format!("/api/v1/cases/{id}"),
        &manager,
        Some(&etag),
        json!({"urgency": "emergency"}),
    );
    let report = app
        .get(
            &format!(
                "/api/v1/intake-reports/{}",
                case["report_id"].as_str().unwrap()
            ),
            &manager,
        )
        .body;
    let received =
        chrono::DateTime::parse_from_rfc3339(report["received_at"].as_str().unwrap()).unwrap();
    let due =
        chrono::DateTime::parse_from_rfc3339(raised.body["assessment_due_at"].as_str().unwrap())
            .unwrap();
    assert_eq!(due - received, chrono::Duration::hours(24));
}

#[test]
fn a_safety_concern_reaches_the_supervisor_and_needs_their_decision_within_a_day() {
    let app = TestApp::start();
    let a = app.district_a.clone();
    let manager = app.staff("olena", &[Role::CaseManager], &a);
    let specialist = app.staff("serhii", &[Role::Specialist], &a);
    let supervisor = app.staff("iryna", &[Role::Supervisor], &a);
    let auditor = app.staff("maria", &[Role::Auditor], &a);
    let case = opened_case(&app, &manager, "olena", "case_management");
    let id = case["id"].as_str().unwrap();

    assert_eq!(
        app.post(
            &format!("/api/v1/cases/{id}/safety-concerns"),
            &auditor,
            json!({"description": "x"})
        )
        .status,
        403
    );
    let raised = app.post(
        &format!("/api/v1/cases/{id}/safety-concerns"),
        &specialist,
        json!({"description": "Daryna says her stepfather hits her"}),
    );
    assert_eq!(raised.status, 201, "{:?}", raised.body);
    let raised_at =
        chrono::DateTime::parse_from_rfc3339(raised.body["raised_at"].as_str().unwrap()).unwrap();
    let due =
        chrono::DateTime::parse_from_rfc3339(raised.body["decision_due_at"].as_str().unwrap())
            .unwrap();
    assert_eq!(due - raised_at, chrono::Duration::hours(24));

    let open = app.get("/api/v1/safety-concerns?open=true", &supervisor);
    assert_eq!(open.body.as_array().map(Vec::len), Some(1));
    let decision = format!("/api/v1/safety-concerns/{}/decision", raised.id());
    let body = json!({"decision": "child_protection_informed", "note": "Informed the district service; visit today"});
    assert_eq!(
        app.post(&decision, &manager, body.clone()).status,
        403,
        "supervisors decide"
    );
    let decided = app.post(&decision, &supervisor, body.clone());
    assert_eq!(
        (decided.status, decided.body["decision"].as_str()),
        (200, Some("child_protection_informed"))
    );
    assert_eq!(app.post(&decision, &supervisor, body).status, 409);
    assert_eq!(
        app.get("/api/v1/safety-concerns?open=true", &supervisor)
            .body
            .as_array()
            .map(Vec::len),
        Some(0)
    );

    let other = app.staff("andrii", &[Role::Supervisor], &app.district_b.clone());
    assert_eq!(
        app.post(
            &format!("/api/v1/cases/{id}/safety-concerns"),
            &other,
            json!({"description": "x"})
        )
        .status,
        404
    );
    let actions: Vec<String> = app
        .get(&format!("/api/v1/cases/{id}/events"), &manager)
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str().map(str::to_owned))
        .collect();
    assert!(
        actions.contains(&"safety_concern.raised".to_owned())
            && actions.contains(&"safety_concern.decided".to_owned())
    );
}
