//! Goals and actions keep their stable ids across plan versions; their execution state survives a
//! new version, and the execution view shows it.

use serde_json::json;

use super::{ids, team};

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
