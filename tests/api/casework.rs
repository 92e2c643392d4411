//! Casework depth: assessments by life domain with the child's own view, drafts edited with
//! If-Match and immutable once completed, re-assessments; plan versions whose goals and actions
//! keep stable ids, execution state that survives a new version, specialists' agreement by the
//! specialist only, the family-overload warning, supervisor approval and the execution view.

use opora_domain::Role;
use opora_tests::TestApp;
use serde_json::{json, Value};

struct Team {
    app: TestApp,
    supervisor: String,
    manager: String,
    specialist: String,
    other_specialist: String,
    case: String,
}

fn team() -> Team {
    let app = TestApp::start();
    let unit = app.district_a.clone();
    let supervisor = app.staff("cw-supervisor", &[Role::Supervisor], &unit);
    let manager = app.staff("cw-manager", &[Role::CaseManager], &unit);
    let specialist = app.staff("cw-psychologist", &[Role::Specialist], &unit);
    let other_specialist = app.staff("cw-lawyer", &[Role::Specialist], &unit);
    let case = opora_tests::walk::opened_case(&app, &manager, "cw-manager", "case_management");
    let case = case["id"].as_str().unwrap().to_owned();
    Team {
        app,
        supervisor,
        manager,
        specialist,
        other_specialist,
        case,
    }
}

impl Team {
    fn url(&self, rest: &str) -> String {
        format!("/api/v1/cases/{}/{rest}", self.case)
    }

    fn plan(&self, goals: Value, actions: Value) -> opora_tests::Answer {
        self.app.post(
            &self.url("plans"),
            &self.manager,
            json!({"period_start": "2026-12-01", "period_end": "2027-02-28", "next_review_on": "2027-01-15",
                   "goals": goals, "actions": actions}),
        )
    }

    /// A completed assessment, which the client's agreement to a plan needs.
    fn assessed(&self) {
        let done = self.app.post(
            &self.url("assessments"),
            &self.manager,
            json!({"kind": "initial", "summary": "Children alone at night", "complete": true}),
        );
        assert_eq!(done.status, 201, "{:?}", done.body);
    }

    fn agree(&self, plan: &str) -> opora_tests::Answer {
        self.app.post(
            &self.url(&format!("plans/{plan}/agreement")),
            &self.manager,
            json!({"agreed_on": "2026-11-30", "agreed_by": "Oksana Shevchenko (mother)", "method": "signed"}),
        )
    }
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn an_assessment_by_life_domain_with_the_childs_view_is_edited_as_a_draft_and_then_immutable() {
    let t = team();
    let created = t.app.post(
        &t.url("assessments"),
        &t.manager,
        json!({"kind": "initial", "summary": "Children alone at night",
               "domains": [
                   {"domain": "child_safety", "need_level": "high", "risks": "Alone at night", "strengths": "Know the neighbours", "resources": "Grandmother"},
                   {"domain": "finances", "need_level": "moderate"}
               ],
               "conclusions": ["Children alone at night", "Low income"],
               "recommendations": "Night care; job counselling",
               "child_view": {"text": "Daryna wants grandma to come at night.", "method": "conversation alone with the child", "gathered_on": "2026-11-20"}}),
    );
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.etag.as_deref(), Some("\"v1\""));
    assert_eq!(created.body["status"], "draft");
    let id = created.id();

    let read = t
        .app
        .get(&t.url(&format!("assessments/{id}")), &t.specialist);
    assert_eq!(read.status, 200, "{:?}", read.body);
    assert_eq!(read.etag.as_deref(), Some("\"v1\""));
    let domains = read.body["domains"].as_array().unwrap();
    assert_eq!(domains.len(), 2);
    assert_eq!(domains[0]["domain"], "child_safety");
    assert_eq!(domains[0]["need_level"], "high");
    assert_eq!(domains[0]["resources"], "Grandmother");
    assert_eq!(domains[1]["strengths"], "");
    assert_eq!(
        read.body["conclusions"],
        json!(["Children alone at night", "Low income"])
    );
    assert_eq!(read.body["recommendations"], "Night care; job counselling");
    assert_eq!(
        read.body["child_view"],
        json!({"text": "Daryna wants grandma to come at night.", "method": "conversation alone with the child", "gathered_on": "2026-11-20"})
    );

    // Unknown codes are named.
    let bad = t.app.post(
        &t.url("assessments"),
        &t.manager,
        json!({"kind": "initial", "summary": "s", "domains": [{"domain": "astrology", "need_level": "extreme"}]}),
    );
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    let fields = bad.fields_at_fault().join(",");
    assert!(
        fields.contains("domain") && fields.contains("need_level"),
        "{fields}"
    );

    // Editing a draft needs If-Match: none 428, stale 412, current 200.
    let path = t.url(&format!("assessments/{id}"));
    let change = json!({"domains": [{"domain": "housing", "need_level": "low", "risks": "Damp flat"}],
                        "conclusions": ["Damp flat"],
                        "child_view": {"text": "Mykola likes school.", "method": "drawing", "gathered_on": "2026-11-21"}});
    let none = t.app.patch(&path, &t.manager, None, change.clone());
    assert_eq!(none.status, 428, "{:?}", none.body);
    let stale = t
        .app
        .patch(&path, &t.manager, Some("\"v0\""), change.clone());
    assert_eq!(stale.status, 412, "{:?}", stale.body);
    let edited = t.app.patch(&path, &t.manager, Some("\"v1\""), change);
    assert_eq!(edited.status, 200, "{:?}", edited.body);
    assert_eq!(edited.etag.as_deref(), Some("\"v2\""));
    assert_eq!(edited.body["domains"].as_array().unwrap().len(), 1);
    assert_eq!(edited.body["domains"][0]["domain"], "housing");
    assert_eq!(edited.body["conclusions"], json!(["Damp flat"]));
    assert_eq!(edited.body["child_view"]["method"], "drawing");
    assert_eq!(edited.body["summary"], "Children alone at night");
    let unknown = t.app.patch(
        &path,
        &t.manager,
        Some("\"v2\""),
        json!({"summary": "x", "mood": "good"}),
    );
    assert!([400, 422].contains(&unknown.status), "{:?}", unknown.body);

    // Completed: immutable.
    let done = t.app.post(
        &t.url(&format!("assessments/{id}/completion")),
        &t.manager,
        json!({}),
    );
    assert_eq!(done.status, 200, "{:?}", done.body);
    let etag = done.etag.clone().unwrap();
    let refused = t.app.patch(
        &path,
        &t.manager,
        Some(&etag),
        json!({"summary": "changed"}),
    );
    assert_eq!(refused.status, 409, "{:?}", refused.body);

    // Corrections go into a re-assessment naming the corrected one.
    let initial_corrects = t.app.post(
        &t.url("assessments"),
        &t.manager,
        json!({"kind": "initial", "summary": "s", "corrects": id}),
    );
    assert_eq!(initial_corrects.status, 422, "{:?}", initial_corrects.body);
    let unknown = t.app.post(
        &t.url("assessments"),
        &t.manager,
        json!({"kind": "re_assessment", "summary": "s", "corrects": "no-such-assessment"}),
    );
    assert_eq!(unknown.status, 422, "{:?}", unknown.body);
    let again = t.app.post(
        &t.url("assessments"),
        &t.manager,
        json!({"kind": "re_assessment", "summary": "Night care in place; damp flat remains", "corrects": id, "complete": true,
               "domains": [{"domain": "housing", "need_level": "moderate"}]}),
    );
    assert_eq!(again.status, 201, "{:?}", again.body);
    assert_eq!(again.body["corrects"], json!(id));
    assert_eq!(again.body["kind"], "re_assessment");

    let list = t.app.get(&t.url("assessments"), &t.manager);
    assert_eq!(list.status, 200);
    let list = list.body.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["domains"][0]["domain"], "housing");

    let events = t.app.get(&t.url("events"), &t.manager).body.to_string();
    assert!(events.contains("assessment.updated"), "{events}");
}

#[test]
fn goals_and_actions_keep_their_ids_across_versions_and_their_execution_survives() {
    let t = team();
    let v1 = t.plan(
        json!([{"description": "Children never alone at night", "expected_result": "Night care"}]),
        json!([
            {"goal": 0, "description": "Arrange night care", "responsible": "key worker", "responsible_kind": "worker",
             "responsible_ref": "cw-manager", "due_on": "2026-12-20"},
            {"goal": 0, "description": "Ask grandmother to stay two nights", "responsible": "mother",
             "responsible_kind": "family_member", "responsible_ref": "Oksana Shevchenko", "frequency": "twice a week"}
        ]),
    );
    assert_eq!(v1.status, 201, "{:?}", v1.body);
    assert_eq!(v1.body["warnings"], json!([]));
    let goal = ids(&v1.body["goals"])[0].clone();
    let actions = ids(&v1.body["actions"]);
    let (care, grandmother) = (actions[0].clone(), actions[1].clone());
    assert_eq!(v1.body["actions"][0]["goal_id"], json!(goal));
    assert_eq!(v1.body["actions"][1]["frequency"], "twice a week");
    assert_eq!(v1.body["actions"][1]["responsible_kind"], "family_member");
    t.assessed();
    assert_eq!(t.agree(&v1.id()).status, 200);

    // Work recorded against the action and the goal.
    let done = t.app.post(
        &t.url(&format!("plan-actions/{care}/execution")),
        &t.specialist,
        json!({"status": "done", "done_on": "2026-12-18", "result": "Place in the night-care group"}),
    );
    assert_eq!(done.status, 200, "{:?}", done.body);
    assert_eq!(done.body["status"], "done");
    let wrong = t.app.post(
        &t.url(&format!("plan-actions/{grandmother}/execution")),
        &t.manager,
        json!({"status": "in_progress", "done_on": "2026-12-18"}),
    );
    assert_eq!(wrong.status, 422, "{:?}", wrong.body);
    let progress = t.app.post(
        &t.url(&format!("plan-goals/{goal}/progress")),
        &t.manager,
        json!({"status": "in_progress", "progress": 50, "note": "Three nights of five covered"}),
    );
    assert_eq!(progress.status, 200, "{:?}", progress.body);
    let over = t.app.post(
        &t.url(&format!("plan-goals/{goal}/progress")),
        &t.manager,
        json!({"status": "in_progress", "progress": 150}),
    );
    assert_eq!(over.status, 422, "{:?}", over.body);
    let missing = t.app.post(
        &t.url("plan-actions/no-such-action/execution"),
        &t.manager,
        json!({"status": "done"}),
    );
    assert_eq!(missing.status, 404, "{:?}", missing.body);

    // Version 2 carries the goal and the night-care action (reworded), drops the grandmother,
    // adds a new action.
    let unknown = t.plan(
        json!([{"id": "no-such-goal", "description": "g"}]),
        json!([]),
    );
    assert_eq!(unknown.status, 422, "{:?}", unknown.body);
    assert_eq!(unknown.fields_at_fault(), ["goals[0].id"]);
    let v2 = t.plan(
        json!([{"id": goal, "description": "The children are never alone at night", "expected_result": "Night care every night"}]),
        json!([
            {"id": care, "goal_id": goal, "description": "Keep the night-care place", "responsible": "key worker", "responsible_kind": "worker"},
            {"goal": 0, "description": "Job counselling for the mother", "responsible": "employment centre",
             "responsible_kind": "partner_organisation", "responsible_ref": "Odesa employment centre"}
        ]),
    );
    assert_eq!(v2.status, 201, "{:?}", v2.body);
    assert_eq!(ids(&v2.body["goals"]), std::slice::from_ref(&goal));
    let v2_actions = ids(&v2.body["actions"]);
    assert_eq!(v2_actions[0], care);
    assert_ne!(v2_actions[1], grandmother);
    assert_eq!(v2.body["actions"][0]["goal_id"], json!(goal));
    assert_eq!(v2.body["actions"][1]["goal_id"], json!(goal));
    let counselling = v2_actions[1].clone();

    // Draft until the client agrees; then v1 is superseded.
    assert_eq!(t.agree(&v2.id()).status, 200);
    let plans = t.app.get(&t.url("plans"), &t.manager).body;
    let statuses: Vec<&str> = plans
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["superseded", "active"]);

    // The execution part: by stable id, latest wording, state kept.
    let view = t.app.get(&t.url("plan-execution"), &t.supervisor);
    assert_eq!(view.status, 200, "{:?}", view.body);
    let rows = view.body["actions"].as_array().unwrap();
    let row = |id: &str| rows.iter().find(|r| r["id"] == json!(id)).unwrap().clone();
    assert_eq!(rows.len(), 3);
    let kept = row(&care);
    assert_eq!(kept["description"], "Keep the night-care place");
    assert_eq!(kept["plan_version"], 2);
    assert_eq!(kept["status"], "done");
    assert_eq!(kept["done_on"], "2026-12-18");
    assert_eq!(kept["result"], "Place in the night-care group");
    assert_eq!(kept["responsible_kind"], "worker");
    let dropped = row(&grandmother);
    assert_eq!(dropped["plan_version"], 1);
    assert_eq!(dropped["plan_status"], "superseded");
    assert_eq!(dropped["status"], "planned");
    let new = row(&counselling);
    assert_eq!(new["responsible_ref"], "Odesa employment centre");
    assert_eq!(new["status"], "planned");
    let goals = view.body["goals"].as_array().unwrap();
    assert_eq!(goals.len(), 1);
    assert_eq!(goals[0]["id"], json!(goal));
    assert_eq!(goals[0]["progress"], 50);
    assert_eq!(
        goals[0]["description"],
        "The children are never alone at night"
    );

    // Work recorded on v2 goes on the same record.
    let more = t.app.post(
        &t.url(&format!("plan-actions/{grandmother}/execution")),
        &t.manager,
        json!({"status": "dropped", "result": "Grandmother moved away"}),
    );
    assert_eq!(more.status, 200, "{:?}", more.body);
    let events = t.app.get(&t.url("events"), &t.manager).body.to_string();
    for action in [
        "plan_action.execution",
        "plan_goal.progress",
        "plan.drafted",
    ] {
        assert!(events.contains(action), "{action} missing");
    }
}

#[test]
fn only_the_specialist_taking_part_records_their_agreement() {
    let t = team();
    let plan = t.plan(
        json!([{"description": "Children feel safe"}]),
        json!([{"goal": 0, "description": "Weekly sessions with the children", "responsible": "psychologist",
                "responsible_kind": "worker", "responsible_ref": "cw-psychologist", "frequency": "weekly",
                "specialists": ["cw-psychologist"]}]),
    );
    assert_eq!(plan.status, 201, "{:?}", plan.body);
    assert_eq!(
        plan.body["actions"][0]["specialists"],
        json!(["cw-psychologist"])
    );
    let action = ids(&plan.body["actions"])[0].clone();
    let path = t.url(&format!(
        "plans/{}/actions/{action}/specialist-agreement",
        plan.id()
    ));

    // Another specialist, or the key worker on the specialist's behalf: 403.
    let other = t
        .app
        .post(&path, &t.other_specialist, json!({"agreed": true}));
    assert_eq!(other.status, 403, "{:?}", other.body);
    let on_behalf = t.app.post(
        &path,
        &t.manager,
        json!({"staff_id": "cw-psychologist", "agreed": true}),
    );
    assert_eq!(on_behalf.status, 403, "{:?}", on_behalf.body);
    let as_someone_else = t.app.post(
        &path,
        &t.specialist,
        json!({"staff_id": "cw-lawyer", "agreed": true}),
    );
    assert_eq!(as_someone_else.status, 403, "{:?}", as_someone_else.body);

    let agreed = t.app.post(
        &path,
        &t.specialist,
        json!({"staff_id": "cw-psychologist", "agreed": true, "comment": "Tuesdays"}),
    );
    assert_eq!(agreed.status, 200, "{:?}", agreed.body);
    let recorded = &agreed.body["actions"][0]["specialist_agreements"];
    assert_eq!(recorded.as_array().unwrap().len(), 1);
    assert_eq!(recorded[0]["staff_id"], "cw-psychologist");
    assert_eq!(recorded[0]["agreed"], true);
    assert_eq!(recorded[0]["comment"], "Tuesdays");

    // Changing one's mind replaces the record.
    let changed = t.app.post(&path, &t.specialist, json!({"agreed": false}));
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(
        changed.body["actions"][0]["specialist_agreements"][0]["agreed"],
        false
    );
    let listed = t.app.get(&t.url("plans"), &t.manager).body;
    assert_eq!(
        listed[0]["actions"][0]["specialist_agreements"][0]["staff_id"],
        "cw-psychologist"
    );

    let unknown = t.app.post(
        &t.url(&format!(
            "plans/{}/actions/no-such-action/specialist-agreement",
            plan.id()
        )),
        &t.specialist,
        json!({"agreed": true}),
    );
    assert_eq!(unknown.status, 404, "{:?}", unknown.body);
}

#[test]
fn a_plan_that_overloads_the_family_carries_a_warning() {
    let t = team();
    let family_action = |n: usize| json!({"goal": 0, "description": format!("Family task {n}"), "responsible": "mother", "responsible_kind": "family_member"});
    let light = t.plan(
        json!([{"description": "g"}]),
        Value::Array((0..5).map(family_action).collect()),
    );
    assert_eq!(light.status, 201, "{:?}", light.body);
    assert_eq!(light.body["warnings"], json!([]));

    let heavy = t.plan(
        json!([{"description": "g"}]),
        Value::Array((0..6).map(family_action).collect()),
    );
    assert_eq!(heavy.status, 201, "{:?}", heavy.body);
    assert_eq!(heavy.body["warnings"][0]["code"], "family_overload");
    assert!(heavy.body["warnings"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("limit is 5"));

    // Planned appointments of the coming week count too.
    for days in [1, 2] {
        let at = (chrono::Utc::now() + chrono::Duration::days(days)).to_rfc3339();
        let contact = t.app.post(
            &t.url("contacts"),
            &t.manager,
            json!({"type": "home_visit", "status": "planned", "scheduled_at": at}),
        );
        assert_eq!(contact.status, 201, "{:?}", contact.body);
    }
    let with_visits = t.plan(
        json!([{"description": "g"}]),
        Value::Array((0..4).map(family_action).collect()),
    );
    assert_eq!(with_visits.status, 201, "{:?}", with_visits.body);
    assert_eq!(with_visits.body["warnings"][0]["code"], "family_overload");
    // The warning belongs to the answer, not the stored version.
    let listed = t.app.get(&t.url("plans"), &t.manager).body;
    assert_eq!(listed[1]["warnings"], json!([]));
}

#[test]
fn only_a_supervisor_approves_a_plan_version() {
    let t = team();
    let plan = t.plan(json!([{"description": "g"}]), json!([]));
    assert_eq!(plan.status, 201, "{:?}", plan.body);
    let path = t.url(&format!("plans/{}/approval", plan.id()));
    for token in [&t.manager, &t.specialist] {
        let refused = t.app.post(&path, token, json!({"decision": "approved"}));
        assert_eq!(refused.status, 403, "{:?}", refused.body);
    }
    let bad = t
        .app
        .post(&path, &t.supervisor, json!({"decision": "maybe"}));
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    let approved = t.app.post(
        &path,
        &t.supervisor,
        json!({"decision": "approved", "comment": "Realistic for the family"}),
    );
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    assert_eq!(approved.body["approvals"][0]["decision"], "approved");
    assert_eq!(
        approved.body["approvals"][0]["supervisor_id"],
        "cw-supervisor"
    );
    // Approval does not make the version active: the client's agreement does.
    assert_eq!(approved.body["status"], "draft");
    t.assessed();
    assert_eq!(t.agree(&plan.id()).status, 200);
    let listed = t.app.get(&t.url("plans"), &t.manager).body;
    assert_eq!(
        listed[0]["approvals"][0]["comment"],
        "Realistic for the family"
    );
    let events = t.app.get(&t.url("events"), &t.manager).body.to_string();
    assert!(events.contains("plan.approval"), "{events}");
}
