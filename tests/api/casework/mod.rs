//! Casework, one module per resource mirroring `api/src/routes/casework/`: assessments by life
//! domain with the child's own view, drafts edited with If-Match and immutable once completed,
//! re-assessments (`assessment`); plan versions, specialists' agreement by the specialist only,
//! the family-overload warning and supervisor approval (`plan`); goals and actions that keep stable
//! ids, execution state that survives a new version, and the execution view (`execution`). Here:
//! the team and case every test starts from.

mod assessment;
mod execution;
mod plan;

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
