//! "My work" for a worker and for a supervisor.

use opora_domain::Role;
use opora_tests::walk::opened_case;
use opora_tests::TestApp;
use serde_json::json;

fn kinds(items: &serde_json::Value) -> Vec<(String, bool)> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_owned(),
                i["overdue"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_worker_sees_their_due_work_and_a_supervisor_their_units_overdue_first() {
    let app = TestApp::start();
    let a = app.district_a.clone();
    let olena = app.staff("olena", &[Role::CaseManager], &a);
    let andrii = app.staff("andrii", &[Role::CaseManager], &a);
    let supervisor = app.staff("iryna", &[Role::Supervisor], &a);
    let case = opened_case(&app, &olena, "olena", "case_management");
    let id = case["id"].as_str().unwrap();
    // An emergency report registered long ago is overdue.
    app.post("/api/v1/intake-reports", &olena, json!({"source": "police", "urgency": "emergency", "description": "x", "received_at": "2026-01-05T09:00:00Z"}));
    app.post(
        &format!("/api/v1/cases/{id}/plans"),
        &olena,
        json!({"period_start": "2026-12-01", "period_end": "2027-02-28", "next_review_on": "2027-01-15", "goals": [{"description": "g"}]}),
    );
    app.post(
        &format!("/api/v1/cases/{id}/safety-concerns"),
        &olena,
        json!({"description": "bruises"}),
    );

    let mine = app.get("/api/v1/work-queue", &olena);
    assert_eq!(mine.status, 200, "{:?}", mine.body);
    let mine = kinds(&mine.body);
    assert_eq!(
        mine.first(),
        Some(&("report_due".to_owned(), true)),
        "overdue first: {mine:?}"
    );
    for kind in [
        "assessment_due",
        "plan_awaiting_agreement",
        "safety_decision_due",
    ] {
        assert!(
            mine.iter().any(|(k, _)| k == kind),
            "{kind} missing from {mine:?}"
        );
    }
    assert_eq!(
        kinds(&app.get("/api/v1/work-queue", &andrii).body),
        vec![],
        "nothing of another worker's"
    );
    let unit = kinds(&app.get("/api/v1/work-queue?scope=units", &supervisor).body);
    assert!(
        unit.iter().any(|(k, _)| k == "safety_decision_due")
            && unit.iter().any(|(k, _)| k == "assessment_due"),
        "{unit:?}"
    );
    assert_eq!(
        app.get("/api/v1/work-queue?scope=everyone", &olena).status,
        422
    );
}
