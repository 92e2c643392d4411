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

#[test]
fn actions_of_active_plans_due_within_a_week_or_past_and_not_finished_are_work() {
    let app = TestApp::start();
    let a = app.district_a.clone();
    let olena = app.staff("olena", &[Role::CaseManager], &a);
    let andrii = app.staff("andrii", &[Role::CaseManager], &a);
    let supervisor = app.staff("iryna", &[Role::Supervisor], &a);
    let case = opened_case(&app, &olena, "olena", "case_management");
    let id = case["id"].as_str().unwrap();
    let day = |days: i64| {
        (chrono::Utc::now() + chrono::Duration::days(days))
            .date_naive()
            .format("%Y-%m-%d")
            .to_string()
    };
    let plan = app.post(
        &format!("/api/v1/cases/{id}/plans"),
        &olena,
        json!({"period_start": day(-30), "period_end": day(90), "next_review_on": day(60),
               "goals": [{"description": "Children never alone at night"}],
               "actions": [
                   {"goal": 0, "description": "Arrange night care", "responsible": "key worker", "due_on": day(3)},
                   {"goal": 0, "description": "Visit the school", "responsible": "key worker", "due_on": day(-2)},
                   {"goal": 0, "description": "Review benefits", "responsible": "key worker", "due_on": day(30)},
                   {"goal": 0, "description": "Call grandmother", "responsible": "key worker", "due_on": day(-5)},
                   {"goal": 0, "description": "Drop in on the family", "responsible": "key worker", "due_on": day(1)},
                   {"goal": 0, "description": "Keep in touch", "responsible": "key worker"}
               ]}),
    );
    assert_eq!(plan.status, 201, "{:?}", plan.body);
    let action_ids: Vec<String> = plan.body["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    let due_actions = |token: &str, query: &str| -> Vec<(String, bool)> {
        let answer = app.get(&format!("/api/v1/work-queue{query}"), token);
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        let mut due: Vec<(String, bool)> = answer
            .body
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == "action_due")
            .map(|i| {
                assert_eq!(i["case_id"], id);
                (
                    i["record_id"].as_str().unwrap().to_owned(),
                    i["overdue"].as_bool().unwrap(),
                )
            })
            .collect();
        due.sort();
        due
    };
    // A draft plan's actions are not work yet.
    assert_eq!(due_actions(&olena, ""), vec![]);
    let assessed = app.post(
        &format!("/api/v1/cases/{id}/assessments"),
        &olena,
        json!({"kind": "initial", "summary": "Children alone at night", "complete": true}),
    );
    assert_eq!(assessed.status, 201, "{:?}", assessed.body);
    let agreed = app.post(
        &format!("/api/v1/cases/{id}/plans/{}/agreement", plan.id()),
        &olena,
        json!({"agreed_on": day(0), "agreed_by": "Oksana Shevchenko (mother)", "method": "signed"}),
    );
    assert_eq!(agreed.status, 200, "{:?}", agreed.body);

    // One done, one dropped: no longer work; one in progress: still work.
    for (action, status) in [
        (&action_ids[3], "done"),
        (&action_ids[4], "dropped"),
        (&action_ids[1], "in_progress"),
    ] {
        let answer = app.post(
            &format!("/api/v1/cases/{id}/plan-actions/{action}/execution"),
            &olena,
            json!({"status": status}),
        );
        assert_eq!(answer.status, 200, "{status}: {:?}", answer.body);
    }
    let mut expected = vec![
        (action_ids[0].clone(), false),
        (action_ids[1].clone(), true),
    ];
    expected.sort();
    assert_eq!(due_actions(&olena, ""), expected, "the key worker's");
    assert_eq!(due_actions(&andrii, ""), vec![], "not another worker's");
    assert_eq!(
        due_actions(&supervisor, "?scope=units"),
        expected,
        "across the units"
    );
    // Overdue ones come first.
    let all = kinds(&app.get("/api/v1/work-queue", &olena).body);
    let first_action = all.iter().position(|(k, _)| k == "action_due").unwrap();
    assert!(all[first_action].1, "{all:?}");
}

#[test]
fn a_supervisor_sees_plans_and_closures_awaiting_approval_where_the_unit_requires_it() {
    let app = TestApp::start();
    let a = app.district_a.clone();
    let admin = app.staff("admin", &[Role::Admin], &a);
    let olena = app.staff("olena", &[Role::CaseManager], &a);
    let supervisor = app.staff("iryna", &[Role::Supervisor], &a);
    let settings = app.send(
        "PUT",
        &format!("/api/v1/units/{a}/settings"),
        Some(&admin),
        &[],
        Some(&json!({"requires_plan_approval": true, "requires_closure_approval": true})),
    );
    assert_eq!(settings.status, 200, "{:?}", settings.body);
    let case = opened_case(&app, &olena, "olena", "case_management");
    let id = case["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/cases/{id}/plans"),
        &olena,
        json!({"period_start": "2026-12-01", "period_end": "2027-02-28", "next_review_on": "2027-01-15", "goals": [{"description": "g"}]}),
    );
    let unit = kinds(&app.get("/api/v1/work-queue?scope=units", &supervisor).body);
    assert!(
        unit.iter().any(|(k, _)| k == "plan_awaiting_approval"),
        "{unit:?}"
    );
    let mine = kinds(&app.get("/api/v1/work-queue", &olena).body);
    assert!(
        !mine.iter().any(|(k, _)| k == "plan_awaiting_approval"),
        "approvals are the supervisor's work: {mine:?}"
    );

    // A closure report waits for approval until the supervisor approves it as it stands.
    let awaiting = |app: &TestApp| {
        kinds(&app.get("/api/v1/work-queue?scope=units", &supervisor).body)
            .iter()
            .any(|(k, _)| k == "closure_awaiting_approval")
    };
    assert!(!awaiting(&app), "no closure report yet");
    opora_tests::walk::closure_report(&app, &olena, id, "moved_away");
    assert!(awaiting(&app));
    let approved = app.post(
        &format!("/api/v1/cases/{id}/closure-report/approval"),
        &supervisor,
        json!({"approved": true}),
    );
    assert_eq!(approved.status, 201, "{:?}", approved.body);
    assert!(!awaiting(&app), "approved as it stands");
}

#[test]
fn a_clients_unilateral_ending_of_the_service_agreement_puts_closure_or_renegotiation_due_in_the_key_workers_queue(
) {
    let app = TestApp::start();
    let a = app.district_a.clone();
    let olena = app.staff("olena", &[Role::CaseManager], &a);
    let andrii = app.staff("andrii", &[Role::CaseManager], &a);
    let supervisor = app.staff("iryna", &[Role::Supervisor], &a);
    let case = opened_case(&app, &olena, "olena", "case_management");
    let id = case["id"].as_str().unwrap();
    let agreement = |kind: &str| {
        let answer = app.post(
            &format!("/api/v1/cases/{id}/agreements"),
            &olena,
            json!({"kind": kind, "signed_on": "2026-01-05", "signed_by_client": true,
                   "signed_by_service": true, "parties": "Oksana Shevchenko; District A"}),
        );
        assert_eq!(answer.status, 201, "{:?}", answer.body);
        answer.id()
    };
    let end = |agreement: &str, ended_by: &str, on: &str| {
        let mut body = json!({"ended_by": ended_by, "terminated_on": on});
        if ended_by == "service" {
            body["reason_code"] = json!("breach_of_agreement");
        }
        let answer = app.post(
            &format!("/api/v1/cases/{id}/agreements/{agreement}/termination"),
            &olena,
            body,
        );
        assert_eq!(answer.status, 201, "{:?}", answer.body);
    };
    let due = |token: &str, query: &str| -> Vec<serde_json::Value> {
        let answer = app.get(&format!("/api/v1/work-queue{query}"), token);
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        answer
            .body
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == "closure_or_renegotiation_due")
            .cloned()
            .collect()
    };

    // The client withdrawing an informed consent, or the service ending an agreement, is not it.
    let consent = agreement("informed_consent");
    end(&consent, "client", "2026-01-06");
    let first = agreement("service_agreement");
    end(&first, "service", "2026-01-06");
    assert_eq!(due(&olena, ""), Vec::<serde_json::Value>::new());

    // The client ends the service agreement: due ten working days later (Ukrainian calendar).
    let service = agreement("service_agreement");
    end(&service, "client", "2026-01-06");
    let mine = due(&olena, "");
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0]["case_id"], id);
    assert_eq!(mine[0]["record_id"], service.as_str());
    assert_eq!(mine[0]["due_at"], "2026-01-20T00:00:00Z");
    assert_eq!(mine[0]["overdue"], true);
    assert_eq!(due(&supervisor, "?scope=units").len(), 1, "the unit's");
    assert_eq!(
        due(&andrii, ""),
        Vec::<serde_json::Value>::new(),
        "not another worker's"
    );

    // Renegotiated: a new service agreement in force ends it.
    agreement("service_agreement");
    assert_eq!(due(&olena, ""), Vec::<serde_json::Value>::new());
}
