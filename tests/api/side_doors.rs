//! The side doors of issue 9: paths around the front doors' rules. Each test names the finding it
//! covers; every one of them failed before the fix.

use opora_domain::Role;
use opora_tests::walk::opened_case;
use opora_tests::TestApp;
use serde_json::{json, Value};

/// A district with a key worker (olena), a colleague (andrii), two supervisors (iryna, petro), an
/// intake officer (ivan) and an auditor (maria); one case led by olena, whose client has a health
/// section and the reporter's identity on record.
struct Unit {
    app: TestApp,
    key_worker: String,
    colleague: String,
    supervisor: String,
    other_supervisor: String,
    intake: String,
    auditor: String,
    case: String,
    client: String,
}

fn unit() -> Unit {
    let app = TestApp::start();
    let a = app.district_a.clone();
    let key_worker = app.staff("olena", &[Role::CaseManager], &a);
    let colleague = app.staff("andrii", &[Role::CaseManager], &a);
    let supervisor = app.staff("iryna", &[Role::Supervisor], &a);
    let other_supervisor = app.staff("petro", &[Role::Supervisor], &a);
    let intake = app.staff("ivan", &[Role::IntakeOfficer], &a);
    let auditor = app.staff("maria", &[Role::Auditor], &a);
    let case = opened_case(&app, &key_worker, "olena", "case_management");
    let client = case["client_id"].as_str().unwrap().to_owned();
    for (section, content) in [
        ("hiv_status", json!({"status": "positive"})),
        ("reporter_identity", json!({"name": "Neighbour Halyna"})),
    ] {
        let written = app.send(
            "PUT",
            &format!("/api/v1/clients/{client}/sensitive/{section}"),
            Some(&key_worker),
            &[],
            Some(&json!({"content": content})),
        );
        assert_eq!(written.status, 200, "{:?}", written.body);
    }
    Unit {
        case: case["id"].as_str().unwrap().to_owned(),
        app,
        key_worker,
        colleague,
        supervisor,
        other_supervisor,
        intake,
        auditor,
        client,
    }
}

impl Unit {
    fn sections(&self, token: &str) -> Vec<String> {
        let answer = self
            .app
            .get(&format!("/api/v1/clients/{}/sensitive", self.client), token);
        match answer.status {
            200 => answer.body["sections"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["section"].as_str().unwrap().to_owned())
                .collect(),
            _ => Vec::new(),
        }
    }

    fn restrict(&self) {
        let restricted = self.app.send(
            "PUT",
            &format!("/api/v1/cases/{}/restriction", self.case),
            Some(&self.supervisor),
            &[],
            Some(&json!({"restricted": true, "named_staff": ["iryna"],
                         "reason": "The mother's partner works in the unit"})),
        );
        assert_eq!(restricted.status, 200, "{:?}", restricted.body);
    }

    fn etag(&self) -> String {
        self.app
            .get(&format!("/api/v1/cases/{}", self.case), &self.supervisor)
            .etag
            .unwrap()
    }
}

fn text(value: &Value) -> String {
    value.to_string()
}

// Finding 1: self-assignment.

#[test]
fn a_case_manager_cannot_make_themself_key_worker_of_a_colleagues_case() {
    let u = unit();
    let path = format!("/api/v1/cases/{}", u.case);
    let taken = u.app.patch(
        &path,
        &u.colleague,
        Some(&u.etag()),
        json!({"key_worker_id": "andrii", "reason": "I will take it"}),
    );
    assert_eq!(taken.status, 403, "{:?}", taken.body);
    assert_eq!(u.sections(&u.colleague), Vec::<String>::new());
    // Nor hand their own case to someone else without that person's acceptance.
    let handed = u.app.patch(
        &path,
        &u.key_worker,
        Some(&u.etag()),
        json!({"key_worker_id": "andrii", "reason": "Too many cases"}),
    );
    assert_eq!(handed.status, 403, "{:?}", handed.body);
    // Urgency stays theirs to change; the key worker named again changes nothing.
    let urgency = u.app.patch(
        &path,
        &u.key_worker,
        Some(&u.etag()),
        json!({"urgency": "emergency", "key_worker_id": "olena", "reason": "Threats"}),
    );
    assert_eq!(urgency.status, 200, "{:?}", urgency.body);
    // The supervisor reassigns directly.
    let reassigned = u.app.patch(
        &path,
        &u.supervisor,
        Some(&u.etag()),
        json!({"key_worker_id": "andrii", "reason": "Olena leaves the unit"}),
    );
    assert_eq!(reassigned.status, 200, "{:?}", reassigned.body);
    assert_eq!(reassigned.body["key_worker_id"], "andrii");
}

#[test]
fn a_consent_cannot_hand_over_the_reporters_identity() {
    let u = unit();
    let consent = u.app.post(
        &format!("/api/v1/clients/{}/consents", u.client),
        &u.key_worker,
        json!({"purpose": "support", "recipient_staff_id": "ivan",
               "sections": ["hiv_status", "reporter_identity"], "given_on": "2026-01-01"}),
    );
    assert_eq!(consent.status, 422, "{:?}", consent.body);
    assert_eq!(consent.fields_at_fault(), ["sections[1]"]);
    assert!(!u
        .sections(&u.intake)
        .contains(&"reporter_identity".to_owned()));
}

// Finding 3: a restricted case leaks through its client; 13(f): a safety concern through its report.

#[test]
fn a_restricted_case_stays_hidden_on_every_path_through_its_client() {
    let u = unit();
    let case = u
        .app
        .get(&format!("/api/v1/cases/{}", u.case), &u.key_worker);
    let report = case.body["report_id"].as_str().unwrap().to_owned();
    let concern = u.app.post(
        &format!("/api/v1/cases/{}/safety-concerns", u.case),
        &u.key_worker,
        json!({"description": "Daryna says her stepfather hits her"}),
    );
    assert_eq!(concern.status, 201, "{:?}", concern.body);
    let concern = concern.id();
    u.restrict();

    let outsider = &u.other_supervisor;
    // The client stays visible (intake may attach new reports); nothing of the case does.
    assert_eq!(
        u.app
            .get(&format!("/api/v1/clients/{}", u.client), outsider)
            .status,
        200
    );
    assert_eq!(u.sections(outsider), Vec::<String>::new());
    assert_eq!(
        u.app
            .get(&format!("/api/v1/intake-reports/{report}"), outsider)
            .status,
        404
    );
    let reports = u.app.get(
        &format!("/api/v1/intake-reports?client_id={}", u.client),
        outsider,
    );
    assert_eq!(reports.status, 200);
    assert!(!text(&reports.body).contains(&report), "{:?}", reports.body);
    let raised = u.app.post(
        &format!("/api/v1/intake-reports/{report}/safety-concerns"),
        &u.intake,
        json!({"description": "Another call about the children"}),
    );
    assert_eq!(raised.status, 404, "{:?}", raised.body);
    let concerns = u.app.get("/api/v1/safety-concerns", outsider);
    assert_eq!(concerns.status, 200, "{:?}", concerns.body);
    assert!(
        !text(&concerns.body).contains(&concern),
        "{:?}",
        concerns.body
    );
    let decided = u.app.post(
        &format!("/api/v1/safety-concerns/{concern}/decision"),
        outsider,
        json!({"decision": "no_immediate_risk", "note": "Checked"}),
    );
    assert_eq!(decided.status, 404, "{:?}", decided.body);
    let export = u
        .app
        .get(&format!("/api/v1/clients/{}/export", u.client), outsider);
    assert_eq!(export.status, 200, "{:?}", export.body);
    assert_eq!(export.body["cases"], json!([]));
    assert_eq!(
        export.body["events"].as_array().map(Vec::len),
        Some(
            export.body["events"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["case_id"].is_null() && e["report_id"].is_null())
                .count()
        )
    );
    assert!(!text(&export.body).contains(&u.case), "{:?}", export.body);
    assert!(!text(&export.body).contains("positive"));
    assert!(text(&export.body["withheld"]).contains("restricted cases"));
    // The auditor, not named, finds none of the case's entries, reasons included.
    let audit = u.app.get(
        &format!("/api/v1/audit/entries?subject_id={}&limit=200", u.case),
        &u.auditor,
    );
    assert_eq!(audit.status, 200, "{:?}", audit.body);
    assert_eq!(audit.body["items"], json!([]), "{:?}", audit.body);
    let all = u.app.get("/api/v1/audit/entries?limit=200", &u.auditor);
    assert!(!text(&all.body).contains("partner works"), "{:?}", all.body);

    // The named supervisor sees it all.
    assert!(u.sections(&u.supervisor).contains(&"hiv_status".to_owned()));
    let export = u.app.get(
        &format!("/api/v1/clients/{}/export", u.client),
        &u.supervisor,
    );
    assert_eq!(export.status, 200, "{:?}", export.body);
    assert!(text(&export.body["cases"]).contains(&u.case));
    assert_eq!(
        u.app
            .get(&format!("/api/v1/intake-reports/{report}"), &u.supervisor)
            .status,
        200
    );
    // What the named supervisor listed and exported is on the log under the case: the unnamed
    // auditor finds not even its id.
    assert_eq!(u.app.get("/api/v1/cases", &u.supervisor).status, 200);
    let all = u.app.get("/api/v1/audit/entries?limit=200", &u.auditor);
    // (The auditor's own earlier search for the id is on the log as they typed it.)
    let others: Vec<&Value> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] != "audit.listed")
        .collect();
    assert!(!text(&json!(others)).contains(&u.case), "{others:?}");
}

// Finding 4: the reporter's identity in the export.

#[test]
fn no_export_holds_the_reporters_identity() {
    let u = unit();
    let export = u.app.get(
        &format!("/api/v1/clients/{}/export", u.client),
        &u.supervisor,
    );
    assert_eq!(export.status, 200, "{:?}", export.body);
    assert!(!text(&export.body).contains("Neighbour Halyna"));
    assert!(text(&export.body["sensitive_sections"]).contains("hiv_status"));
    assert!(text(&export.body["withheld"]).contains("reporter_identity"));
    let member = export.body["members"][0]["id"].as_str().unwrap().to_owned();
    let for_member = u.app.get(
        &format!("/api/v1/clients/{}/export?member_id={member}", u.client),
        &u.supervisor,
    );
    assert_eq!(for_member.status, 200, "{:?}", for_member.body);
    assert!(!text(&for_member.body).contains("Neighbour Halyna"));
}

// Finding 2 and 13(d), 13(g): the audit log carries no content, and every look is on it.

#[test]
fn the_audit_log_holds_a_digest_of_a_sensitive_section_never_its_content() {
    let u = unit();
    let audit = u.app.get(
        "/api/v1/audit/entries?action=client.sensitive.written",
        &u.auditor,
    );
    assert_eq!(audit.status, 200, "{:?}", audit.body);
    let items = audit.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{items:?}");
    for item in items {
        let payload = &item["payload"];
        assert_eq!(payload["version"], 1, "{payload}");
        assert_eq!(
            payload["sha256"].as_str().map(str::len),
            Some(64),
            "{payload}"
        );
        assert!(payload.get("after").is_none() && payload.get("before").is_none());
    }
    assert!(!text(&audit.body).contains("positive"));
    assert!(!text(&audit.body).contains("Halyna"));
}

#[test]
fn reading_the_audit_log_a_restriction_a_legal_hold_or_being_refused_a_section_is_on_the_log() {
    let u = unit();
    assert_eq!(
        u.app
            .get(
                &format!("/api/v1/cases/{}/restriction", u.case),
                &u.key_worker
            )
            .status,
        200
    );
    assert_eq!(
        u.app
            .get(
                &format!("/api/v1/clients/{}/legal-hold", u.client),
                &u.supervisor
            )
            .status,
        200
    );
    // A specialist without consent reads nothing, and the attempt is recorded.
    let specialist = u
        .app
        .staff("serhii", &[Role::Specialist], &u.app.district_a);
    assert_eq!(u.sections(&specialist), Vec::<String>::new());
    assert_eq!(
        u.app
            .get("/api/v1/audit/entries?action=audit.listed", &u.auditor)
            .status,
        200
    );
    let actions: Vec<String> = u
        .app
        .get("/api/v1/audit/entries?limit=200", &u.auditor)
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    for expected in [
        "case_restriction.viewed",
        "client_legal_hold.viewed",
        "client.sensitive.refused",
        "audit.listed",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
}

#[test]
fn a_read_opened_by_a_consent_names_the_consent() {
    let u = unit();
    let consent = u.app.post(
        &format!("/api/v1/clients/{}/consents", u.client),
        &u.key_worker,
        json!({"purpose": "support", "recipient_staff_id": "ivan",
               "sections": ["hiv_status"], "given_on": "2026-01-01"}),
    );
    assert_eq!(consent.status, 201, "{:?}", consent.body);
    assert_eq!(u.sections(&u.intake), ["hiv_status"]);
    let viewed = u.app.get(
        "/api/v1/audit/entries?action=client.sensitive.viewed&actor_id=ivan",
        &u.auditor,
    );
    assert_eq!(
        viewed.body["items"][0]["payload"]["consent_id"], consent.body["id"],
        "{:?}",
        viewed.body
    );
}

// Finding 13(a), (b), (c): the closure report's author, four eyes on approvals, known specialists.

#[test]
fn a_colleague_does_not_write_the_closure_report_of_a_case_they_do_not_lead() {
    let u = unit();
    let path = format!("/api/v1/cases/{}/closure-report", u.case);
    let today = chrono::Utc::now().date_naive().to_string();
    let body = json!({"closure_reason": "moved_away",
                      "family_informed": {"on": today, "how": "in_person", "by": "olena"}});
    let by_colleague = u
        .app
        .send("PUT", &path, Some(&u.colleague), &[], Some(&body));
    assert_eq!(by_colleague.status, 403, "{:?}", by_colleague.body);
    let by_key_worker = u
        .app
        .send("PUT", &path, Some(&u.key_worker), &[], Some(&body));
    assert_eq!(by_key_worker.status, 201, "{:?}", by_key_worker.body);
}

#[test]
fn a_supervisor_does_not_approve_a_closure_report_or_plan_they_wrote() {
    let u = unit();
    let today = chrono::Utc::now().date_naive().to_string();
    let written = u.app.send(
        "PUT",
        &format!("/api/v1/cases/{}/closure-report", u.case),
        Some(&u.supervisor),
        &[],
        Some(&json!({"closure_reason": "moved_away",
                     "family_informed": {"on": today, "how": "in_person", "by": "iryna"}})),
    );
    assert_eq!(written.status, 201, "{:?}", written.body);
    let approval = format!("/api/v1/cases/{}/closure-report/approval", u.case);
    let own = u
        .app
        .post(&approval, &u.supervisor, json!({"approved": true}));
    assert_eq!(own.status, 409, "{:?}", own.body);
    assert_eq!(own.unmet(), ["own_work"], "{:?}", own.body);
    let other = u
        .app
        .post(&approval, &u.other_supervisor, json!({"approved": true}));
    assert_eq!(other.status, 201, "{:?}", other.body);

    let plan = u.app.post(
        &format!("/api/v1/cases/{}/plans", u.case),
        &u.supervisor,
        json!({"period_start": "2026-12-01", "period_end": "2027-02-28", "next_review_on": "2027-01-15",
               "goals": [{"description": "Children never alone at night"}]}),
    );
    assert_eq!(plan.status, 201, "{:?}", plan.body);
    let path = format!("/api/v1/cases/{}/plans/{}/approval", u.case, plan.id());
    let own = u
        .app
        .post(&path, &u.supervisor, json!({"decision": "approved"}));
    assert_eq!(own.status, 409, "{:?}", own.body);
    assert_eq!(own.unmet(), ["own_work"], "{:?}", own.body);
    let other = u
        .app
        .post(&path, &u.other_supervisor, json!({"decision": "approved"}));
    assert!([200, 201].contains(&other.status), "{:?}", other.body);
}

#[test]
fn a_plan_action_names_only_known_staff_of_the_unit_as_specialists() {
    let u = unit();
    u.app
        .staff("bohdan", &[Role::Specialist], &u.app.district_b);
    u.app
        .staff("serhii", &[Role::Specialist], &u.app.district_a);
    let plan = |specialists: Value| {
        u.app.post(
            &format!("/api/v1/cases/{}/plans", u.case),
            &u.key_worker,
            json!({"period_start": "2026-12-01", "period_end": "2027-02-28", "next_review_on": "2027-01-15",
                   "goals": [{"description": "Children never alone at night"}],
                   "actions": [{"description": "Evening visits", "goal": 0, "responsible": "psychologist", "specialists": specialists}]}),
        )
    };
    for wrong in [json!(["serhii", "nobody"]), json!(["serhii", "bohdan"])] {
        let refused = plan(wrong);
        assert_eq!(refused.status, 422, "{:?}", refused.body);
        assert_eq!(refused.fields_at_fault(), ["actions[0].specialists[1]"]);
    }
    assert_eq!(plan(json!(["serhii"])).status, 201);
}

// Finding 6: a one-member export holds only what concerns that member.

#[test]
fn a_members_export_holds_no_other_members_names_dates_or_the_households_contacts() {
    use opora_tests::walk::{move_report, report};
    let app = TestApp::start();
    let a = app.district_a.clone();
    let manager = app.staff("olena", &[Role::CaseManager], &a);
    let supervisor = app.staff("iryna", &[Role::Supervisor], &a);
    let client = app.post(
        "/api/v1/clients",
        &manager,
        json!({"kind": "family", "display_name": "Bondar family", "address": "Kanatna 12, Odesa",
               "phone": "+380501234567",
               "members": [
                   {"full_name": "Taras Bondar", "relation": "child", "date_of_birth": "2014-05-06", "is_child": true},
                   {"full_name": "Ivan Bondar", "relation": "parent", "date_of_birth": "1979-01-23", "is_child": false},
                   {"full_name": "Halyna Bondar", "relation": "parent", "date_of_birth": "1983-11-30", "is_child": false}
               ]}),
    );
    assert_eq!(client.status, 201, "{:?}", client.body);
    let client_id = client.id();
    let taras = client.body["members"][0]["id"].as_str().unwrap().to_owned();
    let report = report(&app, &manager, Some(&client_id)).id();
    for (from, to) in [
        ("intake", "verification"),
        ("verification", "need_recognition"),
    ] {
        assert_eq!(
            move_report(&app, &manager, &report, json!({"from": from, "to": to})).status,
            200
        );
    }
    let opened = move_report(
        &app,
        &manager,
        &report,
        json!({"from": "need_recognition", "to": "opened", "work_model": "case_management", "key_worker_id": "olena"}),
    );
    assert_eq!(opened.status, 200, "{:?}", opened.body);
    let case = opened.body["case"]["id"].as_str().unwrap().to_owned();
    let assessed = app.post(
        &format!("/api/v1/cases/{case}/assessments"),
        &manager,
        json!({"kind": "initial", "summary": "Ivan hits Taras; Тарас боїться Івана, Галина мовчить", "complete": true}),
    );
    assert_eq!(assessed.status, 201, "{:?}", assessed.body);

    let export = app.get(
        &format!("/api/v1/clients/{client_id}/export?member_id={taras}"),
        &supervisor,
    );
    assert_eq!(export.status, 200, "{:?}", export.body);
    let all = text(&export.body);
    for secret in [
        "Ivan",
        "Іван",
        "Halyna",
        "Галин",
        "1979-01-23",
        "1983-11-30",
        "Kanatna",
        "+380501234567",
    ] {
        assert!(
            !all.contains(secret),
            "{secret} in the member's export: {all}"
        );
    }
    assert!(
        all.contains("Taras Bondar") && all.contains("2014-05-06"),
        "{all}"
    );
    assert!(
        all.contains("hits Taras"),
        "the member's own part of the story stays"
    );
}

// Finding 5: no admin gives themself, or anyone alone, case access.

#[test]
fn an_admin_cannot_change_their_own_roles_and_case_access_needs_a_second_admin() {
    let app = TestApp::start();
    let a = app.district_a.clone();
    let admin = app.staff("admin", &[Role::Admin], &a);
    let second = app.staff("admin-2", &[Role::Admin], &a);
    let etag = app.get("/api/v1/staff/admin", &admin).etag;
    let own = app.patch(
        "/api/v1/staff/admin",
        &admin,
        etag.as_deref(),
        json!({"roles": ["admin", "supervisor"]}),
    );
    assert_eq!(own.status, 403, "{:?}", own.body);
    assert_eq!(
        app.get("/api/v1/staff/admin", &admin).body["roles"],
        json!(["admin"])
    );

    // A new supervisor account holds no case role until another admin approves.
    let created = app.post(
        "/api/v1/staff",
        &admin,
        json!({"id": "puppet", "full_name": "Puppet Account", "roles": ["supervisor", "registry"], "unit_id": a}),
    );
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["roles"], json!(["registry"]));
    let grant = created.body["pending_role_grant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let decision = format!("/api/v1/role-grants/{grant}/decision");
    let by_requester = app.post(&decision, &admin, json!({"approve": true}));
    assert_eq!(by_requester.status, 409, "{:?}", by_requester.body);
    assert_eq!(by_requester.unmet(), ["own_request"]);
    let puppet = app
        .keys
        .issue("puppet", chrono::Duration::minutes(10))
        .unwrap();
    assert_eq!(
        app.get("/api/v1/clients?limit=1", &puppet).status,
        403,
        "no case access before the second admin"
    );
    let pending = app.get("/api/v1/role-grants?pending=true", &second);
    assert!(text(&pending.body).contains(&grant), "{:?}", pending.body);
    let approved = app.post(
        &decision,
        &second,
        json!({"approve": true, "note": "Order 14"}),
    );
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    assert_eq!(approved.body["status"], "approved");
    let roles = app.get("/api/v1/staff/puppet", &admin).body["roles"].clone();
    assert!(text(&roles).contains("supervisor"), "{roles}");
    let again = app.post(&decision, &second, json!({"approve": false}));
    assert_eq!(again.unmet(), ["grant_decided"], "{:?}", again.body);

    // Raising someone's roles likewise waits; taking a role away is at once.
    let etag = app.get("/api/v1/staff/puppet", &admin).etag;
    let lowered = app.patch(
        "/api/v1/staff/puppet",
        &admin,
        etag.as_deref(),
        json!({"roles": ["registry"]}),
    );
    assert_eq!(
        lowered.body["roles"],
        json!(["registry"]),
        "{:?}",
        lowered.body
    );
    let auditor = app.staff("maria", &[Role::Auditor], &a);
    let log = app.get(
        "/api/v1/audit/entries?subject_id=puppet&limit=100",
        &auditor,
    );
    for action in ["staff.role_grant.requested", "staff.role_grant.approved"] {
        assert!(text(&log.body).contains(action), "{action}: {:?}", log.body);
    }
}

#[test]
fn no_single_admin_sets_the_password_of_an_account_that_reads_case_content() {
    let app = TestApp::start();
    let a = app.district_a.clone();
    let admin = app.staff("admin", &[Role::Admin], &a);
    let second = app.staff("admin-2", &[Role::Admin], &a);
    app.staff("iryna", &[Role::Supervisor], &a);
    app.staff("registry-bot", &[Role::Registry], &a);
    let direct = app.send(
        "PUT",
        "/api/v1/staff/iryna/password",
        Some(&admin),
        &[],
        Some(&json!({"new_password": "the admin knows this one"})),
    );
    assert_eq!(direct.status, 409, "{:?}", direct.body);
    assert_eq!(direct.unmet(), ["four_eyes"]);
    // An account without case access still gets its password from one admin.
    let plain = app.send(
        "PUT",
        "/api/v1/staff/registry-bot/password",
        Some(&admin),
        &[],
        Some(&json!({"new_password": "a registry password"})),
    );
    assert_eq!(plain.status, 204, "{:?}", plain.body);

    let path = "/api/v1/staff/iryna/password-setup-token";
    let asked = app.post(path, &admin, json!(null));
    assert_eq!(asked.status, 202, "{:?}", asked.body);
    let again = app.post(path, &admin, json!(null));
    assert_eq!(
        (again.status, again.unmet()),
        (409, vec!["own_request".to_owned()])
    );
    let issued = app.post(path, &second, json!(null));
    assert_eq!(issued.status, 201, "{:?}", issued.body);
    let member = app
        .keys
        .issue("iryna", chrono::Duration::minutes(10))
        .unwrap();
    let set = app.send(
        "PUT",
        "/api/v1/me/password",
        Some(&member),
        &[],
        Some(
            &json!({"setup_token": issued.body["setup_token"], "new_password": "only iryna knows"}),
        ),
    );
    assert_eq!(set.status, 204, "{:?}", set.body);
}

#[test]
fn a_concern_raised_on_the_report_before_the_case_opened_follows_the_cases_restriction() {
    use opora_tests::walk::{family, move_report, report};
    let app = TestApp::start();
    let a = app.district_a.clone();
    let key_worker = app.staff("olena", &[Role::CaseManager], &a);
    let supervisor = app.staff("iryna", &[Role::Supervisor], &a);
    let outsider = app.staff("petro", &[Role::Supervisor], &a);
    let auditor = app.staff("maria", &[Role::Auditor], &a);
    let client = family(&app, &key_worker, None).id();
    let report = report(&app, &key_worker, Some(&client)).id();
    let concern = app.post(
        &format!("/api/v1/intake-reports/{report}/safety-concerns"),
        &key_worker,
        json!({"description": "The neighbour hears the stepfather beat Daryna"}),
    );
    assert_eq!(concern.status, 201, "{:?}", concern.body);
    let concern = concern.id();
    for (from, to) in [
        ("intake", "verification"),
        ("verification", "need_recognition"),
    ] {
        assert_eq!(
            move_report(&app, &key_worker, &report, json!({"from": from, "to": to})).status,
            200
        );
    }
    let opened = move_report(
        &app,
        &key_worker,
        &report,
        json!({"from": "need_recognition", "to": "opened", "work_model": "case_management", "key_worker_id": "olena"}),
    );
    assert_eq!(opened.status, 200, "{:?}", opened.body);
    let case = opened.body["case"]["id"].as_str().unwrap().to_owned();
    let restricted = app.send(
        "PUT",
        &format!("/api/v1/cases/{case}/restriction"),
        Some(&supervisor),
        &[],
        Some(&json!({"restricted": true, "named_staff": ["iryna"], "reason": "Staff relative"})),
    );
    assert_eq!(restricted.status, 200, "{:?}", restricted.body);

    let concerns = app.get("/api/v1/safety-concerns", &outsider);
    assert!(
        !text(&concerns.body).contains(&concern),
        "{:?}",
        concerns.body
    );
    let queue = app.get("/api/v1/work-queue?scope=units", &outsider);
    assert!(!text(&queue.body).contains(&concern), "{:?}", queue.body);
    let log = app.get("/api/v1/audit/entries?limit=200", &auditor);
    assert!(!text(&log.body).contains("stepfather"), "{:?}", log.body);
    assert!(!text(&log.body).contains(&report), "{:?}", log.body);
    // The named supervisor still has it.
    let named = app.get("/api/v1/safety-concerns", &supervisor);
    assert!(text(&named.body).contains(&concern), "{:?}", named.body);
}

#[test]
fn one_admin_does_not_move_a_case_reader_to_another_unit() {
    let app = TestApp::start();
    let admin = app.staff("admin", &[Role::Admin], &app.centre.clone());
    app.staff("iryna", &[Role::Supervisor], &app.district_a.clone());
    let moved = app.patch(
        "/api/v1/staff/iryna",
        &admin,
        None,
        json!({"unit_id": app.district_b}),
    );
    assert_eq!(moved.status, 409, "{:?}", moved.body);
    assert_eq!(moved.unmet(), ["four_eyes"]);
    // Without her case roles she moves at once; they come back with a second admin.
    let without = app.patch(
        "/api/v1/staff/iryna",
        &admin,
        None,
        json!({"unit_id": app.district_b, "roles": ["registry"]}),
    );
    assert_eq!(without.status, 200, "{:?}", without.body);
    assert_eq!(without.body["unit_id"], app.district_b.as_str());
}
