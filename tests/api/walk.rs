//! A family's case walked over HTTP from a hotline report to closure, through both work models,
//! with refused transitions, a stale transition and a stale If-Match on the way; then the history
//! read back.

use opora_domain::Role;
use opora_tests::walk::{family, move_case, move_report, report};
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

impl Team {
    fn step(&self, case: &str, body: Value) -> Answer {
        let answer = move_case(&self.app, &self.manager, case, body.clone());
        assert_eq!(answer.status, 200, "{body}: {:?}", answer.body);
        answer
    }

    fn refused(&self, case: &str, body: Value) -> Answer {
        let answer = move_case(&self.app, &self.manager, case, body.clone());
        assert_eq!(answer.status, 409, "{body}: {:?}", answer.body);
        assert_eq!(answer.content_type, "application/problem+json");
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

    fn agreement(&self, case: &str, kind: &str) {
        self.record(
            case,
            "agreements",
            json!({"kind": kind, "signed_on": "2026-11-23", "signed_by_client": true, "signed_by_service": true,
                   "parties": "Oksana Shevchenko; District A"}),
        );
    }

    fn assessment(&self, case: &str, kind: &str) {
        self.record(
            case,
            "assessments",
            json!({"kind": kind, "summary": "Children alone at night", "needs": "night care", "complete": true}),
        );
    }

    fn agreed_plan(&self, case: &str) {
        let plan = self.record(
            case,
            "plans",
            json!({"period_start": "2026-12-01", "period_end": "2027-02-28", "next_review_on": "2027-01-15",
                   "goals": [{"description": "Children never alone at night", "expected_result": "night care"}],
                   "actions": [{"goal": 0, "description": "Arrange night care", "responsible": "key worker"}]}),
        );
        let agreed = self.app.post(
            &format!("/api/v1/cases/{case}/plans/{}/agreement", plan.id()),
            &self.manager,
            json!({"agreed_on": "2026-11-30", "agreed_by": "Oksana Shevchenko (mother)", "method": "signed"}),
        );
        assert_eq!(
            (agreed.status, agreed.body["status"].as_str()),
            (200, Some("active")),
            "{:?}",
            agreed.body
        );
    }

    /// A hotline report about the family, walked to an opened case; the refused opening on the way.
    fn open(&self, model: &str) -> Value {
        let client = family(&self.app, &self.manager, None).id();
        let report_id = report(&self.app, &self.manager, Some(&client)).id();
        for (from, to) in [
            ("intake", "verification"),
            ("verification", "need_recognition"),
        ] {
            let a = move_report(
                &self.app,
                &self.manager,
                &report_id,
                json!({"from": from, "to": to, "reason": "checked"}),
            );
            assert_eq!(a.status, 200, "{:?}", a.body);
        }
        let refused = move_report(
            &self.app,
            &self.manager,
            &report_id,
            json!({"from": "need_recognition", "to": "opened"}),
        );
        assert_eq!(refused.status, 409);
        assert_eq!(
            refused.unmet(),
            ["key_worker_assigned", "work_model_chosen"]
        );
        assert!(refused.body["allowed_transitions"]
            .as_array()
            .is_some_and(|a| a.iter().any(|t| t["to"] == "rejected")));

        let opened = move_report(
            &self.app,
            &self.manager,
            &report_id,
            json!({"from": "need_recognition", "to": "opened", "work_model": model, "key_worker_id": "olena",
                   "reason": "Need recognised"}),
        );
        assert_eq!(opened.status, 200, "{:?}", opened.body);
        assert_eq!(opened.body["report"]["stage"], "opened");
        opened.body["case"].clone()
    }
}

fn stages(answer: &Answer) -> (String, String) {
    (
        answer.body["lifecycle_stage"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        answer.body["model_stage"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

#[test]
fn a_family_case_goes_from_a_hotline_report_to_closure_under_the_six_stage_model() {
    let t = team();
    let case = t.open("case_management");
    let id = case["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (
            case["lifecycle_stage"].as_str(),
            case["model_stage"].as_str()
        ),
        (Some("opened"), Some("establishing_contact"))
    );

    // Planning needs a completed assessment and the model at needs assessment.
    let refused = t.refused(
        &id,
        json!({"from": "opened", "to": "planning", "machine": "lifecycle"}),
    );
    assert_eq!(refused.problem_kind(), "transition-refused");
    assert_eq!(
        refused.unmet(),
        ["completed_assessment", "work_model_stage"]
    );
    assert_eq!(refused.body["current_stage"], "opened");

    t.step(
        &id,
        json!({"from": "establishing_contact", "to": "needs_assessment"}),
    );
    t.assessment(&id, "initial");
    let planning = t.step(
        &id,
        json!({"from": "opened", "to": "planning", "machine": "lifecycle"}),
    );
    assert_eq!(
        stages(&planning),
        ("planning".into(), "needs_assessment".into())
    );

    // The same move again: the caller saw `opened`, the case is at `planning` now.
    let stale = move_case(
        &t.app,
        &t.manager,
        &id,
        json!({"from": "opened", "to": "planning", "machine": "lifecycle"}),
    );
    assert_eq!(
        (stale.status, stale.problem_kind()),
        (409, "stage-changed".to_owned())
    );
    assert_eq!(stale.body["current_stage"], "planning");

    // `planning` names stages of two machines: without `machine` the request is ambiguous.
    let ambiguous = move_case(
        &t.app,
        &t.manager,
        &id,
        json!({"from": "needs_assessment", "to": "planning"}),
    );
    assert_eq!(
        (ambiguous.status, ambiguous.fields_at_fault()),
        (422, vec!["machine".to_owned()])
    );
    t.step(
        &id,
        json!({"from": "needs_assessment", "to": "planning", "machine": "case_management"}),
    );

    // Implementation needs the plan agreed, the service agreement signed and informed consent.
    let refused = t.refused(&id, json!({"from": "planning", "to": "implementation"}));
    assert_eq!(
        refused.unmet(),
        [
            "plan_agreed_by_client",
            "service_agreement_signed",
            "informed_consent_recorded"
        ]
    );
    t.agreed_plan(&id);
    t.agreement(&id, "service_agreement");
    t.agreement(&id, "informed_consent");
    t.step(&id, json!({"from": "planning", "to": "implementation"}));
    t.step(&id, json!({"from": "planning", "to": "implementation_and_monitoring", "machine": "case_management"}));

    // Urgency raised with If-Match: stale version 412, none 428, current 200.
    let read = t.app.get(&format!("/api/v1/cases/{id}"), &t.manager);
    let etag = read.etag.clone().unwrap();
    let none = t.app.patch(
        &format!("/api/v1/cases/{id}"),
        &t.manager,
        None,
        json!({"urgency": "emergency"}),
    );
    assert_eq!(none.status, 428);
    let stale = t.app.patch(
        &format!("/api/v1/cases/{id}"),
        &t.manager,
        Some("\"v1\""),
        json!({"urgency": "emergency"}),
    );
    assert_eq!(stale.status, 412);
    assert_eq!(stale.etag.as_deref(), Some(etag.as_str()));
    let raised = t.app.patch(
        &format!("/api/v1/cases/{id}"),
        &t.manager,
        Some(&etag),
        json!({"urgency": "emergency", "reason": "police report"}),
    );
    assert_eq!(
        (raised.status, raised.body["urgency"].as_str()),
        (200, Some("emergency"))
    );
    assert_ne!(raised.etag, Some(etag));

    t.step(&id, json!({"from": "implementation", "to": "monitoring"}));
    t.step(
        &id,
        json!({"from": "implementation_and_monitoring", "to": "evaluation_of_results"}),
    );

    // Goals achieved needs the model at its final stage and a final evaluation (and, as every
    // closure, a closure report saying how the family was told).
    opora_tests::walk::closure_report(&t.app, &t.manager, &id, "goals_achieved");
    let refused = t.refused(
        &id,
        json!({"from": "monitoring", "to": "closed", "closure_reason": "goals_achieved"}),
    );
    assert_eq!(
        refused.unmet(),
        ["work_model_at_final_stage", "final_evaluation_recorded"]
    );
    let allowed: Vec<&str> = refused.body["allowed_transitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["to"].as_str())
        .collect();
    assert!(
        allowed.contains(&"completion") && allowed.contains(&"closed"),
        "{allowed:?}"
    );

    t.step(
        &id,
        json!({"from": "evaluation_of_results", "to": "completion"}),
    );
    t.record(
        &id,
        "evaluations",
        json!({"kind": "final", "summary": "Night care in place", "outcome": "achieved"}),
    );
    let closed = t.step(&id, json!({"from": "monitoring", "to": "closed", "closure_reason": "goals_achieved", "reason": "Goals met"}));
    assert_eq!(stages(&closed), ("closed".into(), "completion".into()));
    assert_eq!(closed.body["closure_reason"], "goals_achieved");

    // Closed is terminal except for a supervisor's reopening, which needs a new assessment.
    let forbidden = move_case(
        &t.app,
        &t.manager,
        &id,
        json!({"from": "closed", "to": "opened", "reason": "new report"}),
    );
    assert_eq!(forbidden.status, 403);
    let reopened = move_case(
        &t.app,
        &t.supervisor,
        &id,
        json!({"from": "closed", "to": "opened", "reason": "New report from school"}),
    );
    assert_eq!(reopened.status, 200, "{:?}", reopened.body);
    assert_eq!(
        stages(&reopened),
        ("opened".into(), "establishing_contact".into())
    );
    assert_eq!(reopened.body["cycle"], 2);
    t.step(
        &id,
        json!({"from": "establishing_contact", "to": "needs_assessment"}),
    );
    let refused = t.refused(
        &id,
        json!({"from": "opened", "to": "planning", "machine": "lifecycle"}),
    );
    assert_eq!(refused.unmet(), ["completed_assessment"]);

    // The history: every move, with who, when, from, to and why, oldest first.
    let events = t.app.get(&format!("/api/v1/cases/{id}/events"), &t.manager);
    assert_eq!(events.status, 200);
    let moves: Vec<(String, String, String)> = events
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "transition")
        .map(|e| {
            (
                e["machine"].as_str().unwrap_or("").to_owned(),
                e["from"].as_str().unwrap_or("-").to_owned(),
                e["to"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let expected = [
        ("lifecycle", "intake", "verification"),
        ("lifecycle", "verification", "need_recognition"),
        ("lifecycle", "need_recognition", "opened"),
        ("case_management", "-", "establishing_contact"),
        (
            "case_management",
            "establishing_contact",
            "needs_assessment",
        ),
        ("lifecycle", "opened", "planning"),
        ("case_management", "needs_assessment", "planning"),
        ("lifecycle", "planning", "implementation"),
        (
            "case_management",
            "planning",
            "implementation_and_monitoring",
        ),
        ("lifecycle", "implementation", "monitoring"),
        (
            "case_management",
            "implementation_and_monitoring",
            "evaluation_of_results",
        ),
        ("case_management", "evaluation_of_results", "completion"),
        ("lifecycle", "monitoring", "closed"),
        ("lifecycle", "closed", "opened"),
        ("case_management", "completion", "establishing_contact"),
        (
            "case_management",
            "establishing_contact",
            "needs_assessment",
        ),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(m, f, t)| (m.to_string(), f.to_string(), t.to_string()))
        .collect();
    assert_eq!(moves, expected);
    let all = events.body.as_array().unwrap();
    let closing = all.iter().find(|e| e["to"] == "closed").unwrap();
    assert_eq!(
        (
            closing["actor_id"].as_str(),
            closing["reason_code"].as_str(),
            closing["reason"].as_str()
        ),
        (Some("olena"), Some("goals_achieved"), Some("Goals met"))
    );
    let reopening = all.iter().find(|e| e["from"] == "closed").unwrap();
    assert_eq!(reopening["actor_id"], "iryna");
    let actions: Vec<&str> = all.iter().filter_map(|e| e["action"].as_str()).collect();
    for action in [
        "report.registered",
        "assessment.completed",
        "plan.drafted",
        "plan.agreed",
        "agreement.recorded",
        "case.updated",
        "evaluation.recorded",
    ] {
        assert!(
            actions.contains(&action),
            "{action} missing from {actions:?}"
        );
    }
    let update = all.iter().find(|e| e["action"] == "case.updated").unwrap();
    assert_eq!(
        (
            update["details"]["before"]["urgency"].as_str(),
            update["details"]["after"]["urgency"].as_str()
        ),
        (Some("urgent"), Some("emergency"))
    );
    assert!(all
        .iter()
        .all(|e| e["at"].as_str().is_some_and(|at| at.ends_with('Z'))));
}

impl Team {
    /// An individual case walked through stages 1–11 with its contracts, plan and agreements,
    /// refused on the way where a contract is missing; returns its id.
    fn individual_case_at_intervention_control(&self) -> String {
        let case = self.open("individual");
        let id = case["id"].as_str().unwrap().to_owned();
        assert_eq!(case["model_stage"], "initial_contact");

        self.step(
            &id,
            json!({"from": "initial_contact", "to": "problem_exploration"}),
        );
        self.step(
            &id,
            json!({"from": "problem_exploration", "to": "preliminary_contract"}),
        );
        let refused = self.refused(
            &id,
            json!({"from": "preliminary_contract", "to": "assessment"}),
        );
        assert_eq!(refused.unmet(), ["preliminary_contract_recorded"]);
        self.agreement(&id, "preliminary_contract");
        self.step(
            &id,
            json!({"from": "preliminary_contract", "to": "assessment"}),
        );
        self.assessment(&id, "initial");
        self.step(
            &id,
            json!({"from": "opened", "to": "planning", "machine": "lifecycle"}),
        );
        self.step(
            &id,
            json!({"from": "assessment", "to": "problem_conceptualisation"}),
        );
        self.step(
            &id,
            json!({"from": "problem_conceptualisation", "to": "strategy_exploration"}),
        );
        self.step(
            &id,
            json!({"from": "strategy_exploration", "to": "strategy_and_contract"}),
        );
        let refused = self.refused(
            &id,
            json!({"from": "strategy_and_contract", "to": "intervention_preparation"}),
        );
        assert_eq!(refused.unmet(), ["concluded_contract_recorded"]);
        self.agreement(&id, "concluded_contract");
        self.step(
            &id,
            json!({"from": "strategy_and_contract", "to": "intervention_preparation"}),
        );
        self.agreed_plan(&id);
        self.agreement(&id, "service_agreement");
        self.agreement(&id, "informed_consent");
        self.step(&id, json!({"from": "planning", "to": "implementation"}));
        self.step(
            &id,
            json!({"from": "intervention_preparation", "to": "intervention"}),
        );
        self.step(
            &id,
            json!({"from": "intervention", "to": "barrier_assessment"}),
        );
        self.step(&id, json!({"from": "implementation", "to": "monitoring"}));
        self.step(
            &id,
            json!({"from": "barrier_assessment", "to": "intervention_control"}),
        );
        id
    }
}

#[test]
fn an_individual_case_goes_through_all_twelve_stages_with_its_contracts() {
    let t = team();
    let id = t.individual_case_at_intervention_control();

    // 11 → 4 is a step back: it needs a reason.
    let refused = t.refused(
        &id,
        json!({"from": "intervention_control", "to": "assessment", "reason": "  "}),
    );
    assert_eq!(refused.unmet(), ["reason"]);
    // 11 → 12 needs the termination agreed by both sides.
    let refused = t.refused(
        &id,
        json!({"from": "intervention_control", "to": "evolution"}),
    );
    assert_eq!(refused.unmet(), ["termination_agreed_by_both"]);
    t.agreement(&id, "termination");
    let evolved = t.step(
        &id,
        json!({"from": "intervention_control", "to": "evolution"}),
    );
    assert_eq!(stages(&evolved), ("monitoring".into(), "evolution".into()));
    t.record(
        &id,
        "evaluations",
        json!({"kind": "final", "summary": "Housing and work found", "outcome": "achieved"}),
    );
    opora_tests::walk::closure_report(&t.app, &t.manager, &id, "goals_achieved");
    let closed = t.step(
        &id,
        json!({"from": "monitoring", "to": "closed", "closure_reason": "goals_achieved"}),
    );
    assert_eq!(closed.body["lifecycle_stage"], "closed");
    let allowed: Vec<&str> = closed.body["allowed_transitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["to"].as_str())
        .collect();
    assert_eq!(allowed, ["opened"]);

    let events = t.app.get(&format!("/api/v1/cases/{id}/events"), &t.manager);
    let model_moves = events
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["machine"] == "individual")
        .count();
    assert_eq!(model_moves, 12, "entering the model plus eleven moves");
}

impl Team {
    /// A 6-stage case walked to evaluation of results, with an assessment and an agreed plan.
    fn evaluated_case_management_case(&self) -> String {
        let case = self.open("case_management");
        let id = case["id"].as_str().unwrap().to_owned();
        self.step(
            &id,
            json!({"from": "establishing_contact", "to": "needs_assessment"}),
        );
        self.assessment(&id, "initial");
        self.step(
            &id,
            json!({"from": "opened", "to": "planning", "machine": "lifecycle"}),
        );
        self.step(
            &id,
            json!({"from": "needs_assessment", "to": "planning", "machine": "case_management"}),
        );
        self.agreed_plan(&id);
        self.agreement(&id, "service_agreement");
        self.agreement(&id, "informed_consent");
        self.step(&id, json!({"from": "planning", "to": "implementation"}));
        self.step(
            &id,
            json!({"from": "planning", "to": "implementation_and_monitoring", "machine": "case_management"}),
        );
        self.step(&id, json!({"from": "implementation", "to": "monitoring"}));
        self.step(
            &id,
            json!({"from": "implementation_and_monitoring", "to": "evaluation_of_results"}),
        );
        id
    }
}

#[test]
fn after_re_assessment_the_six_stage_model_goes_forward_only_on_an_assessment_completed_after_the_return(
) {
    let t = team();
    let id = t.evaluated_case_management_case();
    t.step(
        &id,
        json!({"from": "evaluation_of_results", "to": "needs_assessment", "reason": "The mother lost her job"}),
    );
    t.step(
        &id,
        json!({"from": "monitoring", "to": "planning", "machine": "lifecycle", "reason": "The plan no longer fits"}),
    );
    // The assessment completed before the return no longer satisfies the guard.
    let refused = t.refused(
        &id,
        json!({"from": "needs_assessment", "to": "planning", "machine": "case_management"}),
    );
    assert_eq!(refused.unmet(), ["completed_assessment"]);
    t.assessment(&id, "re_assessment");
    t.step(
        &id,
        json!({"from": "needs_assessment", "to": "planning", "machine": "case_management"}),
    );
}

#[test]
fn after_a_plan_correction_the_case_returns_to_implementation_only_on_a_plan_agreed_after_it() {
    let t = team();
    let id = t.evaluated_case_management_case();
    // Seed 000: the evaluation ends in a new plan (seed 002: through a re-assessment).
    t.step(
        &id,
        json!({"from": "evaluation_of_results", "to": "needs_assessment", "reason": "A new goal: the mother's job"}),
    );
    t.step(
        &id,
        json!({"from": "monitoring", "to": "planning", "machine": "lifecycle", "reason": "A new goal: the mother's job"}),
    );
    t.assessment(&id, "re_assessment");
    t.step(
        &id,
        json!({"from": "needs_assessment", "to": "planning", "machine": "case_management"}),
    );
    // The plan agreed before the correction is still in force, but does not count any more.
    let refused = t.refused(&id, json!({"from": "planning", "to": "implementation"}));
    assert_eq!(refused.unmet(), ["plan_agreed_by_client"]);
    t.agreed_plan(&id);
    let back = t.step(&id, json!({"from": "planning", "to": "implementation"}));
    assert_eq!(back.body["lifecycle_stage"], "implementation");
}

#[test]
fn after_intervention_control_returns_to_assessment_stage_five_needs_a_new_assessment() {
    let t = team();
    let id = t.individual_case_at_intervention_control();
    t.step(
        &id,
        json!({"from": "intervention_control", "to": "assessment", "reason": "The problem came back"}),
    );
    t.step(
        &id,
        json!({"from": "monitoring", "to": "planning", "machine": "lifecycle", "reason": "Re-plan after the new assessment"}),
    );
    let refused = t.refused(
        &id,
        json!({"from": "assessment", "to": "problem_conceptualisation"}),
    );
    assert_eq!(refused.unmet(), ["completed_assessment"]);
    t.assessment(&id, "re_assessment");
    t.step(
        &id,
        json!({"from": "assessment", "to": "problem_conceptualisation"}),
    );
}

#[test]
fn a_plan_cannot_be_agreed_without_a_completed_assessment() {
    let t = team();
    let case = t.open("case_management");
    let id = case["id"].as_str().unwrap().to_owned();
    // Drafting may start before the assessment is completed...
    let plan = t.record(
        &id,
        "plans",
        json!({"period_start": "2026-12-01", "period_end": "2027-02-28", "next_review_on": "2027-01-15",
               "goals": [{"description": "Children never alone at night"}], "actions": []}),
    );
    // ...but the client agrees a plan built on a completed assessment.
    let agreement = json!({"agreed_on": "2026-11-30", "agreed_by": "Oksana Shevchenko (mother)", "method": "signed"});
    let path = format!("/api/v1/cases/{id}/plans/{}/agreement", plan.id());
    let refused = t.app.post(&path, &t.manager, agreement.clone());
    assert_eq!(refused.status, 409, "{:?}", refused.body);
    assert_eq!(refused.unmet(), ["completed_assessment"]);
    assert_eq!(
        t.app
            .get(&format!("/api/v1/cases/{id}/plans"), &t.manager)
            .body[0]["status"],
        "draft"
    );
    t.assessment(&id, "initial");
    let agreed = t.app.post(&path, &t.manager, agreement);
    assert_eq!(agreed.status, 200, "{:?}", agreed.body);
}
