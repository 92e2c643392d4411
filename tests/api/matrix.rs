//! The authorisation matrix, generated from the OpenAPI document: every operation × every role ×
//! a record of the caller's own unit and one of another unit. The expected answers come from the
//! policy table below (the README's), not from the code under test. An operation the document
//! lists but this file does not know fails the test, so no endpoint escapes the matrix.

use std::collections::BTreeMap;

use opora_domain::Role;
use opora_tests::TestApp;
use serde_json::{json, Value};

/// What an operation needs, in the words of the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    Anyone,
    ReadDirectory,
    ReadRecords,
    EditClient,
    HandleReport,
    ManageCase,
    RecordWork,
    ReadAudit,
    /// The case team: the matrix's callers lead no case, so only supervisors of the unit.
    CaseTeam,
    /// Staff, units and reference data: admins only.
    Admin,
    /// Staff leave: admins and supervisors.
    Roster,
    /// Accepting or declining a transfer: only its proposed key worker, never a matrix caller
    /// (supervisors do not accept on anyone's behalf; they reassign with `update_case`).
    TransferTarget,
    /// Raising a safety concern on a case: whoever records work on it or manages it.
    RaiseOnCase,
}

/// The policy: which roles may do what (README, "Roles").
fn may(role: Role, need: Need) -> bool {
    use Need::*;
    use Role::*;
    match need {
        Anyone | ReadDirectory => true,
        ReadRecords => matches!(
            role,
            IntakeOfficer | CaseManager | Specialist | Supervisor | Auditor
        ),
        EditClient | HandleReport => matches!(role, IntakeOfficer | CaseManager | Supervisor),
        ManageCase => matches!(role, CaseManager | Supervisor),
        RecordWork => matches!(role, CaseManager | Specialist | Supervisor),
        ReadAudit => matches!(role, Auditor),
        CaseTeam => matches!(role, Supervisor),
        Need::Admin => role == Role::Admin,
        Roster => matches!(role, Supervisor | Role::Admin),
        TransferTarget => false,
        RaiseOnCase => matches!(role, CaseManager | Specialist | Supervisor),
    }
}

/// Every operation of the contract: what it needs, and a valid body.
fn operations(app: &TestApp) -> BTreeMap<&'static str, (Need, Option<Value>)> {
    use Need::*;
    let plan = json!({"period_start": "2026-12-01", "period_end": "2027-02-28", "next_review_on": "2027-01-15",
                      "goals": [{"description": "Children never alone at night"}]});
    BTreeMap::from([
        ("get_me", (Anyone, None)),
        (
            "logout",
            (Anyone, Some(json!({"refresh_token": "0123456789abcdef"}))),
        ),
        (
            "change_own_password",
            (
                Anyone,
                Some(json!({"new_password": "a long enough password"})),
            ),
        ),
        (
            "create_staff",
            (
                Admin,
                Some(
                    json!({"id": "new.member", "full_name": "New Member", "roles": ["specialist"], "unit_id": app.district_a}),
                ),
            ),
        ),
        (
            "update_staff",
            (Admin, Some(json!({"full_name": "Renamed Supervisor"}))),
        ),
        ("list_role_grants", (Admin, None)),
        (
            "decide_role_grant",
            (Admin, Some(json!({"approve": false, "note": "matrix"}))),
        ),
        (
            "set_staff_password",
            (
                Admin,
                Some(json!({"new_password": "another long password"})),
            ),
        ),
        ("issue_password_setup_token", (Admin, None)),
        (
            "create_unit",
            (
                Admin,
                Some(
                    json!({"parent_id": app.district_a, "kind": "service", "name": "Family support"}),
                ),
            ),
        ),
        ("list_units", (ReadDirectory, None)),
        ("get_unit_settings", (ReadDirectory, None)),
        (
            "put_unit_settings",
            (
                Admin,
                Some(json!({"requires_plan_approval": false, "requires_closure_approval": false})),
            ),
        ),
        (
            "approve_closure_report",
            (
                CaseTeam,
                Some(json!({"approved": true, "comment": "matrix"})),
            ),
        ),
        ("list_staff", (ReadDirectory, None)),
        ("get_staff", (ReadDirectory, None)),
        (
            "create_client",
            (
                EditClient,
                Some(json!({"kind": "person", "display_name": "Petro Kravchenko"})),
            ),
        ),
        (
            "check_client_duplicates",
            (
                EditClient,
                Some(json!({"full_name": "Oksana Shevchenko", "date_of_birth": "1988-03-14"})),
            ),
        ),
        ("list_clients", (ReadRecords, None)),
        ("get_client", (ReadRecords, None)),
        ("get_client_questionnaire", (ReadRecords, None)),
        (
            "put_client_questionnaire",
            (
                EditClient,
                Some(json!({"housing": {"type": "flat", "tenure": "rented"}})),
            ),
        ),
        (
            "update_client",
            (EditClient, Some(json!({"phone": "+380 48 700 00 02"}))),
        ),
        (
            "create_report",
            (
                HandleReport,
                Some(
                    json!({"source": "school", "urgency": "routine", "description": "Absent from school"}),
                ),
            ),
        ),
        ("list_reports", (ReadRecords, None)),
        ("get_report", (ReadRecords, None)),
        (
            "transition_report",
            (
                HandleReport,
                Some(json!({"from": "intake", "to": "verification"})),
            ),
        ),
        ("list_cases", (ReadRecords, None)),
        ("get_case", (ReadRecords, None)),
        (
            "update_case",
            (ManageCase, Some(json!({"urgency": "urgent"}))),
        ),
        (
            "transition_case",
            (
                ManageCase,
                Some(json!({"from": "establishing_contact", "to": "needs_assessment"})),
            ),
        ),
        ("list_case_events", (ReadRecords, None)),
        (
            "raise_safety_concern_on_report",
            (
                HandleReport,
                Some(json!({"description": "Child left alone"})),
            ),
        ),
        (
            "raise_safety_concern_on_case",
            (
                RaiseOnCase,
                Some(json!({"description": "Child left alone"})),
            ),
        ),
        ("list_safety_concerns", (ReadRecords, None)),
        ("work_queue", (ReadRecords, None)),
        (
            "decide_safety_concern",
            (
                CaseTeam,
                Some(json!({"decision": "no_immediate_risk", "note": "checked"})),
            ),
        ),
        ("get_case_restriction", (ReadRecords, None)),
        (
            "set_case_restriction",
            (
                CaseTeam,
                Some(json!({"restricted": false, "reason": "matrix"})),
            ),
        ),
        (
            "create_assessment",
            (
                RecordWork,
                Some(json!({"kind": "initial", "summary": "Children alone at night"})),
            ),
        ),
        ("list_assessments", (ReadRecords, None)),
        ("get_assessment", (ReadRecords, None)),
        (
            "update_assessment",
            (RecordWork, Some(json!({"recommendations": "matrix"}))),
        ),
        (
            "agree_plan_action_as_specialist",
            (RecordWork, Some(json!({"agreed": true}))),
        ),
        (
            "approve_plan",
            (CaseTeam, Some(json!({"decision": "approved"}))),
        ),
        (
            "record_action_execution",
            (RecordWork, Some(json!({"status": "in_progress"}))),
        ),
        (
            "record_goal_progress",
            (
                RecordWork,
                Some(json!({"status": "in_progress", "progress": 10})),
            ),
        ),
        ("get_plan_execution", (ReadRecords, None)),
        ("complete_assessment", (RecordWork, None)),
        ("create_plan", (RecordWork, Some(plan))),
        ("list_plans", (ReadRecords, None)),
        (
            "agree_plan",
            (
                RecordWork,
                Some(
                    json!({"agreed_on": "2026-11-30", "agreed_by": "Oksana Shevchenko", "method": "signed"}),
                ),
            ),
        ),
        (
            "create_agreement",
            (
                RecordWork,
                Some(
                    json!({"kind": "informed_consent", "signed_on": "2026-11-30", "signed_by_client": true, "signed_by_service": true, "parties": "Oksana Shevchenko; the service"}),
                ),
            ),
        ),
        ("list_agreements", (ReadRecords, None)),
        (
            "create_evaluation",
            (
                RecordWork,
                Some(
                    json!({"kind": "interim", "summary": "Going well", "outcome": "partly_achieved"}),
                ),
            ),
        ),
        ("list_evaluations", (ReadRecords, None)),
        (
            "create_contact",
            (
                RecordWork,
                Some(
                    json!({"type": "phone_call", "status": "planned", "scheduled_at": "2026-12-01T10:00:00Z"}),
                ),
            ),
        ),
        ("list_contacts", (ReadRecords, None)),
        ("get_contact", (ReadRecords, None)),
        (
            "update_contact",
            (
                RecordWork,
                Some(
                    json!({"status": "held", "record": {"occurred_at": "2026-11-20T10:00:00Z", "duration_minutes": 30,
                           "discussed": "matrix", "child_seen": false, "child_heard": false}}),
                ),
            ),
        ),
        (
            "add_contact_addendum",
            (RecordWork, Some(json!({"text": "matrix addendum"}))),
        ),
        (
            "create_success_story",
            (
                RecordWork,
                Some(
                    json!({"title": "t", "story": "s", "written_by": "matrix", "written_on": "2026-11-20"}),
                ),
            ),
        ),
        ("list_success_stories", (ReadRecords, None)),
        (
            "withdraw_story_consent",
            (RecordWork, Some(json!({"reason": "matrix"}))),
        ),
        ("read_sensitive_sections", (ReadRecords, None)),
        (
            "write_sensitive_section",
            (
                CaseTeam,
                Some(json!({"content": {"diagnoses": ["asthma"]}})),
            ),
        ),
        ("list_consents", (ReadRecords, None)),
        (
            "record_consent",
            (
                CaseTeam,
                Some(
                    json!({"purpose": "support", "recipient_organisation": "Clinic", "sections": ["health"], "given_on": "2026-11-01"}),
                ),
            ),
        ),
        (
            "revoke_consent",
            (CaseTeam, Some(json!({"reason": "client asked"}))),
        ),
        ("list_disclosures", (ReadRecords, None)),
        (
            "request_disclosure",
            (
                CaseTeam,
                Some(
                    json!({"recipient_organisation": "Child-protection service", "sections": ["violence"], "legal_basis": "child_in_danger", "purpose": "duty to inform"}),
                ),
            ),
        ),
        (
            "decide_disclosure",
            (CaseTeam, Some(json!({"approve": true}))),
        ),
        ("list_reference_lists", (ReadDirectory, None)),
        ("get_reference_list", (ReadDirectory, None)),
        ("get_reference_entry", (ReadDirectory, None)),
        (
            "add_reference_entry",
            (
                Admin,
                Some(
                    json!({"code": "matrix_category", "labels": {"en": "Matrix category", "uk": "Категорія матриці", "ru": "Категория матрицы", "cs": "Kategorie matice"}}),
                ),
            ),
        ),
        ("deactivate_reference_entry", (Admin, None)),
        ("export_subject", (CaseTeam, None)),
        ("get_legal_hold", (ReadRecords, None)),
        (
            "set_legal_hold",
            (CaseTeam, Some(json!({"hold": false, "reason": "matrix"}))),
        ),
        ("list_audit_entries", (ReadAudit, None)),
        // Suggestions need `Action::OpenCase`: the same roles as managing a case.
        ("get_key_worker_suggestions", (ManageCase, None)),
        (
            "record_staff_leave",
            (
                Roster,
                Some(
                    json!({"starts_on": "2030-01-07", "ends_on": "2030-01-18", "reason": "Annual leave"}),
                ),
            ),
        ),
        ("list_staff_leave", (Roster, None)),
        ("list_case_transfers", (ReadRecords, None)),
        ("list_incoming_transfers", (ReadRecords, None)),
        (
            "request_case_transfer",
            (
                CaseTeam,
                Some(json!({"to_staff_id": "a-case-manager", "reason": "matrix"})),
            ),
        ),
        ("accept_case_transfer", (TransferTarget, None)),
        (
            "decline_case_transfer",
            (TransferTarget, Some(json!({"reason": "matrix"}))),
        ),
        (
            "cancel_case_transfer",
            (CaseTeam, Some(json!({"reason": "matrix"}))),
        ),
        ("verify_audit_chain", (ReadAudit, None)),
        ("latest_audit_checkpoint", (ReadAudit, None)),
        ("audit_inclusion_proof", (ReadAudit, None)),
        ("audit_consistency_proof", (ReadAudit, None)),
        ("get_closure_report", (ReadRecords, None)),
        (
            "put_closure_report",
            (
                // The key worker's or a supervisor's task (the matrix's callers lead no case).
                CaseTeam,
                Some(json!({"closure_reason": "moved_away", "recommendations": "matrix"})),
            ),
        ),
        (
            "terminate_agreement",
            (
                RecordWork,
                Some(json!({"ended_by": "client", "terminated_on": "2026-11-20"})),
            ),
        ),
    ])
}

/// The records of one unit that paths point at.
struct Records {
    client: String,
    report: String,
    case: String,
    assessment: String,
    plan: String,
    /// The stable ids of the plan's action and goal.
    action: String,
    goal: String,
    staff: String,
    consent: String,
    disclosure: String,
    /// A planned contact and a success story shared with consent, of the case.
    contact: String,
    story: String,
    /// A client category an admin added (reference data is not unit-scoped).
    reference_code: String,
    /// An open child-safety concern on the case.
    concern: String,
    /// The unit itself.
    unit: String,
    /// A pending transfer of the case to the unit's case manager.
    transfer: String,
    /// The position in the audit log of an entry about the case.
    audit_seq: String,
    /// An agreement of the case (the termination endpoint ends it).
    agreement: String,
    /// A role grant waiting for a second admin (asked by the unit's admin).
    grant: String,
}

fn records(app: &TestApp, unit: &str, prefix: &str) -> Records {
    let supervisor = app.staff(&format!("{prefix}-supervisor"), &[Role::Supervisor], unit);
    let case = opora_tests::walk::opened_case(
        app,
        &supervisor,
        &format!("{prefix}-supervisor"),
        "case_management",
    );
    let case_id = case["id"].as_str().unwrap().to_owned();
    let assessment = app.post(
        &format!("/api/v1/cases/{case_id}/assessments"),
        &supervisor,
        json!({"kind": "initial", "summary": "draft"}),
    );
    let plan = app.post(
        &format!("/api/v1/cases/{case_id}/plans"),
        &supervisor,
        json!({"period_start": "2026-12-01", "period_end": "2027-02-28", "next_review_on": "2027-01-15", "goals": [{"description": "g"}],
               "actions": [{"goal": 0, "description": "a", "responsible": "r"}]}),
    );
    assert_eq!(plan.status, 201, "{:?}", plan.body);
    let report = opora_tests::walk::report(app, &supervisor, None);
    let client = case["client_id"].as_str().unwrap().to_owned();
    let consent = app.post(
        &format!("/api/v1/clients/{client}/consents"),
        &supervisor,
        json!({"purpose": "support", "recipient_organisation": "Clinic", "sections": ["health"], "given_on": "2026-11-01"}),
    );
    let disclosure = app.post(
        &format!("/api/v1/clients/{client}/disclosures"),
        &supervisor,
        json!({"recipient_organisation": "Police", "sections": ["violence"], "legal_basis": "law_enforcement_request", "purpose": "request no. 12"}),
    );
    let admin = app.staff(&format!("{prefix}-admin"), &[Role::Admin], unit);
    let category = app.post(
        "/api/v1/reference/client_categories/entries",
        &admin,
        json!({"code": format!("matrix_{prefix}_category"), "labels": {"en": format!("Category {prefix}"), "uk": format!("Категорія {prefix}"), "ru": format!("Категория {prefix}"), "cs": format!("Kategorie {prefix}")}}),
    );
    assert_eq!(category.status, 201, "{:?}", category.body);
    let concern = app.post(
        &format!(
            "/api/v1/cases/{}/safety-concerns",
            case["id"].as_str().unwrap()
        ),
        &supervisor,
        json!({"description": "matrix fixture"}),
    );
    app.staff(
        &format!("{prefix}-case-manager"),
        &[Role::CaseManager],
        unit,
    );
    let transfer = app.post(
        &format!("/api/v1/cases/{case_id}/transfers"),
        &supervisor,
        json!({"to_staff_id": format!("{prefix}-case-manager"), "reason": "matrix fixture"}),
    );
    assert_eq!(transfer.status, 201, "{:?}", transfer.body);
    let contact = app.post(
        &format!("/api/v1/cases/{case_id}/contacts"),
        &supervisor,
        json!({"type": "home_visit", "status": "planned", "scheduled_at": "2026-12-01T10:00:00Z"}),
    );
    assert_eq!(contact.status, 201, "{:?}", contact.body);
    let story = app.post(
        &format!("/api/v1/cases/{case_id}/success-stories"),
        &supervisor,
        json!({"title": "t", "story": "s", "written_by": "w", "written_on": "2026-11-20",
               "consent": {"given_on": "2026-11-20", "given_by": "client", "scope": "internal"}}),
    );
    assert_eq!(story.status, 201, "{:?}", story.body);
    let agreement = app.post(
        &format!("/api/v1/cases/{case_id}/agreements"),
        &supervisor,
        json!({"kind": "service_agreement", "signed_on": "2026-11-01", "signed_by_client": true, "signed_by_service": true, "parties": "matrix"}),
    );
    assert_eq!(agreement.status, 201, "{:?}", agreement.body);
    // A closure report, so that reading it answers 200 before anyone writes it in the loop.
    let closure = app.send(
        "PUT",
        &format!("/api/v1/cases/{case_id}/closure-report"),
        Some(&supervisor),
        &[],
        Some(&json!({"closure_reason": "moved_away"})),
    );
    assert_eq!(closure.status, 201, "{:?}", closure.body);
    let grantee = app.post(
        "/api/v1/staff",
        &admin,
        json!({"id": format!("{prefix}-grantee"), "full_name": "Grantee", "roles": ["specialist"], "unit_id": unit}),
    );
    assert_eq!(grantee.status, 201, "{:?}", grantee.body);
    Records {
        grant: grantee.body["pending_role_grant"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        agreement: agreement.id(),
        contact: contact.id(),
        story: story.id(),
        unit: unit.to_owned(),
        transfer: transfer.id(),
        concern: concern.id(),
        reference_code: category.body["code"].as_str().unwrap().to_owned(),
        client: case["client_id"].as_str().unwrap().to_owned(),
        report: report.id(),
        case: case_id.clone(),
        assessment: assessment.id(),
        action: plan.body["actions"][0]["id"].as_str().unwrap().to_owned(),
        goal: plan.body["goals"][0]["id"].as_str().unwrap().to_owned(),
        plan: plan.id(),
        audit_seq: {
            let auditor = app.staff(&format!("{prefix}-auditor"), &[Role::Auditor], unit);
            let entries = app.get(
                &format!("/api/v1/audit/entries?subject_id={case_id}&limit=1"),
                &auditor,
            );
            entries.body["items"][0]["seq"]
                .as_i64()
                .unwrap()
                .to_string()
        },
        staff: format!("{prefix}-supervisor"),
        consent: consent.id(),
        disclosure: disclosure.id(),
    }
}

fn concrete(path: &str, r: &Records) -> String {
    let path = path
        .replace("{assessment_id}", &r.assessment)
        .replace("{plan_id}", &r.plan)
        .replace("{action_id}", &r.action)
        .replace("{goal_id}", &r.goal)
        .replace("{contact_id}", &r.contact)
        .replace("{story_id}", &r.story)
        .replace("{consent_id}", &r.consent)
        .replace("{disclosure_id}", &r.disclosure)
        .replace("{section}", "health")
        .replace("{list}", "client_categories")
        .replace("{code}", &r.reference_code)
        .replace("{transfer_id}", &r.transfer)
        .replace("{agreement_id}", &r.agreement)
        .replace("{seq}", &r.audit_seq)
        .replace(
            "/audit/consistency-proof",
            "/audit/consistency-proof?first=1",
        )
        .replace(
            "/key-worker-suggestions",
            "/key-worker-suggestions?urgency=routine&work_model=individual",
        );
    let id = if path.starts_with("/api/v1/clients/") {
        &r.client
    } else if path.starts_with("/api/v1/intake-reports/") {
        &r.report
    } else if path.starts_with("/api/v1/cases/") {
        &r.case
    } else if path.starts_with("/api/v1/safety-concerns/") {
        &r.concern
    } else if path.starts_with("/api/v1/units/") {
        &r.unit
    } else if path.starts_with("/api/v1/role-grants/") {
        &r.grant
    } else {
        &r.staff
    };
    path.replace("{id}", id)
}

/// Whether the path's records belong to a unit (reference data is the same for every unit, so
/// it has no foreign record).
fn unit_scoped(path: &str) -> bool {
    !path.starts_with("/api/v1/reference")
}

#[test]
fn every_operation_answers_every_role_as_the_policy_says_for_own_and_foreign_records() {
    let app = TestApp::start();
    let own = records(&app, &app.district_a.clone(), "a");
    let foreign = records(&app, &app.district_b.clone(), "b");
    // A case of the callers' own unit restricted to its supervisor: to every matrix caller it
    // and everything reached through it are not there.
    let restricted = records(&app, &app.district_a.clone(), "r");
    let restriction = app.send(
        "PUT",
        &format!("/api/v1/cases/{}/restriction", restricted.case),
        Some(&app.staff("r-supervisor", &[Role::Supervisor], &app.district_a.clone())),
        &[],
        Some(&json!({"restricted": true, "named_staff": ["r-supervisor"], "reason": "matrix"})),
    );
    assert_eq!(restriction.status, 200, "{:?}", restriction.body);
    let admin_b = app.staff("b-reader", &[Role::Supervisor], &app.district_b.clone());
    let doc: Value = serde_json::from_str(include_str!("../../openapi/openapi.json")).unwrap();
    let table = operations(&app);
    let mut checked = 0;
    let mut failures = Vec::new();

    for role in Role::ALL {
        let id = format!("matrix-{}", role.code());
        let mut token = app.staff(&id, &[*role], &app.district_a.clone());
        for (path, item) in doc["paths"].as_object().unwrap() {
            if !path.starts_with("/api/v1/") {
                continue;
            }
            for (method, op) in item.as_object().unwrap() {
                let name = op["operationId"].as_str().unwrap();
                // Login and refresh take no bearer token: their own tests cover them.
                if op["security"].is_null() {
                    continue;
                }
                let (need, body) = table.get(name).unwrap_or_else(|| {
                    panic!("operation {name} is not in the authorisation matrix")
                });
                for (scope, records) in [
                    ("own", &own),
                    ("foreign", &foreign),
                    ("restricted", &restricted),
                ] {
                    if scope == "foreign" && (!path.contains('{') || !unit_scoped(path)) {
                        continue;
                    }
                    if scope == "restricted"
                        && !(path.starts_with("/api/v1/cases/{id}")
                            || path.starts_with("/api/v1/safety-concerns/{id}"))
                    {
                        continue;
                    }
                    let url = concrete(path, records);
                    // Updates need the current ETag, read by someone who may read the record.
                    // (and so do the questionnaire's and the closure report's PUTs).
                    let etag = if method == "patch"
                        || (method == "put" && path.ends_with("/questionnaire"))
                        || (method == "put" && path.ends_with("/closure-report"))
                    {
                        let reader = match scope {
                            "own" => app.staff(
                                "a-supervisor",
                                &[Role::Supervisor],
                                &app.district_a.clone(),
                            ),
                            "restricted" => app.staff(
                                "r-supervisor",
                                &[Role::Supervisor],
                                &app.district_a.clone(),
                            ),
                            _ => admin_b.clone(),
                        };
                        app.get(&url, &reader).etag
                    } else {
                        None
                    };
                    let headers: Vec<(&str, &str)> =
                        etag.iter().map(|e| ("If-Match", e.as_str())).collect();
                    let answer = app.send(
                        &method.to_uppercase(),
                        &url,
                        Some(&token),
                        &headers,
                        body.as_ref(),
                    );
                    let expected = if scope == "foreign" || scope == "restricted" {
                        "404"
                    } else if may(*role, *need) {
                        "allowed"
                    } else {
                        "403"
                    };
                    let ok = match expected {
                        "404" => answer.status == 404,
                        "403" => answer.status == 403,
                        // Allowed: the request went through; 409 only where the record's state
                        // moved on under earlier roles of this loop (e.g. a report already verified).
                        // A member without a local password is told to bring an admin's
                        // one-time token (422 naming it): the role was allowed through.
                        _ if name == "change_own_password" => {
                            answer.status == 422
                                && answer.fields_at_fault() == vec!["setup_token".to_owned()]
                        }
                        _ => (200..300).contains(&answer.status) || answer.status == 409,
                    };
                    if name == "logout" && answer.status == 204 {
                        // Logging out ends the caller's access tokens: the next checks need a new one.
                        token = app.staff(&id, &[*role], &app.district_a.clone());
                    }
                    if !ok {
                        failures.push(format!("{name} {method} {url} as {role} ({scope}): expected {expected}, got {} {}", answer.status, answer.body));
                    }
                    if ![204, 403, 404].contains(&answer.status) {
                        assert!(!answer.content_type.is_empty());
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 300, "only {checked} checks");
}

#[test]
fn lists_never_show_another_units_records_to_any_role() {
    let app = TestApp::start();
    let foreign = records(&app, &app.district_b.clone(), "b");
    records(&app, &app.district_a.clone(), "a");
    for role in Role::ALL {
        let token = app.staff(
            &format!("list-{}", role.code()),
            &[*role],
            &app.district_a.clone(),
        );
        for (list, id) in [
            ("/api/v1/clients", &foreign.client),
            ("/api/v1/intake-reports", &foreign.report),
            ("/api/v1/cases", &foreign.case),
            ("/api/v1/staff", &foreign.staff),
            ("/api/v1/audit/entries", &foreign.case),
        ] {
            let answer = app.get(list, &token);
            if answer.status == 403 {
                continue;
            }
            assert_eq!(answer.status, 200, "{list} as {role}");
            let text = answer.body.to_string();
            assert!(
                !text.contains(id.as_str()),
                "{list} shows a record of another unit to {role}"
            );
        }
    }
}

/// The rows about oneself: every role making itself key worker of a colleague's case, adding a
/// role to its own account, and approving what it wrote. Only a supervisor names a key worker
/// directly; nobody raises their own roles; nobody approves their own work (four eyes).
#[test]
fn nobody_assigns_escalates_or_approves_for_themself() {
    let app = TestApp::start();
    let a = app.district_a.clone();
    let leader = app.staff("leader", &[Role::CaseManager], &a);
    for role in Role::ALL {
        let id = format!("self-{}", role.code());
        let token = app.staff(&id, &[*role], &a);
        let case = opora_tests::walk::opened_case(&app, &leader, "leader", "case_management");
        let case_id = case["id"].as_str().unwrap();
        let etag = app.get(&format!("/api/v1/cases/{case_id}"), &leader).etag;
        let assigned = app.patch(
            &format!("/api/v1/cases/{case_id}"),
            &token,
            etag.as_deref(),
            json!({"key_worker_id": id, "reason": "mine now"}),
        );
        let expected = if *role == Role::Supervisor { 200 } else { 403 };
        assert_eq!(
            assigned.status, expected,
            "{role} assigning itself: {:?}",
            assigned.body
        );

        let escalated = app.patch(
            &format!("/api/v1/staff/{id}"),
            &token,
            None,
            json!({"roles": [role.code(), "supervisor", "admin"]}),
        );
        assert_eq!(
            escalated.status, 403,
            "{role} raising its own roles: {:?}",
            escalated.body
        );
    }

    // A supervisor's own plan version and closure report wait for another supervisor.
    let supervisor = app.staff("self-approver", &[Role::Supervisor], &a);
    let case =
        opora_tests::walk::opened_case(&app, &supervisor, "self-approver", "case_management");
    let case_id = case["id"].as_str().unwrap();
    let plan = app.post(
        &format!("/api/v1/cases/{case_id}/plans"),
        &supervisor,
        json!({"period_start": "2026-12-01", "period_end": "2027-02-28", "next_review_on": "2027-01-15",
               "goals": [{"description": "g"}]}),
    );
    let own = app.post(
        &format!("/api/v1/cases/{case_id}/plans/{}/approval", plan.id()),
        &supervisor,
        json!({"decision": "approved"}),
    );
    assert_eq!(
        (own.status, own.unmet()),
        (409, vec!["own_work".to_owned()])
    );
}
