//! Intake reports through lifecycle stages 1–3 and their outcomes: rejection with a reason,
//! attachment to an open case of the same client, or opening a case with a key worker and a work
//! model; stale and refused moves are 409 naming what is wrong and what is possible now.

use opora_domain::Role;
use opora_tests::walk::{family, move_report, opened_case, report};
use opora_tests::{Answer, TestApp};
use serde_json::{json, Value};

struct Desk {
    app: TestApp,
    manager: String,
}

fn desk() -> Desk {
    let app = TestApp::start();
    let manager = app.staff("olena", &[Role::CaseManager], &app.district_a);
    Desk { app, manager }
}

impl Desk {
    fn client(&self) -> String {
        family(&self.app, &self.manager, None).id()
    }

    fn report_about(&self, client: &str) -> String {
        report(&self.app, &self.manager, Some(client)).id()
    }

    fn walk(&self, report: &str, body: Value) -> Answer {
        move_report(&self.app, &self.manager, report, body)
    }

    /// A report about `client` moved to need recognition.
    fn recognised(&self, client: &str) -> String {
        let id = self.report_about(client);
        for (from, to) in [
            ("intake", "verification"),
            ("verification", "need_recognition"),
        ] {
            let a = self.walk(&id, json!({"from": from, "to": to}));
            assert_eq!(a.status, 200, "{:?}", a.body);
        }
        id
    }

    fn stage(&self, report: &str) -> String {
        let a = self
            .app
            .get(&format!("/api/v1/intake-reports/{report}"), &self.manager);
        assert_eq!(a.status, 200, "{:?}", a.body);
        a.body["stage"].as_str().unwrap().to_owned()
    }
}

fn allowed_targets(answer: &Answer) -> Vec<String> {
    answer.body["allowed_transitions"]
        .as_array()
        .unwrap_or_else(|| panic!("no allowed_transitions in {:?}", answer.body))
        .iter()
        .map(|t| t["to"].as_str().unwrap().to_owned())
        .collect()
}

fn assert_conflict(answer: &Answer, kind: &str) {
    assert_eq!(answer.status, 409, "{:?}", answer.body);
    assert_eq!(answer.content_type, "application/problem+json");
    assert_eq!(answer.problem_kind(), kind, "{:?}", answer.body);
}

#[test]
fn a_report_moves_from_intake_through_verification_to_need_recognition() {
    let d = desk();
    let client = d.client();
    let created = report(&d.app, &d.manager, Some(&client));
    assert_eq!(created.body["stage"], "intake");
    assert_eq!(
        created.location.as_deref(),
        Some(format!("/api/v1/intake-reports/{}", created.id()).as_str())
    );
    let id = created.id();

    let verified = d.walk(
        &id,
        json!({"from": "intake", "to": "verification", "reason": "Called the school"}),
    );
    let recognised = d.walk(
        &id,
        json!({"from": "verification", "to": "need_recognition", "reason": "Confirmed by a visit"}),
    );

    assert_eq!(verified.status, 200, "{:?}", verified.body);
    assert_eq!(verified.body["report"]["stage"], "verification");
    assert_eq!(verified.body["case"], Value::Null);
    assert_eq!(recognised.status, 200, "{:?}", recognised.body);
    assert_eq!(recognised.body["report"]["stage"], "need_recognition");
    assert_eq!(
        recognised.body["report"]["outcome_note"],
        "Confirmed by a visit"
    );
    assert_eq!(recognised.body["report"]["version"], 3);
    let mut allowed = allowed_targets(&Answer {
        status: 200,
        content_type: String::new(),
        etag: None,
        location: None,
        body: recognised.body["report"].clone(),
    });
    allowed.sort();
    assert_eq!(allowed, ["attached", "opened", "rejected"]);
    assert_eq!(d.stage(&id), "need_recognition");
}

#[test]
fn a_move_from_a_stage_the_report_has_left_is_stage_changed() {
    let d = desk();
    let client = d.client();
    let id = d.report_about(&client);
    let first = d.walk(&id, json!({"from": "intake", "to": "verification"}));
    assert_eq!(first.status, 200, "{:?}", first.body);

    // A second caller who still saw the report at intake.
    let stale = d.walk(
        &id,
        json!({"from": "intake", "to": "rejected", "rejection_reason": "duplicate_report"}),
    );

    assert_conflict(&stale, "stage-changed");
    assert_eq!(stale.body["current_stage"], "verification");
    assert_eq!(d.stage(&id), "verification");
}

#[test]
fn a_rejection_without_a_reason_is_refused_naming_it_and_listing_the_moves_allowed() {
    let d = desk();
    let client = d.client();
    let id = d.report_about(&client);

    let refused = d.walk(&id, json!({"from": "intake", "to": "rejected"}));

    assert_conflict(&refused, "transition-refused");
    assert_eq!(refused.unmet(), ["rejection_reason"]);
    assert_eq!(refused.body["current_stage"], "intake");
    let mut allowed = allowed_targets(&refused);
    allowed.sort();
    assert_eq!(allowed, ["attached", "rejected", "verification"]);
    let rejection = refused.body["allowed_transitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["to"] == "rejected")
        .unwrap();
    assert_eq!(rejection["needs_rejection_reason"], true);
    assert_eq!(d.stage(&id), "intake");
}

#[test]
fn a_rejected_report_is_final() {
    let d = desk();
    let client = d.client();
    let id = d.report_about(&client);
    let verified = d.walk(&id, json!({"from": "intake", "to": "verification"}));
    assert_eq!(verified.status, 200, "{:?}", verified.body);

    let rejected = d.walk(
        &id,
        json!({"from": "verification", "to": "rejected", "rejection_reason": "information_not_confirmed",
               "reason": "Nobody at the address knows the family"}),
    );

    assert_eq!(rejected.status, 200, "{:?}", rejected.body);
    assert_eq!(rejected.body["report"]["stage"], "rejected");
    assert_eq!(
        rejected.body["report"]["rejection_reason"],
        "information_not_confirmed"
    );
    assert_eq!(rejected.body["report"]["allowed_transitions"], json!([]));
    for body in [
        json!({"from": "rejected", "to": "verification"}),
        json!({"from": "rejected", "to": "need_recognition"}),
        json!({"from": "rejected", "to": "opened", "work_model": "case_management", "key_worker_id": "olena"}),
    ] {
        let moved = d.walk(&id, body.clone());
        assert_eq!(moved.status, 409, "{body}: {:?}", moved.body);
        assert_eq!(moved.content_type, "application/problem+json");
        assert_eq!(moved.body["current_stage"], "rejected", "{body}");
    }
    assert_eq!(d.stage(&id), "rejected");
}

#[test]
fn opening_without_a_key_worker_is_refused_naming_it() {
    let d = desk();
    let client = d.client();
    let id = d.recognised(&client);

    let refused = d.walk(
        &id,
        json!({"from": "need_recognition", "to": "opened", "work_model": "case_management"}),
    );

    assert_conflict(&refused, "transition-refused");
    assert_eq!(refused.unmet(), ["key_worker_assigned"]);
    assert_eq!(refused.body["current_stage"], "need_recognition");
    assert!(allowed_targets(&refused).contains(&"opened".to_owned()));
    assert_eq!(d.stage(&id), "need_recognition");
}

#[test]
fn opening_without_a_work_model_is_refused_naming_it() {
    let d = desk();
    let client = d.client();
    let id = d.recognised(&client);

    let refused = d.walk(
        &id,
        json!({"from": "need_recognition", "to": "opened", "key_worker_id": "olena"}),
    );

    assert_conflict(&refused, "transition-refused");
    assert_eq!(refused.unmet(), ["work_model_chosen"]);
}

#[test]
fn opening_without_key_worker_or_work_model_names_both() {
    let d = desk();
    let client = d.client();
    let id = d.recognised(&client);

    let refused = d.walk(&id, json!({"from": "need_recognition", "to": "opened"}));

    assert_conflict(&refused, "transition-refused");
    let mut unmet = refused.unmet();
    unmet.sort();
    assert_eq!(unmet, ["key_worker_assigned", "work_model_chosen"]);
}

#[test]
fn a_key_worker_must_be_a_case_manager_or_a_supervisor() {
    let d = desk();
    d.app.staff("sofia", &[Role::Specialist], &d.app.district_a);
    let client = d.client();
    let id = d.recognised(&client);

    let refused = d.walk(
        &id,
        json!({"from": "need_recognition", "to": "opened", "work_model": "case_management", "key_worker_id": "sofia"}),
    );

    assert_eq!(refused.status, 422, "{:?}", refused.body);
    assert_eq!(refused.content_type, "application/problem+json");
    assert_eq!(refused.fields_at_fault(), ["key_worker_id"]);
    assert_eq!(d.stage(&id), "need_recognition");
}

#[test]
fn a_key_worker_who_is_no_staff_member_is_named() {
    let d = desk();
    let client = d.client();
    let id = d.recognised(&client);

    let refused = d.walk(
        &id,
        json!({"from": "need_recognition", "to": "opened", "work_model": "case_management", "key_worker_id": "nobody"}),
    );

    assert_eq!(refused.status, 422, "{:?}", refused.body);
    assert_eq!(refused.fields_at_fault(), ["key_worker_id"]);
}

#[test]
fn opening_with_a_key_worker_and_a_work_model_creates_the_case() {
    let d = desk();
    let supervisor = d.app.staff("iryna", &[Role::Supervisor], &d.app.district_a);
    let client = d.client();
    let id = d.recognised(&client);

    let opened = d.walk(
        &id,
        json!({"from": "need_recognition", "to": "opened", "work_model": "individual", "key_worker_id": "iryna",
               "reason": "Need recognised"}),
    );

    assert_eq!(opened.status, 200, "{:?}", opened.body);
    let case = &opened.body["case"];
    assert_eq!(opened.body["report"]["stage"], "opened");
    assert_eq!(opened.body["report"]["case_id"], case["id"]);
    assert_eq!(case["lifecycle_stage"], "opened");
    assert_eq!(case["work_model"], "individual");
    assert_eq!(case["model_stage"], "initial_contact");
    assert_eq!(case["key_worker_id"], "iryna");
    assert_eq!(case["client_id"], client.as_str());
    assert_eq!(case["report_id"], id.as_str());
    assert_eq!(case["urgency"], "urgent");
    assert_eq!(case["cycle"], 1);
    let read = d.app.get(
        &format!("/api/v1/cases/{}", case["id"].as_str().unwrap()),
        &supervisor,
    );
    assert_eq!(read.status, 200, "{:?}", read.body);
}

#[test]
fn a_second_report_of_the_same_client_joins_the_open_case() {
    let d = desk();
    let case = opened_case(&d.app, &d.manager, "olena", "case_management");
    let case_id = case["id"].as_str().unwrap();
    let client = case["client_id"].as_str().unwrap();
    let second = d.report_about(client);

    let attached = d.walk(
        &second,
        json!({"from": "intake", "to": "attached", "case_id": case_id, "reason": "Same family, case already open"}),
    );

    assert_eq!(attached.status, 200, "{:?}", attached.body);
    assert_eq!(attached.body["report"]["stage"], "attached");
    assert_eq!(attached.body["report"]["case_id"], case_id);
    assert_eq!(attached.body["case"], Value::Null);
    let read = d
        .app
        .get(&format!("/api/v1/intake-reports/{second}"), &d.manager);
    assert_eq!(read.body["stage"], "attached");
    assert_eq!(read.body["case_id"], case_id);
    // The case is still the one case of the client.
    let cases = d
        .app
        .get(&format!("/api/v1/cases?client_id={client}"), &d.manager);
    assert_eq!(cases.body["items"].as_array().unwrap().len(), 1);
}

#[test]
fn a_report_may_not_join_the_case_of_another_client() {
    let d = desk();
    let case = opened_case(&d.app, &d.manager, "olena", "case_management");
    let case_id = case["id"].as_str().unwrap();
    let other_client = d.client();
    let id = d.report_about(&other_client);

    let refused = d.walk(
        &id,
        json!({"from": "intake", "to": "attached", "case_id": case_id}),
    );

    assert_conflict(&refused, "transition-refused");
    assert_eq!(refused.unmet(), ["open_case_of_same_client"]);
    assert_eq!(d.stage(&id), "intake");
}

#[test]
fn a_report_may_not_join_a_closed_case() {
    let d = desk();
    let case = opened_case(&d.app, &d.manager, "olena", "case_management");
    let case_id = case["id"].as_str().unwrap();
    let client = case["client_id"].as_str().unwrap();
    opora_tests::walk::closure_report(&d.app, &d.manager, case_id, "client_ended_agreement");
    let closed = opora_tests::walk::move_case(
        &d.app,
        &d.manager,
        case_id,
        json!({"from": "opened", "to": "closed", "closure_reason": "client_ended_agreement"}),
    );
    assert_eq!(closed.status, 200, "{:?}", closed.body);
    let id = d.report_about(client);

    let refused = d.walk(
        &id,
        json!({"from": "intake", "to": "attached", "case_id": case_id}),
    );

    assert_conflict(&refused, "transition-refused");
    assert_eq!(refused.unmet(), ["open_case_of_same_client"]);
}

#[test]
fn the_case_history_holds_the_report_transitions_with_actor_and_reason() {
    let d = desk();
    let intake = d
        .app
        .staff("taras", &[Role::IntakeOfficer], &d.app.district_a);
    let client = d.client();
    let id = report(&d.app, &intake, Some(&client)).id();
    let verified = move_report(
        &d.app,
        &intake,
        &id,
        json!({"from": "intake", "to": "verification", "reason": "Called the school"}),
    );
    assert_eq!(verified.status, 200, "{:?}", verified.body);
    let recognised = move_report(
        &d.app,
        &intake,
        &id,
        json!({"from": "verification", "to": "need_recognition", "reason": "Confirmed by a visit"}),
    );
    assert_eq!(recognised.status, 200, "{:?}", recognised.body);
    let opened = d.walk(
        &id,
        json!({"from": "need_recognition", "to": "opened", "work_model": "case_management", "key_worker_id": "olena",
               "reason": "Need recognised"}),
    );
    assert_eq!(opened.status, 200, "{:?}", opened.body);
    let case_id = opened.body["case"]["id"].as_str().unwrap().to_owned();
    let second = d.report_about(&client);
    let attached = d.walk(
        &second,
        json!({"from": "intake", "to": "attached", "case_id": case_id, "reason": "Same family"}),
    );
    assert_eq!(attached.status, 200, "{:?}", attached.body);

    let events = d
        .app
        .get(&format!("/api/v1/cases/{case_id}/events"), &d.manager);

    assert_eq!(events.status, 200, "{:?}", events.body);
    let transitions: Vec<(Value, Value, Value, Value, Value)> = events
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "transition" && e["machine"] == "lifecycle")
        .map(|e| {
            (
                e["from"].clone(),
                e["to"].clone(),
                e["actor_id"].clone(),
                e["reason"].clone(),
                e["report_id"].clone(),
            )
        })
        .collect();
    assert_eq!(
        transitions,
        [
            (
                json!("intake"),
                json!("verification"),
                json!("taras"),
                json!("Called the school"),
                json!(id)
            ),
            (
                json!("verification"),
                json!("need_recognition"),
                json!("taras"),
                json!("Confirmed by a visit"),
                json!(id)
            ),
            (
                json!("need_recognition"),
                json!("opened"),
                json!("olena"),
                json!("Need recognised"),
                json!(id)
            ),
            (
                json!("intake"),
                json!("attached"),
                json!("olena"),
                json!("Same family"),
                json!(second)
            ),
        ]
    );
    let all = events.body.as_array().unwrap();
    assert!(all
        .iter()
        .any(|e| e["action"] == "report.registered" && e["report_id"] == id.as_str()));
    assert!(all.iter().any(|e| e["machine"] == "case_management"
        && e["to"] == "establishing_contact"
        && e["actor_id"] == "olena"));
    // Oldest first.
    let times: Vec<chrono::DateTime<chrono::FixedOffset>> = all
        .iter()
        .map(|e| chrono::DateTime::parse_from_rfc3339(e["at"].as_str().unwrap()).unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
}
