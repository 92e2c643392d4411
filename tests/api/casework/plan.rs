//! Plan versions: specialists' agreement by the specialist only, the family-overload warning and
//! supervisor approval.

use serde_json::{json, Value};

use super::{ids, team};

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
