//! Sensitive sections go to the case team, or to someone named by an active consent or an approved
//! legal-basis disclosure; every such read is on the audit chain; revocation takes effect at once.

use opora_domain::Role;
use opora_tests::walk::opened_case;
use opora_tests::TestApp;
use serde_json::{json, Value};

struct Setting {
    app: TestApp,
    key_worker: String,
    specialist: String,
    supervisor: String,
    auditor: String,
    client: String,
}

fn setting() -> Setting {
    let app = TestApp::start();
    let a = app.district_a.clone();
    let key_worker = app.staff("olena", &[Role::CaseManager], &a);
    let specialist = app.staff("serhii", &[Role::Specialist], &a);
    let supervisor = app.staff("iryna", &[Role::Supervisor], &a);
    let auditor = app.staff("maria", &[Role::Auditor], &app.centre.clone());
    let case = opened_case(&app, &key_worker, "olena", "case_management");
    let client = case["client_id"].as_str().unwrap().to_owned();
    for (section, content) in [
        ("health", json!({"diagnoses": ["asthma"]})),
        ("violence", json!({"signs": "bruises seen by school"})),
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
    Setting {
        app,
        key_worker,
        specialist,
        supervisor,
        auditor,
        client,
    }
}

impl Setting {
    fn sections(&self, token: &str) -> Vec<(String, String)> {
        let answer = self
            .app
            .get(&format!("/api/v1/clients/{}/sensitive", self.client), token);
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        answer.body["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["section"].as_str().unwrap().to_owned(),
                    s["grant"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    fn consent(&self, body: Value) -> Value {
        let answer = self.app.post(
            &format!("/api/v1/clients/{}/consents", self.client),
            &self.key_worker,
            body,
        );
        assert_eq!(answer.status, 201, "{:?}", answer.body);
        answer.body
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn the_key_worker_and_the_supervisor_read_every_section_and_others_nothing() {
    let s = setting();
    assert_eq!(
        s.sections(&s.key_worker),
        pairs(&[("health", "case_team"), ("violence", "case_team")])
    );
    assert_eq!(
        s.sections(&s.supervisor),
        pairs(&[("health", "case_team"), ("violence", "case_team")])
    );
    assert_eq!(s.sections(&s.specialist), pairs(&[]));
    assert_eq!(s.sections(&s.auditor), pairs(&[]));
}

#[test]
fn a_consent_opens_its_sections_to_its_recipient_until_it_is_revoked() {
    let s = setting();
    let consent = s.consent(json!({"purpose": "psychological support", "recipient_staff_id": "serhii", "sections": ["health"], "given_on": "2026-01-01", "expires_on": "2099-01-01"}));
    assert_eq!(consent["active"], true);
    assert_eq!(s.sections(&s.specialist), pairs(&[("health", "consent")]));

    let revoked = s.app.post(
        &format!(
            "/api/v1/clients/{}/consents/{}/revocation",
            s.client,
            consent["id"].as_str().unwrap()
        ),
        &s.key_worker,
        json!({"reason": "the mother withdrew it"}),
    );
    assert_eq!(
        (revoked.status, revoked.body["active"].as_bool()),
        (200, Some(false))
    );
    assert_eq!(
        s.sections(&s.specialist),
        pairs(&[]),
        "revocation takes effect on the next read"
    );
    let again = s.app.post(
        &format!(
            "/api/v1/clients/{}/consents/{}/revocation",
            s.client,
            consent["id"].as_str().unwrap()
        ),
        &s.key_worker,
        json!({}),
    );
    assert_eq!(again.status, 409);
}

#[test]
fn an_expired_consent_opens_nothing() {
    let s = setting();
    s.consent(json!({"purpose": "support", "recipient_staff_id": "serhii", "sections": ["health", "violence"], "given_on": "2025-01-01", "expires_on": "2025-12-31"}));
    assert_eq!(s.sections(&s.specialist), pairs(&[]));
}

#[test]
fn auditors_never_read_content_even_when_a_consent_names_them() {
    let s = setting();
    let local_auditor = s
        .app
        .staff("petro", &[Role::Auditor], &s.app.district_a.clone());
    s.consent(json!({"purpose": "review", "recipient_staff_id": "petro", "sections": ["health"], "given_on": "2026-01-01"}));
    assert_eq!(s.sections(&local_auditor), pairs(&[]));
}

#[test]
fn a_legal_basis_disclosure_opens_its_sections_once_another_supervisor_approves_it() {
    let s = setting();
    let requested = s.app.post(
        &format!("/api/v1/clients/{}/disclosures", s.client),
        &s.key_worker,
        json!({"recipient_staff_id": "serhii", "sections": ["violence"], "legal_basis": "child_in_danger", "purpose": "assess the danger to the children"}),
    );
    assert_eq!(
        (requested.status, requested.body["status"].as_str()),
        (201, Some("requested")),
        "{:?}",
        requested.body
    );
    let id = requested.id();
    assert_eq!(s.sections(&s.specialist), pairs(&[]), "not before approval");

    let decision = format!("/api/v1/clients/{}/disclosures/{id}/decision", s.client);
    assert_eq!(
        s.app
            .post(&decision, &s.key_worker, json!({"approve": true}))
            .status,
        403,
        "a case manager may not approve"
    );
    let approved = s.app.post(
        &decision,
        &s.supervisor,
        json!({"approve": true, "note": "duty to inform"}),
    );
    assert_eq!(
        (approved.status, approved.body["status"].as_str()),
        (200, Some("approved"))
    );
    assert_eq!(
        s.sections(&s.specialist),
        pairs(&[("violence", "legal_basis")])
    );
    assert_eq!(
        s.app
            .post(&decision, &s.supervisor, json!({"approve": false}))
            .status,
        409,
        "decided once"
    );

    // The read is on the audit chain with its purpose and legal basis.
    let entries = s.app.get(
        &format!(
            "/api/v1/audit/entries?subject_id={}&action=client.sensitive.viewed&actor_id=serhii",
            s.client
        ),
        &s.auditor,
    );
    assert_eq!(entries.status, 200);
    let read = &entries.body["items"][0];
    assert_eq!(
        (
            read["legal_basis"].as_str(),
            read["payload"]["section"].as_str()
        ),
        (Some("child_in_danger"), Some("violence"))
    );
}

#[test]
fn only_the_case_team_writes_sections_and_records_consents() {
    let s = setting();
    let path = format!("/api/v1/clients/{}/sensitive/health", s.client);
    let by_specialist = s.app.send(
        "PUT",
        &path,
        Some(&s.specialist),
        &[],
        Some(&json!({"content": {"x": 1}})),
    );
    assert_eq!(by_specialist.status, 403);
    let consent = s.app.post(
        &format!("/api/v1/clients/{}/consents", s.client),
        &s.specialist,
        json!({"purpose": "p", "recipient_staff_id": "serhii", "sections": ["health"], "given_on": "2026-01-01"}),
    );
    assert_eq!(consent.status, 403, "nobody grants themselves a consent");
    let unknown = s.app.send(
        "PUT",
        &format!("/api/v1/clients/{}/sensitive/horoscope", s.client),
        Some(&s.key_worker),
        &[],
        Some(&json!({"content": {}})),
    );
    assert_eq!(
        (unknown.status, unknown.fields_at_fault()),
        (422, vec!["section".to_owned()])
    );
}

#[test]
fn another_districts_staff_get_not_found_for_the_sections() {
    let s = setting();
    let other = s
        .app
        .staff("andrii", &[Role::Supervisor], &s.app.district_b.clone());
    assert_eq!(
        s.app
            .get(&format!("/api/v1/clients/{}/sensitive", s.client), &other)
            .status,
        404
    );
}

#[test]
fn who_reported_a_family_is_hidden_from_specialists_and_auditors() {
    let s = setting();
    let report = s.app.post(
        "/api/v1/intake-reports",
        &s.key_worker,
        json!({"source": "hotline", "urgency": "urgent", "description": "Children alone", "reporter": "Neighbour, flat 12"}),
    );
    let path = format!("/api/v1/intake-reports/{}", report.id());
    assert_eq!(
        s.app.get(&path, &s.key_worker).body["reporter"],
        "Neighbour, flat 12"
    );
    assert_eq!(
        s.app.get(&path, &s.specialist).body["reporter"],
        Value::Null
    );
    assert_eq!(s.app.get(&path, &s.auditor).body["reporter"], Value::Null);
}
