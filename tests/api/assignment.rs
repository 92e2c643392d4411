//! Assignment: key-worker suggestions by weighted caseload (leave and disabled members left out),
//! staff leave, and transfers of a case that change its key worker only on acceptance.

use opora_domain::Role;
use opora_tests::walk::opened_case;
use opora_tests::{Answer, TestApp};
use serde_json::{json, Value};

/// District A with a supervisor and case managers.
struct Unit {
    app: TestApp,
    supervisor: String,
    anna: String,
    bohdan: String,
}

fn unit() -> Unit {
    unit_on(TestApp::start())
}

fn unit_on(app: TestApp) -> Unit {
    let a = app.district_a.clone();
    let supervisor = app.staff("iryna", &[Role::Supervisor], &a);
    let anna = app.staff("anna", &[Role::CaseManager], &a);
    let bohdan = app.staff("bohdan", &[Role::CaseManager], &a);
    Unit {
        app,
        supervisor,
        anna,
        bohdan,
    }
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

impl Unit {
    /// A case opened by the supervisor for `key_worker`, with this urgency and model.
    fn case(&self, key_worker: &str, urgency: &str, model: &str) -> String {
        let case = opened_case(&self.app, &self.supervisor, key_worker, model);
        let id = case["id"].as_str().unwrap().to_owned();
        if case["urgency"] != urgency {
            let etag = self.get_case(&id).etag.unwrap();
            let changed = self.app.patch(
                &format!("/api/v1/cases/{id}"),
                &self.supervisor,
                Some(&etag),
                json!({"urgency": urgency, "reason": "pre-assessment"}),
            );
            assert_eq!(changed.status, 200, "{:?}", changed.body);
        }
        id
    }

    fn get_case(&self, id: &str) -> Answer {
        let answer = self
            .app
            .get(&format!("/api/v1/cases/{id}"), &self.supervisor);
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        answer
    }

    fn suggestions(&self, token: &str, unit: &str, query: &str) -> Answer {
        self.app.get(
            &format!("/api/v1/units/{unit}/key-worker-suggestions?{query}"),
            token,
        )
    }

    fn suggested_ids(&self) -> Vec<String> {
        let answer = self.suggestions(
            &self.supervisor,
            &self.app.district_a,
            "urgency=urgent&work_model=individual",
        );
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        candidates(&answer)
            .iter()
            .map(|c| c["staff_id"].as_str().unwrap().to_owned())
            .collect()
    }

    fn leave(&self, token: &str, staff: &str, from: i64, to: i64) -> Answer {
        self.app.post(
            &format!("/api/v1/staff/{staff}/leave"),
            token,
            json!({"starts_on": today() + chrono::Duration::days(from),
                   "ends_on": today() + chrono::Duration::days(to),
                   "reason": "Annual leave"}),
        )
    }

    fn transfer(&self, token: &str, case: &str, to: &str) -> Answer {
        self.app.post(
            &format!("/api/v1/cases/{case}/transfers"),
            token,
            json!({"to_staff_id": to, "reason": "Anna's caseload is full"}),
        )
    }

    fn decide(&self, token: &str, case: &str, transfer: &str, what: &str) -> Answer {
        let body = (what != "acceptance").then(|| json!({"reason": "Not this month"}));
        self.app.send(
            "POST",
            &format!("/api/v1/cases/{case}/transfers/{transfer}/{what}"),
            Some(token),
            &[],
            body.as_ref(),
        )
    }

    fn history(&self, case: &str) -> Vec<Value> {
        let answer = self
            .app
            .get(&format!("/api/v1/cases/{case}/transfers"), &self.supervisor);
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        answer.body.as_array().unwrap().clone()
    }

    fn event_actions(&self, case: &str) -> Vec<String> {
        let answer = self
            .app
            .get(&format!("/api/v1/cases/{case}/events"), &self.supervisor);
        assert_eq!(answer.status, 200);
        answer
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect()
    }
}

fn candidates(answer: &Answer) -> Vec<Value> {
    answer.body["candidates"].as_array().unwrap().clone()
}

#[test]
fn the_suggestion_prefers_the_least_weighted_load_and_skips_leave_and_disabled_members() {
    let u = unit();
    let a = u.app.district_a.clone();
    // One emergency case (weight 3) outweighs two routine ones (2).
    u.case("anna", "emergency", "individual");
    u.case("bohdan", "routine", "individual");
    u.case("bohdan", "routine", "individual");
    // Not candidates: a specialist, a supervisor, a case manager of another district.
    u.app.staff("sofia", &[Role::Specialist], &a);
    u.app
        .staff("zoya", &[Role::CaseManager], &u.app.district_b.clone());
    let manager = u.app.staff("vira", &[Role::CaseManager], &a);
    u.app.staff("dmytro", &[Role::CaseManager], &a);

    // Nobody's loaded yet: the empty caseloads come first, by id.
    assert_eq!(u.suggested_ids(), ["dmytro", "vira", "bohdan", "anna"]);

    u.app.disable("dmytro", &[Role::CaseManager], &a);
    assert_eq!(u.leave(&u.supervisor, "vira", -1, 6).status, 201);
    // Leave that starts tomorrow does not count today.
    assert_eq!(u.leave(&u.supervisor, "bohdan", 1, 3).status, 201);

    let answer = u.suggestions(&manager, &a, "urgency=emergency&work_model=case_management");
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.body["case_weight"], 4.5);
    assert_eq!(answer.body["weights"]["emergency"], 3.0);
    assert_eq!(answer.body["weights"]["case_management"], 1.5);
    let list = candidates(&answer);
    let ids: Vec<&str> = list
        .iter()
        .map(|c| c["staff_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["bohdan", "anna"]);
    let bohdan = &list[0];
    assert_eq!(bohdan["suggested"], true);
    assert_eq!(list[1]["suggested"], false);
    assert_eq!(bohdan["active_cases"], 2);
    assert_eq!(bohdan["weighted_load"], 2.0);
    assert_eq!(bohdan["projected_load"], 6.5);
    assert_eq!(
        bohdan["by_urgency"],
        json!([{"urgency": "emergency", "active_cases": 0}, {"urgency": "urgent", "active_cases": 0},
               {"urgency": "routine", "active_cases": 2}])
    );
    assert_eq!(
        bohdan["by_work_model"],
        json!([{"work_model": "case_management", "active_cases": 0}, {"work_model": "individual", "active_cases": 2}])
    );
    assert_eq!(list[1]["weighted_load"], 3.0);
    assert_eq!(
        answer.body["on_leave"],
        json!([{"staff_id": "vira", "full_name": "vira (test)", "until": (today() + chrono::Duration::days(6)).to_string()}])
    );

    // Team work weighs 1.5: a case-management case moves Bohdan (2 + 1.5 = 3.5) behind Anna (3).
    u.case("bohdan", "routine", "case_management");
    assert_eq!(u.suggested_ids(), ["anna", "bohdan"]);
}

#[test]
fn a_key_worker_at_the_maximum_caseload_is_ranked_last_and_assigning_them_warns() {
    let mut policy = opora_domain::Policy::default();
    policy.caseload.max_families = 2;
    let u = unit_on(TestApp::start_with_policy(policy));
    // Anna leads two families (light, routine: load 2); Bohdan one emergency family (load 3).
    let annas = u.case("anna", "routine", "individual");
    u.case("anna", "routine", "individual");
    let bohdans = u.case("bohdan", "emergency", "individual");

    let answer = u.suggestions(
        &u.supervisor,
        &u.app.district_a,
        "urgency=routine&work_model=individual",
    );
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.body["max_families"], 2);
    let list = candidates(&answer);
    assert_eq!(
        (
            &list[0]["staff_id"],
            &list[0]["suggested"],
            &list[0]["at_maximum"]
        ),
        (&json!("bohdan"), &json!(true), &json!(false)),
        "Anna's lighter load does not count: she is at the maximum"
    );
    assert_eq!(
        (
            &list[1]["staff_id"],
            &list[1]["suggested"],
            &list[1]["at_maximum"]
        ),
        (&json!("anna"), &json!(false), &json!(true))
    );
    assert_eq!(list[1]["families"], 2);

    // Bohdan has room for Anna's family: no warning.
    let to_bohdan = u.transfer(&u.supervisor, &annas, "bohdan");
    assert_eq!(to_bohdan.status, 201, "{:?}", to_bohdan.body);
    assert_eq!(to_bohdan.body["warnings"], json!([]));

    // Anna would lead a third family: the request stands, with a warning, and so does her
    // acceptance.
    let to_anna = u.transfer(&u.supervisor, &bohdans, "anna");
    assert_eq!(to_anna.status, 201, "{:?}", to_anna.body);
    let warning = &to_anna.body["warnings"][0];
    assert_eq!(warning["code"], "caseload_over_maximum");
    let detail = warning["detail"].as_str().unwrap();
    assert!(
        detail.contains("3 families") && detail.contains("is 2"),
        "{detail}"
    );
    let accepted = u.decide(&u.anna, &bohdans, &to_anna.id(), "acceptance");
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    assert_eq!(
        accepted.body["warnings"][0]["code"],
        "caseload_over_maximum"
    );
    assert_eq!(u.get_case(&bohdans).body["key_worker_id"], "anna");
    // The warning belongs to the answers, not to the stored transfer.
    assert_eq!(u.history(&bohdans)[0]["warnings"], json!([]));
}

#[test]
fn suggestions_are_for_those_who_open_cases_in_their_units() {
    let u = unit();
    let a = u.app.district_a.clone();
    let b = u.app.district_b.clone();
    let query = "urgency=routine&work_model=individual";
    let foreign = u.suggestions(&u.supervisor, &b, query);
    assert_eq!(
        (foreign.status, foreign.content_type.as_str()),
        (404, "application/problem+json")
    );
    assert_eq!(
        u.suggestions(&u.supervisor, "no-such-unit", query).status,
        404
    );
    let auditor = u.app.staff("maria", &[Role::Auditor], &a);
    assert_eq!(u.suggestions(&auditor, &a, query).status, 403);
    let specialist = u.app.staff("sofia", &[Role::Specialist], &a);
    assert_eq!(u.suggestions(&specialist, &a, query).status, 403);
    assert_eq!(u.suggestions(&u.anna, &a, query).status, 200);
    let other = u.app.staff("oleh", &[Role::Supervisor], &b);
    let nobody = u.suggestions(&other, &b, query);
    assert_eq!(
        (nobody.status, nobody.body["candidates"].clone()),
        (200, json!([])),
        "a unit without case managers suggests nobody"
    );

    let missing = u.suggestions(&u.supervisor, &a, "urgency=routine");
    assert_eq!(
        (missing.status, missing.fields_at_fault()),
        (400, vec!["work_model".to_owned()])
    );
    let unknown = u.suggestions(&u.supervisor, &a, "urgency=critical&work_model=individual");
    assert_eq!(
        (unknown.status, unknown.fields_at_fault()),
        (422, vec!["urgency".to_owned()])
    );
}

#[test]
fn leave_is_recorded_by_admins_and_supervisors_for_their_units() {
    let u = unit();
    let a = u.app.district_a.clone();
    assert_eq!(u.leave(&u.anna, "bohdan", 0, 3).status, 403);
    let admin = u.app.staff("adam", &[Role::Admin], &a);
    let recorded = u.leave(&admin, "bohdan", 10, 20);
    assert_eq!(recorded.status, 201, "{:?}", recorded.body);
    assert_eq!(recorded.body["recorded_by"], "adam");
    let overlapping = u.leave(&u.supervisor, "bohdan", 20, 25);
    assert_eq!(
        (overlapping.status, overlapping.problem_kind().as_str()),
        (409, "conflict")
    );
    let backwards = u.leave(&u.supervisor, "bohdan", 5, 4);
    assert_eq!(
        (backwards.status, backwards.fields_at_fault()),
        (422, vec!["ends_on".to_owned()])
    );
    let unknown_field = u.app.post(
        "/api/v1/staff/bohdan/leave",
        &u.supervisor,
        json!({"starts_on": "2027-01-01", "ends_on": "2027-01-02", "reason": "r", "paid": true}),
    );
    assert_eq!(unknown_field.status, 422, "{:?}", unknown_field.body);
    u.app
        .staff("zoya", &[Role::CaseManager], &u.app.district_b.clone());
    assert_eq!(u.leave(&u.supervisor, "zoya", 1, 2).status, 404);

    let own = u.app.get("/api/v1/staff/bohdan/leave", &u.bohdan);
    assert_eq!(own.status, 200);
    assert_eq!(own.body.as_array().map(Vec::len), Some(1));
    assert_eq!(u.app.get("/api/v1/staff/bohdan/leave", &u.anna).status, 403);
    assert_eq!(
        u.app.get("/api/v1/staff/zoya/leave", &u.supervisor).status,
        404
    );
}

#[test]
fn a_transfer_changes_nothing_until_the_new_key_worker_accepts() {
    let u = unit();
    let case = u.case("anna", "urgent", "case_management");
    let before = u.get_case(&case);

    let requested = u.transfer(&u.anna, &case, "bohdan");
    assert_eq!(requested.status, 201, "{:?}", requested.body);
    assert_eq!(
        (
            requested.body["status"].as_str(),
            requested.body["from_staff_id"].as_str()
        ),
        (Some("pending"), Some("anna"))
    );
    let transfer = requested.id();
    let pending = u.get_case(&case);
    assert_eq!(pending.body["key_worker_id"], "anna");
    assert_eq!(
        pending.etag, before.etag,
        "a request leaves the case as it is"
    );

    let inbox = u.app.get("/api/v1/transfers", &u.bohdan);
    assert_eq!(inbox.status, 200);
    assert_eq!(inbox.body[0]["id"], transfer.as_str());
    assert_eq!(u.app.get("/api/v1/transfers", &u.anna).body, json!([]));

    // Nobody accepts on the new key worker's behalf: not the requester, not a supervisor.
    for token in [&u.anna, &u.supervisor] {
        let refused = u.decide(token, &case, &transfer, "acceptance");
        assert_eq!(refused.status, 403, "{:?}", refused.body);
        assert!(refused.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("proposed key worker")));
    }
    assert_eq!(
        u.decide(&u.bohdan, &case, "no-such-transfer", "acceptance")
            .status,
        404
    );

    let accepted = u.decide(&u.bohdan, &case, &transfer, "acceptance");
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    assert_eq!(
        (
            accepted.body["status"].as_str(),
            accepted.body["decided_by"].as_str()
        ),
        (Some("accepted"), Some("bohdan"))
    );
    let after = u.get_case(&case);
    assert_eq!(after.body["key_worker_id"], "bohdan");
    assert_ne!(after.etag, before.etag, "the ETag names the new version");
    let stale = u.app.patch(
        &format!("/api/v1/cases/{case}"),
        &u.supervisor,
        before.etag.as_deref(),
        json!({"urgency": "routine"}),
    );
    assert_eq!(stale.status, 412);

    let history = u.history(&case);
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["status"], "accepted");
    let actions = u.event_actions(&case);
    let requested_at = actions.iter().position(|a| a == "case.transfer_requested");
    let accepted_at = actions.iter().position(|a| a == "case.transfer_accepted");
    assert!(
        requested_at.is_some() && accepted_at > requested_at,
        "{actions:?}"
    );
    assert_eq!(u.app.get("/api/v1/transfers", &u.bohdan).body, json!([]));

    let again = u.decide(&u.bohdan, &case, &transfer, "acceptance");
    assert_eq!(again.status, 409);
    // The new key worker may hand it on; the former one no longer may.
    assert_eq!(u.transfer(&u.anna, &case, "iryna").status, 403);
    assert_eq!(u.transfer(&u.bohdan, &case, "iryna").status, 201);
}

#[test]
fn a_decline_leaves_the_key_worker_and_only_one_transfer_is_pending_at_a_time() {
    let u = unit();
    let case = u.case("anna", "urgent", "individual");
    let colleague = u
        .app
        .staff("vira", &[Role::CaseManager], &u.app.district_a.clone());
    assert_eq!(
        u.transfer(&colleague, &case, "bohdan").status,
        403,
        "a case manager who is not the key worker may not"
    );

    let first = u.transfer(&u.supervisor, &case, "bohdan");
    assert_eq!(first.status, 201, "{:?}", first.body);
    let second = u.transfer(&u.anna, &case, "vira");
    assert_eq!(
        (second.status, second.problem_kind().as_str()),
        (409, "conflict"),
        "{:?}",
        second.body
    );
    let without_reason = u.app.post(
        &format!("/api/v1/cases/{case}/transfers/{}/decline", first.id()),
        &u.bohdan,
        json!({}),
    );
    assert_eq!(without_reason.status, 422);
    let declined = u.decide(&u.bohdan, &case, &first.id(), "decline");
    assert_eq!(declined.status, 200, "{:?}", declined.body);
    assert_eq!(
        (
            declined.body["status"].as_str(),
            declined.body["decision_note"].as_str()
        ),
        (Some("declined"), Some("Not this month"))
    );
    assert_eq!(u.get_case(&case).body["key_worker_id"], "anna");

    // Now another may be asked; its requester (or a supervisor) may cancel it.
    let next = u.transfer(&u.anna, &case, "vira");
    assert_eq!(next.status, 201, "{:?}", next.body);
    assert_eq!(
        u.decide(&u.bohdan, &case, &next.id(), "cancellation")
            .status,
        403
    );
    let cancelled = u.decide(&u.anna, &case, &next.id(), "cancellation");
    assert_eq!(cancelled.status, 200, "{:?}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(
        u.decide(&colleague, &case, &next.id(), "acceptance").status,
        409
    );
    assert_eq!(u.get_case(&case).body["key_worker_id"], "anna");

    let statuses: Vec<Value> = u
        .history(&case)
        .iter()
        .map(|t| t["status"].clone())
        .collect();
    assert_eq!(statuses, [json!("declined"), json!("cancelled")]);
    let actions = u.event_actions(&case);
    for action in [
        "case.transfer_requested",
        "case.transfer_declined",
        "case.transfer_cancelled",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
}

#[test]
fn a_transfer_goes_only_to_an_available_case_manager_or_supervisor() {
    let u = unit();
    let a = u.app.district_a.clone();
    let case = u.case("anna", "routine", "individual");
    u.app.staff("sofia", &[Role::Specialist], &a);
    u.app.staff("vira", &[Role::CaseManager], &a);
    u.app
        .staff("zoya", &[Role::CaseManager], &u.app.district_b.clone());
    u.app.staff("dmytro", &[Role::CaseManager], &a);
    u.app.disable("dmytro", &[Role::CaseManager], &a);
    assert_eq!(u.leave(&u.supervisor, "vira", 0, 0).status, 201);
    for (to, code) in [
        ("sofia", "not_a_case_manager"),
        ("vira", "on_leave"),
        ("zoya", "unknown_staff"),
        ("dmytro", "unknown_staff"),
        ("nobody", "unknown_staff"),
        ("anna", "already_key_worker"),
    ] {
        let refused = u.transfer(&u.anna, &case, to);
        assert_eq!(
            (refused.status, refused.fields_at_fault()),
            (422, vec!["to_staff_id".to_owned()]),
            "{to}: {:?}",
            refused.body
        );
        assert_eq!(refused.body["errors"][0]["code"], code, "{to}");
    }
    assert!(u.history(&case).is_empty());
    let auditor = u.app.staff("maria", &[Role::Auditor], &a);
    assert_eq!(u.transfer(&auditor, &case, "bohdan").status, 403);
    let other = u
        .app
        .staff("oleh", &[Role::Supervisor], &u.app.district_b.clone());
    assert_eq!(u.transfer(&other, &case, "bohdan").status, 404);
    assert_eq!(
        u.app
            .get(&format!("/api/v1/cases/{case}/transfers"), &other)
            .status,
        404
    );
}

#[test]
fn a_restricted_case_passes_to_its_new_key_worker_who_then_sees_it() {
    let u = unit();
    let case = u.case("anna", "emergency", "case_management");
    let restricted = u.app.send(
        "PUT",
        &format!("/api/v1/cases/{case}/restriction"),
        Some(&u.supervisor),
        &[],
        Some(&json!({"restricted": true, "named_staff": ["iryna"], "reason": "A relative works here"})),
    );
    assert_eq!(restricted.status, 200, "{:?}", restricted.body);
    let path = format!("/api/v1/cases/{case}");
    assert_eq!(u.app.get(&path, &u.bohdan).status, 404);

    let transfer = u.transfer(&u.anna, &case, "bohdan");
    assert_eq!(transfer.status, 201, "{:?}", transfer.body);
    // Bohdan learns of it in his inbox, and decides without seeing the case's records yet.
    assert_eq!(
        u.app.get("/api/v1/transfers", &u.bohdan).body[0]["case_id"],
        case.as_str()
    );
    assert_eq!(u.app.get(&path, &u.bohdan).status, 404);
    let outsider = u
        .app
        .staff("vira", &[Role::CaseManager], &u.app.district_a.clone());
    assert_eq!(
        u.decide(&outsider, &case, &transfer.id(), "acceptance")
            .status,
        404,
        "not named, not the target: the case does not exist for her"
    );
    let accepted = u.decide(&u.bohdan, &case, &transfer.id(), "acceptance");
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    assert_eq!(u.app.get(&path, &u.bohdan).status, 200);
    assert_eq!(u.app.get(&path, &u.anna).status, 404);
    assert!(u
        .app
        .get("/api/v1/cases", &u.bohdan)
        .body
        .to_string()
        .contains(&case));
}

#[test]
fn opening_a_case_or_changing_its_key_worker_over_the_maximum_caseload_warns_and_goes_ahead() {
    use opora_tests::walk::{family, move_report, report};
    let mut policy = opora_domain::Policy::default();
    policy.caseload.max_families = 1;
    let u = unit_on(TestApp::start_with_policy(policy));
    u.case("anna", "routine", "individual");
    let bohdans = u.case("bohdan", "routine", "individual");

    // Opening a second family's case with Anna: opened, with a warning.
    let client = family(&u.app, &u.supervisor, None).id();
    let report_id = report(&u.app, &u.supervisor, Some(&client)).id();
    for (from, to) in [
        ("intake", "verification"),
        ("verification", "need_recognition"),
    ] {
        let moved = move_report(
            &u.app,
            &u.supervisor,
            &report_id,
            json!({"from": from, "to": to}),
        );
        assert_eq!(moved.status, 200, "{:?}", moved.body);
    }
    let opened = move_report(
        &u.app,
        &u.supervisor,
        &report_id,
        json!({"from": "need_recognition", "to": "opened", "work_model": "individual",
               "key_worker_id": "anna", "reason": "Need recognised"}),
    );
    assert_eq!(opened.status, 200, "{:?}", opened.body);
    assert_eq!(opened.body["case"]["key_worker_id"], "anna");
    assert_eq!(opened.body["warnings"][0]["code"], "caseload_over_maximum");

    // A supervisor handing Bohdan's family to Anna: done, with a warning; reads carry none.
    let etag = u.get_case(&bohdans).etag.unwrap();
    let patched = u.app.patch(
        &format!("/api/v1/cases/{bohdans}"),
        &u.supervisor,
        Some(&etag),
        json!({"key_worker_id": "anna", "reason": "Bohdan leaves the unit"}),
    );
    assert_eq!(patched.status, 200, "{:?}", patched.body);
    assert_eq!(patched.body["key_worker_id"], "anna");
    assert_eq!(patched.body["warnings"][0]["code"], "caseload_over_maximum");
    assert_eq!(u.get_case(&bohdans).body["warnings"], json!([]));
}
