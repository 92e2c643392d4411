//! Closure: the closure report (a draft with If-Match, counting as the final evaluation once every
//! goal is evaluated, frozen once the case is closed, none in a reopened cycle) and the unilateral
//! endings of agreements, with what they change for the guards.

use opora_domain::Role;
use opora_tests::walk::{move_case, opened_case};
use opora_tests::{Answer, TestApp};
use serde_json::{json, Value};

struct Team {
    app: TestApp,
    manager: String,
    supervisor: String,
}

fn team() -> Team {
    let app = TestApp::start();
    let manager = app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    let supervisor = app.staff("iryna", &[Role::Supervisor], &app.district_a.clone());
    Team {
        app,
        manager,
        supervisor,
    }
}

fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

impl Team {
    fn step(&self, case: &str, body: Value) -> Answer {
        let answer = move_case(&self.app, &self.manager, case, body.clone());
        assert_eq!(answer.status, 200, "{body}: {:?}", answer.body);
        answer
    }

    fn record(&self, case: &str, what: &str, body: Value) -> Answer {
        let answer = self.app.post(
            &format!("/api/v1/cases/{case}/{what}"),
            &self.manager,
            body.clone(),
        );
        assert_eq!(answer.status, 201, "{what} {body}: {:?}", answer.body);
        answer
    }

    fn agreement(&self, case: &str, kind: &str) -> String {
        self.record(
            case,
            "agreements",
            json!({"kind": kind, "signed_on": "2026-01-05", "signed_by_client": true, "signed_by_service": true,
                   "parties": "Oksana Shevchenko; District A"}),
        )
        .id()
    }

    /// A case at lifecycle planning (model at planning) with an agreed plan of one goal.
    fn planned_case(&self) -> String {
        let case = opened_case(&self.app, &self.manager, "olena", "case_management");
        let id = case["id"].as_str().unwrap().to_owned();
        self.step(
            &id,
            json!({"from": "establishing_contact", "to": "needs_assessment"}),
        );
        self.record(
            &id,
            "assessments",
            json!({"kind": "initial", "summary": "Children alone at night", "complete": true}),
        );
        self.step(
            &id,
            json!({"from": "opened", "to": "planning", "machine": "lifecycle"}),
        );
        self.step(
            &id,
            json!({"from": "needs_assessment", "to": "planning", "machine": "case_management"}),
        );
        let plan = self.record(
            &id,
            "plans",
            json!({"period_start": "2026-12-01", "period_end": "2027-02-28", "next_review_on": "2027-01-15",
                   "goals": [{"description": "Children never alone at night", "expected_result": "night care"}]}),
        );
        let agreed = self.app.post(
            &format!("/api/v1/cases/{id}/plans/{}/agreement", plan.id()),
            &self.manager,
            json!({"agreed_on": "2026-11-20", "agreed_by": "Oksana Shevchenko (mother)", "method": "signed"}),
        );
        assert_eq!(agreed.status, 200, "{:?}", agreed.body);
        id
    }

    fn put_report(&self, case: &str, if_match: Option<&str>, body: &Value) -> Answer {
        let headers: Vec<(&str, &str)> = if_match.iter().map(|e| ("If-Match", *e)).collect();
        self.app.send(
            "PUT",
            &format!("/api/v1/cases/{case}/closure-report"),
            Some(&self.manager),
            &headers,
            Some(body),
        )
    }
}

fn report_body(goal_evaluations: Value) -> Value {
    json!({
        "closure_reason": "goals_achieved",
        "goal_evaluations": goal_evaluations,
        "opinions": [
            {"source": "specialist", "staff_id": "olena", "text": "The mother copes well."},
            {"source": "family", "author": "Oksana Shevchenko (mother)", "text": "We manage now."},
            {"source": "independent_expert", "author": "School psychologist", "text": "Daryna is settled."}
        ],
        "satisfaction": {"score": 5, "comment": "Respectful"},
        "recommendations": "Stay in touch with the school psychologist.",
        "family_informed": {"on": today(), "how": "in_person", "by": "olena"}
    })
}

#[test]
fn a_case_closes_as_goals_achieved_with_a_closure_report_evaluating_every_goal() {
    let t = team();
    let id = t.planned_case();
    t.agreement(&id, "service_agreement");
    t.agreement(&id, "informed_consent");
    for body in [
        json!({"from": "planning", "to": "implementation"}),
        json!({"from": "planning", "to": "implementation_and_monitoring", "machine": "case_management"}),
        json!({"from": "implementation", "to": "monitoring"}),
        json!({"from": "implementation_and_monitoring", "to": "evaluation_of_results"}),
        json!({"from": "evaluation_of_results", "to": "completion"}),
    ] {
        t.step(&id, body);
    }
    let url = format!("/api/v1/cases/{id}/closure-report");
    assert_eq!(t.app.get(&url, &t.manager).status, 404);

    // A draft without per-goal evaluations: it names the goal still to evaluate.
    let draft = t.put_report(&id, None, &report_body(json!([])));
    assert_eq!(draft.status, 201, "{:?}", draft.body);
    assert_eq!(draft.body["status"], "draft");
    assert_eq!(draft.body["counts_as_final_evaluation"], false);
    let goals: Vec<String> = draft.body["goals_not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(goals.len(), 1);
    let etag = draft.etag.clone().unwrap();

    // Without every goal evaluated the report is no final evaluation.
    let refused = move_case(
        &t.app,
        &t.manager,
        &id,
        json!({"from": "monitoring", "to": "closed", "closure_reason": "goals_achieved"}),
    );
    assert_eq!(refused.status, 409, "{:?}", refused.body);
    assert_eq!(refused.unmet(), ["final_evaluation_recorded"]);

    // A goal that is not the active plan's is refused.
    let unknown = t.put_report(
        &id,
        Some(&etag),
        &report_body(json!([{"goal_id": "no-such-goal", "outcome": "achieved"}])),
    );
    assert_eq!(unknown.status, 422, "{:?}", unknown.body);
    assert_eq!(unknown.fields_at_fault(), ["goal_evaluations[0].goal_id"]);

    // Editing needs If-Match: 428 without, 412 when stale.
    let evaluated = report_body(
        json!([{"goal_id": goals[0], "outcome": "achieved", "comment": "Night care in place"}]),
    );
    assert_eq!(t.put_report(&id, None, &evaluated).status, 428);
    let stale = t.put_report(&id, Some("\"v7\""), &evaluated);
    assert_eq!(stale.status, 412);
    let done = t.put_report(&id, Some(&etag), &evaluated);
    assert_eq!(done.status, 200, "{:?}", done.body);
    assert_eq!(done.body["counts_as_final_evaluation"], true);
    assert_eq!(done.body["goals_not_evaluated"], json!([]));
    assert_ne!(done.etag.as_deref(), Some(etag.as_str()));

    // No separate `final` evaluation: the closure report is enough.
    let closed = t.step(&id, json!({"from": "monitoring", "to": "closed", "closure_reason": "goals_achieved", "reason": "Goals met"}));
    assert_eq!(closed.body["closure_reason"], "goals_achieved");
    let evaluations = t
        .app
        .get(&format!("/api/v1/cases/{id}/evaluations"), &t.manager);
    assert_eq!(evaluations.body, json!([]));

    // Closed: the report it was closed with, frozen.
    let read = t.app.get(&url, &t.manager);
    assert_eq!(read.status, 200);
    assert_eq!(read.body["status"], "final");
    assert_eq!(read.body["id"], done.body["id"]);
    assert_eq!(read.body["satisfaction"]["score"], 5);
    assert_eq!(read.body["family_informed"]["how"], "in_person");
    assert_eq!(read.body["opinions"].as_array().map(Vec::len), Some(3));
    let frozen = t.put_report(&id, read.etag.as_deref(), &evaluated);
    assert_eq!(frozen.status, 409, "{:?}", frozen.body);

    // A reopening starts a new cycle without a closure report.
    let reopened = move_case(
        &t.app,
        &t.supervisor,
        &id,
        json!({"from": "closed", "to": "opened", "reason": "New report from school"}),
    );
    assert_eq!(reopened.status, 200, "{:?}", reopened.body);
    assert_eq!(t.app.get(&url, &t.manager).status, 404);

    let events = t.app.get(&format!("/api/v1/cases/{id}/events"), &t.manager);
    let actions: Vec<&str> = events
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"closure_report.drafted"), "{actions:?}");
    assert!(actions.contains(&"closure_report.updated"), "{actions:?}");
}

#[test]
fn closure_report_fields_are_checked() {
    let t = team();
    let id = t.planned_case();
    let mut body = report_body(json!([]));
    body["satisfaction"]["score"] = json!(6);
    body["family_informed"]["how"] = json!("carrier_pigeon");
    body["colour"] = json!("blue");
    let answer = t.put_report(&id, None, &body);
    assert_eq!(answer.status, 422, "{:?}", answer.body);

    let mut body = report_body(json!([]));
    body["satisfaction"]["score"] = json!(6);
    body["family_informed"]["how"] = json!("carrier_pigeon");
    let answer = t.put_report(&id, None, &body);
    assert_eq!(answer.status, 422, "{:?}", answer.body);
    let mut fields = answer.fields_at_fault();
    fields.sort();
    assert_eq!(fields, ["family_informed.how", "satisfaction.score"]);

    let mut body = report_body(json!([]));
    body["opinions"] = json!([{"source": "independent_expert", "text": "no name"}]);
    let answer = t.put_report(&id, None, &body);
    assert_eq!(answer.status, 422, "{:?}", answer.body);
    assert_eq!(answer.fields_at_fault(), ["opinions[0].author"]);

    // A specialist reads it but may not write it (the key worker's or supervisor's task).
    let specialist = t
        .app
        .staff("petro", &[Role::Specialist], &t.app.district_a.clone());
    let answer = t.app.send(
        "PUT",
        &format!("/api/v1/cases/{id}/closure-report"),
        Some(&specialist),
        &[],
        Some(&report_body(json!([]))),
    );
    assert_eq!(answer.status, 403);
}

#[test]
fn the_clients_unilateral_ending_of_the_service_agreement_blocks_implementation() {
    let t = team();
    let id = t.planned_case();
    let service = t.agreement(&id, "service_agreement");
    t.agreement(&id, "informed_consent");
    let url = format!("/api/v1/cases/{id}/agreements/{service}/termination");

    let ended = t.app.post(
        &url,
        &t.manager,
        json!({"ended_by": "client", "reason": "The family no longer wants help", "terminated_on": today()}),
    );
    assert_eq!(ended.status, 201, "{:?}", ended.body);
    assert_eq!(ended.body["ended_by"], "client");
    assert_eq!(ended.body["agreement_kind"], "service_agreement");

    let refused = move_case(
        &t.app,
        &t.manager,
        &id,
        json!({"from": "planning", "to": "implementation"}),
    );
    assert_eq!(refused.status, 409, "{:?}", refused.body);
    assert_eq!(refused.unmet(), ["service_agreement_signed"]);

    let agreements = t
        .app
        .get(&format!("/api/v1/cases/{id}/agreements"), &t.manager);
    let terminated = agreements
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == service.as_str())
        .unwrap();
    assert_eq!(terminated["terminated_on"], today());

    // Ended once.
    let again = t.app.post(
        &url,
        &t.manager,
        json!({"ended_by": "client", "terminated_on": today()}),
    );
    assert_eq!(again.status, 409);

    let events = t.app.get(&format!("/api/v1/cases/{id}/events"), &t.manager);
    let event = events
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "agreement.terminated")
        .cloned()
        .unwrap();
    assert_eq!(event["reason"], "The family no longer wants help");
}

#[test]
fn the_services_refusal_of_further_help_needs_its_reason() {
    let t = team();
    let id = t.planned_case();
    let consent = t.agreement(&id, "informed_consent");
    let url = format!("/api/v1/cases/{id}/agreements/{consent}/termination");

    let no_reason = t.app.post(
        &url,
        &t.manager,
        json!({"ended_by": "service", "terminated_on": today()}),
    );
    assert_eq!(no_reason.status, 422, "{:?}", no_reason.body);
    assert_eq!(no_reason.fields_at_fault(), ["reason_code"]);

    let other_unsaid = t.app.post(
        &url,
        &t.manager,
        json!({"ended_by": "service", "reason_code": "other", "terminated_on": today()}),
    );
    assert_eq!(other_unsaid.status, 422);
    assert_eq!(other_unsaid.fields_at_fault(), ["reason"]);

    let client_with_code = t.app.post(
        &url,
        &t.manager,
        json!({"ended_by": "client", "reason_code": "unlawful_request", "terminated_on": today()}),
    );
    assert_eq!(client_with_code.status, 422);

    let before_signed = t.app.post(
        &url,
        &t.manager,
        json!({"ended_by": "service", "reason_code": "breach_of_agreement", "terminated_on": "2025-12-31"}),
    );
    assert_eq!(before_signed.status, 422);
    assert_eq!(before_signed.fields_at_fault(), ["terminated_on"]);

    let refused = t.app.post(
        &url,
        &t.manager,
        json!({"ended_by": "service", "reason_code": "unlawful_request", "reason": "Asked for a false certificate",
               "terminated_on": today()}),
    );
    assert_eq!(refused.status, 201, "{:?}", refused.body);
    assert_eq!(refused.body["reason_code"], "unlawful_request");

    // Auditors read but do not record work.
    let auditor = t
        .app
        .staff("anna", &[Role::Auditor], &t.app.district_a.clone());
    let answer = t.app.post(
        &url,
        &auditor,
        json!({"ended_by": "client", "terminated_on": today()}),
    );
    assert_eq!(answer.status, 403);
}

/// A closure report with `reason`, saying how the family was told (or why it could not be).
fn reason_only(reason: &str, told: Value) -> Value {
    let mut body = json!({"closure_reason": reason});
    match told {
        Value::String(why) => body["family_not_informed_reason"] = json!(why),
        informed => body["family_informed"] = informed,
    }
    body
}

impl Team {
    fn close(&self, case: &str, reason: &str) -> Answer {
        move_case(
            &self.app,
            &self.manager,
            case,
            json!({"from": "opened", "to": "closed", "closure_reason": reason}),
        )
    }

    fn opened(&self) -> String {
        let case = opened_case(&self.app, &self.manager, "olena", "case_management");
        case["id"].as_str().unwrap().to_owned()
    }
}

#[test]
fn every_closure_needs_a_closure_report_stating_its_reason_and_how_the_family_was_told() {
    let t = team();
    let id = t.opened();
    let refused = t.close(&id, "moved_away");
    assert_eq!(refused.status, 409, "{:?}", refused.body);
    assert_eq!(refused.unmet(), ["closure_report"]);

    // A report that does not say whether the family was told is not enough.
    let draft = t.put_report(&id, None, &json!({"closure_reason": "moved_away"}));
    assert_eq!(draft.status, 201, "{:?}", draft.body);
    assert_eq!(
        t.close(&id, "moved_away").unmet(),
        ["family_told_of_closure"]
    );

    // The report's reason and the closure's must be the same.
    let told = json!({"on": today(), "how": "phone", "by": "olena"});
    let etag = draft.etag.clone().unwrap();
    let report = t.put_report(&id, Some(&etag), &reason_only("moved_away", told));
    assert_eq!(report.status, 200, "{:?}", report.body);
    assert_eq!(
        t.close(&id, "lost_contact").unmet(),
        ["closure_report_with_reason"]
    );
    let closed = t.close(&id, "moved_away");
    assert_eq!(closed.status, 200, "{:?}", closed.body);
    assert_eq!(closed.body["closure_reason"], "moved_away");
}

#[test]
fn a_family_that_could_not_be_told_is_recorded_with_why() {
    let t = team();
    let id = t.opened();
    let both = json!({"closure_reason": "client_died", "family_not_informed_reason": "client_died",
                      "family_informed": {"on": today(), "how": "phone", "by": "olena"}});
    let refused = t.put_report(&id, None, &both);
    assert_eq!(refused.status, 422, "{:?}", refused.body);
    assert_eq!(refused.fields_at_fault(), ["family_not_informed_reason"]);
    let unknown = t.put_report(&id, None, &reason_only("client_died", json!("forgot")));
    assert_eq!(unknown.fields_at_fault(), ["family_not_informed_reason"]);

    let report = t.put_report(&id, None, &reason_only("client_died", json!("client_died")));
    assert_eq!(report.status, 201, "{:?}", report.body);
    assert_eq!(report.body["family_not_informed_reason"], "client_died");
    assert_eq!(t.close(&id, "client_died").status, 200);
}

#[test]
fn a_case_with_an_undecided_child_safety_concern_closes_only_on_death_or_transfer() {
    let t = team();
    let told = json!({"on": today(), "how": "in_person", "by": "olena"});
    let concern = |case: &str| {
        let raised = t.app.post(
            &format!("/api/v1/cases/{case}/safety-concerns"),
            &t.manager,
            json!({"description": "Daryna says her stepfather hits her"}),
        );
        assert_eq!(raised.status, 201, "{:?}", raised.body);
        raised.id()
    };

    let id = t.opened();
    let raised = concern(&id);
    t.put_report(&id, None, &reason_only("moved_away", told.clone()));
    let refused = t.close(&id, "moved_away");
    assert_eq!(refused.status, 409, "{:?}", refused.body);
    assert_eq!(refused.unmet(), ["no_open_safety_concern"]);
    // Once the supervisor has decided, the case may close.
    let decided = t.app.post(
        &format!("/api/v1/safety-concerns/{raised}/decision"),
        &t.supervisor,
        json!({"decision": "child_protection_informed", "note": "The district service visits today"}),
    );
    assert_eq!(decided.status, 200, "{:?}", decided.body);
    assert_eq!(t.close(&id, "moved_away").status, 200);

    // Another agency taking the case over, or the client's death, closes it despite the concern.
    let transferred = t.opened();
    concern(&transferred);
    t.put_report(
        &transferred,
        None,
        &reason_only("transferred_to_another_agency", told),
    );
    let closed = t.close(&transferred, "transferred_to_another_agency");
    assert_eq!(closed.status, 200, "{:?}", closed.body);
    let died = t.opened();
    concern(&died);
    t.put_report(
        &died,
        None,
        &reason_only("client_died", json!("client_died")),
    );
    let closed = t.close(&died, "client_died");
    assert_eq!(closed.status, 200, "{:?}", closed.body);
}

#[test]
fn closing_for_non_compliance_takes_effect_fifteen_days_after_written_notice() {
    let t = team();
    let id = t.opened();
    // Told by phone: no written notice, so the period has not started.
    let by_phone = json!({"on": today(), "how": "phone", "by": "olena"});
    let report = t.put_report(&id, None, &reason_only("agreement_breached", by_phone));
    let refused = t.close(&id, "agreement_breached");
    assert_eq!(refused.unmet(), ["written_notice_period"]);

    // A letter today: not before fifteen days have passed.
    let letter = json!({"on": today(), "how": "letter", "by": "olena"});
    let etag = report.etag.clone().unwrap();
    let report = t.put_report(&id, Some(&etag), &reason_only("agreement_breached", letter));
    assert_eq!(report.status, 200, "{:?}", report.body);
    let refused = t.close(&id, "agreement_breached");
    assert_eq!(refused.unmet(), ["written_notice_period"]);
    let from = (chrono::Utc::now().date_naive() + chrono::Days::new(15)).to_string();
    assert!(
        refused.body["detail"].as_str().unwrap().contains(&from),
        "{:?}",
        refused.body
    );

    // A letter sent fifteen days ago: the closure takes effect.
    let earlier = (chrono::Utc::now().date_naive() - chrono::Days::new(15)).to_string();
    let etag = report.etag.clone().unwrap();
    let sent = json!({"on": earlier, "how": "letter", "by": "olena"});
    t.put_report(&id, Some(&etag), &reason_only("agreement_breached", sent));
    assert_eq!(t.close(&id, "agreement_breached").status, 200);
}
