//! Per-unit requirements of supervisor approvals, and the plan agreement as an agreement record
//! (issue 3, items 4 and 7).

use opora_domain::Role;
use opora_tests::walk::{move_case, opened_case};
use opora_tests::{Answer, TestApp};
use serde_json::{json, Value};

struct Team {
    app: TestApp,
    manager: String,
    supervisor: String,
    admin: String,
}

fn team() -> Team {
    let app = TestApp::start();
    let manager = app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    let supervisor = app.staff("iryna", &[Role::Supervisor], &app.district_a.clone());
    let admin = app.staff("adam", &[Role::Admin], &app.centre.clone());
    Team {
        app,
        manager,
        supervisor,
        admin,
    }
}

impl Team {
    fn settings(&self, unit: &str, plan: bool, closure: bool) {
        let answer = self.app.send(
            "PUT",
            &format!("/api/v1/units/{unit}/settings"),
            Some(&self.admin),
            &[],
            Some(&json!({"requires_plan_approval": plan, "requires_closure_approval": closure})),
        );
        assert_eq!(answer.status, 200, "{:?}", answer.body);
    }

    fn step(&self, case: &str, body: Value) -> Answer {
        let answer = move_case(&self.app, &self.manager, case, body.clone());
        assert_eq!(answer.status, 200, "{body}: {:?}", answer.body);
        answer
    }

    /// A case at planning with a drafted plan version; returns (case id, plan id).
    fn drafted_plan(&self) -> (String, String) {
        let case = opened_case(&self.app, &self.manager, "olena", "case_management");
        let id = case["id"].as_str().unwrap().to_owned();
        let assessment = self.app.post(
            &format!("/api/v1/cases/{id}/assessments"),
            &self.manager,
            json!({"kind": "initial", "summary": "Children alone at night", "complete": true}),
        );
        assert_eq!(assessment.status, 201, "{:?}", assessment.body);
        self.step(
            &id,
            json!({"from": "establishing_contact", "to": "needs_assessment"}),
        );
        self.step(
            &id,
            json!({"from": "opened", "to": "planning", "machine": "lifecycle"}),
        );
        let plan = self.app.post(
            &format!("/api/v1/cases/{id}/plans"),
            &self.manager,
            json!({"period_start": "2026-12-01", "period_end": "2027-02-28", "next_review_on": "2027-01-15",
                   "goals": [{"description": "Children never alone at night", "term": "short", "priority": "high"},
                             {"description": "Stable income", "term": "long", "priority": "2"}],
                   "services": [{"service": "Social support of the family", "provider_kind": "worker", "provider": "olena", "frequency": "weekly"},
                                {"service": "Psychological counselling", "provider_kind": "partner_organisation", "provider": "Centre for Families", "frequency": "twice a month"}]}),
        );
        assert_eq!(plan.status, 201, "{:?}", plan.body);
        assert_eq!(plan.body["goals"][0]["term"], "short");
        assert_eq!(plan.body["goals"][1]["priority"], "2");
        assert_eq!(plan.body["services"][1]["provider"], "Centre for Families");
        assert_eq!(plan.body["services"][0]["frequency"], "weekly");
        assert!(plan.body["agreement_id"].is_null());
        (id, plan.id())
    }

    fn agree(&self, case: &str, plan: &str) -> Answer {
        self.app.post(
            &format!("/api/v1/cases/{case}/plans/{plan}/agreement"),
            &self.manager,
            json!({"agreed_on": "2026-11-20", "agreed_by": "Oksana Shevchenko", "method": "signed",
                   "signed_for_child_by": "Oksana Shevchenko", "signer_relation": "mother"}),
        )
    }
}

#[test]
fn agreeing_a_plan_version_records_a_plan_agreement_linked_to_it() {
    let t = team();
    let (case, plan) = t.drafted_plan();

    let agreed = t.agree(&case, &plan);

    assert_eq!(agreed.status, 200, "{:?}", agreed.body);
    let agreement_id = agreed.body["agreement_id"].as_str().unwrap().to_owned();
    let list = t
        .app
        .get(&format!("/api/v1/cases/{case}/agreements"), &t.manager);
    assert_eq!(list.status, 200);
    let records: Vec<&Value> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "plan_agreement")
        .collect();
    assert_eq!(records.len(), 1, "{:?}", list.body);
    assert_eq!(records[0]["id"], agreement_id.as_str());
    assert_eq!(records[0]["plan_id"], plan.as_str());
    assert_eq!(records[0]["method"], "signed");
    assert_eq!(records[0]["signed_for_child_by"], "Oksana Shevchenko");
    assert_eq!(records[0]["signer_relation"], "mother");
    let plans = t
        .app
        .get(&format!("/api/v1/cases/{case}/plans"), &t.manager);
    assert_eq!(plans.body[0]["agreement_id"], agreement_id.as_str());
    // Not a second, separate record: the generic endpoint refuses the kind.
    let direct = t.app.post(
        &format!("/api/v1/cases/{case}/agreements"),
        &t.manager,
        json!({"kind": "plan_agreement", "signed_on": "2026-11-20", "signed_by_client": true, "signed_by_service": false, "parties": "x"}),
    );
    assert_eq!(direct.status, 422, "{:?}", direct.body);
}

#[test]
fn a_unit_requiring_plan_approval_refuses_the_agreement_until_a_supervisor_approved() {
    let t = team();
    let district = t.app.district_a.clone();
    t.settings(&district, true, false);
    let (case, plan) = t.drafted_plan();

    let refused = t.agree(&case, &plan);
    assert_eq!(refused.status, 409, "{:?}", refused.body);
    assert_eq!(refused.unmet(), ["supervisor_plan_approval"]);

    let by_manager = t.app.post(
        &format!("/api/v1/cases/{case}/plans/{plan}/approval"),
        &t.manager,
        json!({"decision": "approved"}),
    );
    assert_eq!(by_manager.status, 403);
    let commented = t.app.post(
        &format!("/api/v1/cases/{case}/plans/{plan}/approval"),
        &t.supervisor,
        json!({"decision": "commented", "comment": "Add the school"}),
    );
    assert_eq!(commented.status, 200, "{:?}", commented.body);
    assert_eq!(t.agree(&case, &plan).status, 409);
    let approved = t.app.post(
        &format!("/api/v1/cases/{case}/plans/{plan}/approval"),
        &t.supervisor,
        json!({"decision": "approved"}),
    );
    assert_eq!(approved.status, 200, "{:?}", approved.body);

    let agreed = t.agree(&case, &plan);
    assert_eq!(agreed.status, 200, "{:?}", agreed.body);
    assert_eq!(agreed.body["status"], "active");
}

#[test]
fn a_unit_requiring_closure_approval_refuses_closing_until_the_report_is_approved() {
    let t = team();
    let district = t.app.district_a.clone();
    t.settings(&district, false, true);
    let case = opened_case(&t.app, &t.manager, "olena", "case_management");
    let id = case["id"].as_str().unwrap().to_owned();
    let close = json!({"from": "opened", "to": "closed", "closure_reason": "moved_away"});

    let refused = move_case(&t.app, &t.manager, &id, close.clone());
    assert_eq!(refused.status, 409, "{:?}", refused.body);
    assert_eq!(refused.unmet(), ["closure_approved", "closure_report"]);

    let approval = format!("/api/v1/cases/{id}/closure-report/approval");
    // No report yet: nothing to approve.
    assert_eq!(
        t.app
            .post(&approval, &t.supervisor, json!({"approved": true}))
            .status,
        404
    );
    let report = t.app.send(
        "PUT",
        &format!("/api/v1/cases/{id}/closure-report"),
        Some(&t.manager),
        &[],
        Some(&json!({"closure_reason": "moved_away",
                     "family_informed": {"on": "2026-11-20", "how": "phone", "by": "olena"}})),
    );
    assert_eq!(report.status, 201, "{:?}", report.body);
    let by_manager = t.app.post(&approval, &t.manager, json!({"approved": true}));
    assert_eq!(by_manager.status, 403, "{:?}", by_manager.body);
    let declined = t.app.post(
        &approval,
        &t.supervisor,
        json!({"approved": false, "comment": "Tell the family first"}),
    );
    assert_eq!(declined.status, 201, "{:?}", declined.body);
    let still = move_case(&t.app, &t.manager, &id, close.clone());
    assert_eq!(still.unmet(), ["closure_approved"]);

    let approved = t.app.post(
        &approval,
        &t.supervisor,
        json!({"approved": true, "comment": "Fine"}),
    );
    assert_eq!(approved.status, 201, "{:?}", approved.body);
    assert_eq!(approved.body["approved"], true);

    let closed = move_case(&t.app, &t.manager, &id, close);
    assert_eq!(closed.status, 200, "{:?}", closed.body);
}

#[test]
fn without_the_requirement_a_case_closes_without_approval() {
    let t = team();
    let case = opened_case(&t.app, &t.manager, "olena", "case_management");
    let id = case["id"].as_str().unwrap().to_owned();
    opora_tests::walk::closure_report(&t.app, &t.manager, &id, "moved_away");
    let closed = move_case(
        &t.app,
        &t.manager,
        &id,
        json!({"from": "opened", "to": "closed", "closure_reason": "moved_away"}),
    );
    assert_eq!(closed.status, 200, "{:?}", closed.body);
}

#[test]
fn settings_of_the_nearest_unit_up_the_tree_apply() {
    let t = team();
    let centre = t.app.centre.clone();
    let district = t.app.district_a.clone();
    let reader = t.app.staff("reader", &[Role::Specialist], &district);

    let none = t
        .app
        .get(&format!("/api/v1/units/{district}/settings"), &reader);
    assert_eq!(none.status, 200, "{:?}", none.body);
    assert_eq!(none.body["requires_closure_approval"], false);
    assert!(none.body["set_on"].is_null());

    t.settings(&centre, true, true);
    let inherited = t
        .app
        .get(&format!("/api/v1/units/{district}/settings"), &reader);
    assert_eq!(inherited.body["requires_plan_approval"], true);
    assert_eq!(inherited.body["requires_closure_approval"], true);
    assert_eq!(inherited.body["set_on"], centre.as_str());
    // And the guards see it: closing a case of the district needs the approval.
    let case = opened_case(&t.app, &t.manager, "olena", "case_management");
    opora_tests::walk::closure_report(
        &t.app,
        &t.manager,
        case["id"].as_str().unwrap(),
        "moved_away",
    );
    let refused = move_case(
        &t.app,
        &t.manager,
        case["id"].as_str().unwrap(),
        json!({"from": "opened", "to": "closed", "closure_reason": "moved_away"}),
    );
    assert_eq!(refused.unmet(), ["closure_approved"]);

    // The district's own settings override the centre's.
    t.settings(&district, false, false);
    let own = t
        .app
        .get(&format!("/api/v1/units/{district}/settings"), &reader);
    assert_eq!(own.body["requires_closure_approval"], false);
    assert_eq!(own.body["set_on"], district.as_str());
    // The district reader does not see the centre.
    assert_eq!(
        t.app
            .get(&format!("/api/v1/units/{centre}/settings"), &reader)
            .status,
        404
    );
}

#[test]
fn only_admins_set_unit_settings() {
    let t = team();
    let district = t.app.district_a.clone();
    let body = json!({"requires_plan_approval": true, "requires_closure_approval": true});
    for token in [&t.supervisor, &t.manager] {
        let answer = t.app.send(
            "PUT",
            &format!("/api/v1/units/{district}/settings"),
            Some(token),
            &[],
            Some(&body),
        );
        assert_eq!(answer.status, 403, "{:?}", answer.body);
    }
    let other_admin = t
        .app
        .staff("b-admin", &[Role::Admin], &t.app.district_b.clone());
    let foreign = t.app.send(
        "PUT",
        &format!("/api/v1/units/{district}/settings"),
        Some(&other_admin),
        &[],
        Some(&body),
    );
    assert_eq!(foreign.status, 404);
    let unchanged = t
        .app
        .get(&format!("/api/v1/units/{district}/settings"), &t.manager);
    assert_eq!(unchanged.body["requires_plan_approval"], false);
}
