//! Agreements and their form (issue 8): seed 001's stage-3 preliminary contract is oral, agreed
//! before a witness and not signed; every other kind is written and keeps its signatures.

use opora_domain::Role;
use opora_tests::walk::{move_case, opened_case};
use opora_tests::{Answer, TestApp};
use serde_json::{json, Value};

struct Team {
    app: TestApp,
    manager: String,
}

fn team() -> Team {
    let app = TestApp::start();
    let manager = app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    Team { app, manager }
}

impl Team {
    fn case(&self, model: &str) -> String {
        opened_case(&self.app, &self.manager, "olena", model)["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn step(&self, case: &str, from: &str, to: &str) -> Answer {
        move_case(
            &self.app,
            &self.manager,
            case,
            json!({"from": from, "to": to}),
        )
    }

    fn agreement(&self, case: &str, body: Value) -> Answer {
        self.app.post(
            &format!("/api/v1/cases/{case}/agreements"),
            &self.manager,
            body,
        )
    }
}

#[test]
fn an_oral_preliminary_contract_with_a_witness_is_recorded_as_oral_and_lets_the_work_go_on() {
    let t = team();
    let id = t.case("individual");
    assert_eq!(
        t.step(&id, "initial_contact", "problem_exploration").status,
        200
    );
    assert_eq!(
        t.step(&id, "problem_exploration", "preliminary_contract")
            .status,
        200
    );

    // No form given: a preliminary contract is oral, so it names its witness.
    let unwitnessed = t.agreement(
        &id,
        json!({"kind": "preliminary_contract", "signed_on": "2026-11-30", "parties": "Oksana Shevchenko; Olena (key worker)"}),
    );
    assert_eq!(unwitnessed.status, 422, "{:?}", unwitnessed.body);
    assert_eq!(unwitnessed.fields_at_fault(), ["witnessed_by"]);

    let oral = t.agreement(
        &id,
        json!({"kind": "preliminary_contract", "signed_on": "2026-11-30",
               "witnessed_by": "Maria Koval, psychologist of the service",
               "parties": "Oksana Shevchenko; Olena (key worker)"}),
    );
    assert_eq!(oral.status, 201, "{:?}", oral.body);
    assert_eq!(oral.body["form"], "oral");
    assert_eq!(
        oral.body["witnessed_by"],
        "Maria Koval, psychologist of the service"
    );
    assert_eq!(oral.body["signed_by_client"], false);
    assert_eq!(oral.body["signed_by_service"], false);
    assert_eq!(oral.body["agreed_by_client"], true);

    let listed = t
        .app
        .get(&format!("/api/v1/cases/{id}/agreements"), &t.manager);
    assert_eq!(listed.body[0]["form"], "oral");
    assert_eq!(listed.body[0]["signed_by_client"], false);

    // The client's oral agreement is what stage 3 → 4 needs.
    let moved = t.step(&id, "preliminary_contract", "assessment");
    assert_eq!(moved.status, 200, "{:?}", moved.body);
}

#[test]
fn an_oral_agreement_carries_no_signatures() {
    let t = team();
    let id = t.case("individual");
    let signed = t.agreement(
        &id,
        json!({"kind": "preliminary_contract", "form": "oral", "signed_on": "2026-11-30",
               "witnessed_by": "Maria Koval", "signed_by_client": true, "parties": "Oksana Shevchenko"}),
    );
    assert_eq!(signed.status, 422, "{:?}", signed.body);
    assert_eq!(signed.fields_at_fault(), ["signed_by_client"]);
    assert_eq!(signed.body["errors"][0]["code"], "oral_not_signed");
}

#[test]
fn an_oral_service_agreement_is_refused_naming_the_form() {
    let t = team();
    let id = t.case("case_management");
    for kind in [
        "service_agreement",
        "concluded_contract",
        "informed_consent",
    ] {
        let oral = t.agreement(
            &id,
            json!({"kind": kind, "form": "oral", "signed_on": "2026-11-30",
                   "witnessed_by": "Maria Koval", "parties": "Oksana Shevchenko; District A"}),
        );
        assert_eq!(oral.status, 422, "{kind}: {:?}", oral.body);
        assert_eq!(oral.fields_at_fault(), ["form"], "{kind}");
        assert_eq!(oral.body["errors"][0]["code"], "must_be_written");
    }
    let unknown = t.agreement(
        &id,
        json!({"kind": "service_agreement", "form": "telepathic", "signed_on": "2026-11-30",
               "signed_by_client": true, "signed_by_service": true, "parties": "x"}),
    );
    assert_eq!(unknown.status, 422);
    assert_eq!(unknown.fields_at_fault(), ["form"]);
    let none = t
        .app
        .get(&format!("/api/v1/cases/{id}/agreements"), &t.manager);
    assert_eq!(none.body, json!([]));
}

#[test]
fn a_written_agreement_keeps_its_signatures() {
    let t = team();
    let id = t.case("case_management");
    let written = t.agreement(
        &id,
        json!({"kind": "service_agreement", "signed_on": "2026-11-30", "signed_by_client": true,
               "signed_by_service": true, "parties": "Oksana Shevchenko; District A"}),
    );
    assert_eq!(written.status, 201, "{:?}", written.body);
    assert_eq!(written.body["form"], "written");
    assert_eq!(written.body["signed_by_client"], true);
    assert_eq!(written.body["signed_by_service"], true);
    assert_eq!(written.body["agreed_by_client"], true);
    assert_eq!(written.body["witnessed_by"], Value::Null);

    // A client's signature alone is kept as given.
    let half = t.agreement(
        &id,
        json!({"kind": "informed_consent", "form": "written", "signed_on": "2026-11-30",
               "signed_by_client": true, "parties": "Oksana Shevchenko"}),
    );
    assert_eq!(half.status, 201, "{:?}", half.body);
    assert_eq!(half.body["signed_by_client"], true);
    assert_eq!(half.body["signed_by_service"], false);

    // A written agreement is proved by its signatures, not a witness.
    let witnessed = t.agreement(
        &id,
        json!({"kind": "service_agreement", "signed_on": "2026-11-30", "signed_by_client": true,
               "signed_by_service": true, "witnessed_by": "Maria Koval", "parties": "x"}),
    );
    assert_eq!(witnessed.status, 422, "{:?}", witnessed.body);
    assert_eq!(witnessed.fields_at_fault(), ["witnessed_by"]);
}
