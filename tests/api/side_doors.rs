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
