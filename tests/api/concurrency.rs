//! Races: twenty identical requests released at once for each change that may happen only once
//! (opening a case from a report, a case transition, a PATCH under one `If-Match`, a plan's
//! agreement, a transfer's acceptance, a disclosure's approval). Exactly one wins; every other
//! gets a 409 or 412 problem, never a 5xx or a second success; the history holds the change once
//! and no row is doubled. Each state change is a compare-and-set, so the same holds on PostgreSQL
//! at its default isolation as on SQLite, whose write lock would hide a read-decide-write.

use std::collections::BTreeMap;
use std::sync::Barrier;

use opora_domain::Role;
use opora_tests::walk::{family, move_case, move_report, opened_case, report};
use opora_tests::{Answer, TestApp};
use serde_json::{json, Value};

/// Requests in each race, and connections in the server's pool so that all of them reach the
/// database together.
const RACERS: usize = 20;

/// District A: a key worker, a colleague to transfer to, a supervisor; an auditor at the centre.
struct Office {
    app: TestApp,
    manager: String,
    colleague: String,
    supervisor: String,
    auditor: String,
}

fn office() -> Office {
    let app = TestApp::start_with_pool(RACERS as u32);
    let a = app.district_a.clone();
    let manager = app.staff("olena", &[Role::CaseManager], &a);
    let colleague = app.staff("bohdan", &[Role::CaseManager], &a);
    let supervisor = app.staff("iryna", &[Role::Supervisor], &a);
    let auditor = app.staff("maria", &[Role::Auditor], &app.centre.clone());
    Office {
        app,
        manager,
        colleague,
        supervisor,
        auditor,
    }
}

/// How a race's answers fell out: successes, refusals as 409/412 problems, and anything else.
#[derive(Debug, PartialEq)]
struct Tally {
    succeeded: usize,
    refused: usize,
    other: Vec<String>,
}

/// The only acceptable outcome of a race.
fn one_winner() -> Tally {
    Tally {
        succeeded: 1,
        refused: RACERS - 1,
        other: Vec::new(),
    }
}

/// The answers of one race.
struct Race {
    answers: Vec<Answer>,
}

impl Race {
    /// Sends `RACERS` copies of `request` from as many threads, released together by a barrier.
    fn run(app: &TestApp, request: impl Fn(&TestApp) -> Answer + Sync) -> Race {
        let start = Barrier::new(RACERS);
        let answers = std::thread::scope(|scope| {
            let racers: Vec<_> = (0..RACERS)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        request(app)
                    })
                })
                .collect();
            racers
                .into_iter()
                .map(|racer| racer.join().unwrap())
                .collect()
        });
        Race { answers }
    }

    fn tally(&self) -> Tally {
        let mut tally = Tally {
            succeeded: 0,
            refused: 0,
            other: Vec::new(),
        };
        for answer in &self.answers {
            match answer.status {
                200..=299 => tally.succeeded += 1,
                409 | 412 if answer.content_type == "application/problem+json" => {
                    tally.refused += 1
                }
                status => tally
                    .other
                    .push(format!("{status} {}: {}", answer.content_type, answer.body)),
            }
        }
        tally
    }

    /// Every loser was refused the way the API promises a lost race: `kind` (e.g.
    /// `stage-changed`, `precondition-failed`, `conflict`), not some other guard.
    fn assert_losers(&self, kind: &str) {
        let kinds: std::collections::BTreeSet<String> = self
            .answers
            .iter()
            .filter(|a| !(200..300).contains(&a.status))
            .map(|a| a.problem_kind())
            .collect();
        assert_eq!(
            kinds,
            std::collections::BTreeSet::from([kind.to_owned()]),
            "{:?}",
            self.outcomes()
        );
    }

    /// The first success.
    fn winner(&self) -> &Answer {
        self.answers
            .iter()
            .find(|a| (200..300).contains(&a.status))
            .unwrap_or_else(|| panic!("no success: {:?}", self.tally()))
    }

    /// How many answers of each status and problem detail, for messages.
    fn outcomes(&self) -> BTreeMap<String, usize> {
        let mut outcomes = BTreeMap::new();
        for answer in &self.answers {
            let detail = answer.body["detail"].as_str().unwrap_or("");
            *outcomes
                .entry(format!("{} {detail}", answer.status))
                .or_insert(0) += 1;
        }
        outcomes
    }
}

impl Office {
    fn events(&self, case: &str) -> Vec<Value> {
        let answer = self
            .app
            .get(&format!("/api/v1/cases/{case}/events"), &self.supervisor);
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        answer.body.as_array().unwrap().clone()
    }

    fn count_events(&self, case: &str, what: impl Fn(&Value) -> bool) -> usize {
        self.events(case).iter().filter(|e| what(e)).count()
    }

    fn get_case(&self, case: &str) -> Answer {
        let answer = self
            .app
            .get(&format!("/api/v1/cases/{case}"), &self.supervisor);
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        answer
    }

    /// A case opened for `key_worker` under the 6-stage model; its id.
    fn case(&self, key_worker: &str) -> String {
        let case = opened_case(&self.app, &self.manager, key_worker, "case_management");
        case["id"].as_str().unwrap().to_owned()
    }
}

fn list(answer: &Answer) -> Vec<Value> {
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer
        .body
        .as_array()
        .or_else(|| answer.body["items"].as_array())
        .unwrap()
        .clone()
}

#[test]
fn twenty_parallel_openings_of_one_report_make_exactly_one_case() {
    let o = office();
    let client = family(&o.app, &o.manager, None).id();
    let report_id = report(&o.app, &o.manager, Some(&client)).id();
    for (from, to) in [
        ("intake", "verification"),
        ("verification", "need_recognition"),
    ] {
        let moved = move_report(
            &o.app,
            &o.manager,
            &report_id,
            json!({"from": from, "to": to, "reason": "checked"}),
        );
        assert_eq!(moved.status, 200, "{:?}", moved.body);
    }

    let race = Race::run(&o.app, |app| {
        move_report(
            app,
            &o.manager,
            &report_id,
            json!({"from": "need_recognition", "to": "opened", "work_model": "case_management",
                   "key_worker_id": "olena", "reason": "Need recognised"}),
        )
    });

    let cases = list(
        &o.app
            .get(&format!("/api/v1/cases?client_id={client}"), &o.supervisor),
    );
    let case = race.winner().body["case"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let openings = o.count_events(&case, |e| {
        e["machine"] == "lifecycle" && e["from"] == "need_recognition" && e["to"] == "opened"
    });
    let model_entries = o.count_events(&case, |e| {
        e["machine"] == "case_management" && e["from"].is_null()
    });
    race.assert_losers("stage-changed");
    assert_eq!(
        (race.tally(), cases.len(), openings, model_entries),
        (one_winner(), 1, 1, 1),
        "(answers, cases of the client, openings, entries into the work model); outcomes {:?}",
        race.outcomes()
    );
    assert_eq!(cases[0]["id"], json!(case));
}

#[test]
fn twenty_parallel_identical_case_transitions_move_the_case_once() {
    let o = office();
    let case = o.case("olena");
    let before = o.get_case(&case);

    let race = Race::run(&o.app, |app| {
        move_case(
            app,
            &o.manager,
            &case,
            json!({"from": "establishing_contact", "to": "needs_assessment"}),
        )
    });

    let after = o.get_case(&case);
    let moves = o.count_events(&case, |e| {
        e["action"] == "transition"
            && e["from"] == "establishing_contact"
            && e["to"] == "needs_assessment"
    });
    race.assert_losers("stage-changed");
    assert_eq!(
        (race.tally(), moves),
        (one_winner(), 1),
        "(answers, moves recorded); outcomes {:?}",
        race.outcomes()
    );
    assert_eq!(after.body["model_stage"], "needs_assessment");
    assert_eq!(
        race.winner().etag,
        after.etag,
        "the winner's version is the last"
    );
    assert_ne!(after.etag, before.etag);
}

#[test]
fn twenty_parallel_patches_under_one_etag_change_the_case_once_and_the_losers_learn_the_new_etag() {
    let o = office();
    let case = o.case("olena");
    let etag = o.get_case(&case).etag.unwrap();

    let race = Race::run(&o.app, |app| {
        app.patch(
            &format!("/api/v1/cases/{case}"),
            &o.manager,
            Some(&etag),
            json!({"urgency": "emergency", "reason": "police report"}),
        )
    });

    let after = o.get_case(&case);
    let current = after.etag.clone().unwrap();
    let updates = o.count_events(&case, |e| e["action"] == "case.updated");
    let stale_etags: Vec<Option<String>> = race
        .answers
        .iter()
        .filter(|a| a.status == 412 && a.etag.as_deref() != Some(current.as_str()))
        .map(|a| a.etag.clone())
        .collect();
    race.assert_losers("precondition-failed");
    assert_eq!(
        (race.tally(), updates, stale_etags),
        (one_winner(), 1, Vec::new()),
        "(answers, updates recorded, 412s whose ETag is not the current {current}); outcomes {:?}",
        race.outcomes()
    );
    assert_ne!(current, etag);
    assert_eq!(race.winner().etag.as_deref(), Some(current.as_str()));
    assert_eq!(after.body["urgency"], "emergency");
}

#[test]
fn twenty_parallel_agreements_to_one_plan_version_leave_exactly_one_active_plan() {
    let o = office();
    let case = o.case("olena");
    let assessed = o.app.post(
        &format!("/api/v1/cases/{case}/assessments"),
        &o.manager,
        json!({"kind": "initial", "summary": "Children alone at night", "complete": true}),
    );
    assert_eq!(assessed.status, 201, "{:?}", assessed.body);
    let plans = format!("/api/v1/cases/{case}/plans");
    let draft = |goal: &str| {
        let plan = o.app.post(
            &plans,
            &o.manager,
            json!({"period_start": "2026-12-01", "period_end": "2027-02-28", "next_review_on": "2027-01-15",
                   "goals": [{"description": goal}], "actions": []}),
        );
        assert_eq!(plan.status, 201, "{:?}", plan.body);
        plan.id()
    };
    let agree = |app: &TestApp, plan: &str| {
        app.post(
            &format!("{plans}/{plan}/agreement"),
            &o.manager,
            json!({"agreed_on": "2026-11-30", "agreed_by": "Oksana Shevchenko (mother)", "method": "signed"}),
        )
    };
    let first = draft("Children never alone at night");
    let agreed = agree(&o.app, &first);
    assert_eq!(agreed.status, 200, "{:?}", agreed.body);
    let second = draft("Children never alone at night; mother in work");

    let race = Race::run(&o.app, |app| agree(app, &second));

    let statuses: Vec<Value> = list(&o.app.get(&plans, &o.manager))
        .iter()
        .map(|p| p["status"].clone())
        .collect();
    let agreed = o.count_events(&case, |e| {
        e["action"] == "plan.agreed" && e["details"]["plan_id"] == json!(second)
    });
    let agreements = list(
        &o.app
            .get(&format!("/api/v1/cases/{case}/agreements"), &o.manager),
    )
    .iter()
    .filter(|a| a["plan_id"] == json!(second))
    .count();
    race.assert_losers("conflict");
    assert_eq!(
        (race.tally(), statuses, agreed, agreements),
        (
            one_winner(),
            vec![json!("superseded"), json!("active")],
            1,
            1
        ),
        "(answers, plan statuses, agreements recorded in the history, agreement records); outcomes {:?}",
        race.outcomes()
    );
}

#[test]
fn twenty_parallel_acceptances_of_one_transfer_pass_the_case_once() {
    let o = office();
    let case = o.case("olena");
    let requested = o.app.post(
        &format!("/api/v1/cases/{case}/transfers"),
        &o.manager,
        json!({"to_staff_id": "bohdan", "reason": "Olena's caseload is full"}),
    );
    assert_eq!(requested.status, 201, "{:?}", requested.body);
    let transfer = requested.id();

    let race = Race::run(&o.app, |app| {
        app.send(
            "POST",
            &format!("/api/v1/cases/{case}/transfers/{transfer}/acceptance"),
            Some(&o.colleague),
            &[],
            None,
        )
    });

    let transfers = list(
        &o.app
            .get(&format!("/api/v1/cases/{case}/transfers"), &o.supervisor),
    );
    let accepted = o.count_events(&case, |e| e["action"] == "case.transfer_accepted");
    race.assert_losers("conflict");
    assert_eq!(
        (race.tally(), transfers.len(), accepted),
        (one_winner(), 1, 1),
        "(answers, transfers, acceptances recorded); outcomes {:?}",
        race.outcomes()
    );
    assert_eq!(transfers[0]["status"], "accepted");
    assert_eq!(o.get_case(&case).body["key_worker_id"], "bohdan");
}

#[test]
fn twenty_parallel_approvals_of_one_disclosure_decide_it_once() {
    let o = office();
    let case = opened_case(&o.app, &o.manager, "olena", "case_management");
    let client = case["client_id"].as_str().unwrap().to_owned();
    let requested = o.app.post(
        &format!("/api/v1/clients/{client}/disclosures"),
        &o.manager,
        json!({"recipient_staff_id": "bohdan", "sections": ["violence"], "legal_basis": "child_in_danger",
               "purpose": "assess the danger to the children"}),
    );
    assert_eq!(requested.status, 201, "{:?}", requested.body);
    let disclosure = requested.id();

    let race = Race::run(&o.app, |app| {
        app.post(
            &format!("/api/v1/clients/{client}/disclosures/{disclosure}/decision"),
            &o.supervisor,
            json!({"approve": true, "note": "duty to inform"}),
        )
    });

    let disclosures = list(&o.app.get(
        &format!("/api/v1/clients/{client}/disclosures"),
        &o.supervisor,
    ));
    let approvals = list(&o.app.get(
        &format!("/api/v1/audit/entries?subject_id={client}&action=disclosure.approved&limit=200"),
        &o.auditor,
    ))
    .iter()
    .filter(|e| e["payload"]["disclosure_id"] == json!(disclosure))
    .count();
    race.assert_losers("conflict");
    assert_eq!(
        (race.tally(), disclosures.len(), approvals),
        (one_winner(), 1, 1),
        "(answers, disclosures, approvals on the audit chain); outcomes {:?}",
        race.outcomes()
    );
    assert_eq!(disclosures[0]["status"], "approved");
}

#[test]
fn twenty_parallel_approvals_of_one_role_grant_grant_it_once() {
    let o = office();
    let a = o.app.district_a.clone();
    let admin = o.app.staff("admin", &[Role::Admin], &a);
    let second = o.app.staff("admin-2", &[Role::Admin], &a);
    let created = o.app.post(
        "/api/v1/staff",
        &admin,
        json!({"id": "new.supervisor", "full_name": "New Supervisor", "roles": ["supervisor"], "unit_id": a}),
    );
    assert_eq!(created.status, 201, "{:?}", created.body);
    let grant = created.body["pending_role_grant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let race = Race::run(&o.app, |app| {
        app.post(
            &format!("/api/v1/role-grants/{grant}/decision"),
            &second,
            json!({"approve": true}),
        )
    });

    let approvals = list(&o.app.get(
        "/api/v1/audit/entries?subject_id=new.supervisor&action=staff.role_grant.approved&limit=200",
        &o.auditor,
    ))
    .len();
    race.assert_losers("conflict");
    assert_eq!(
        (race.tally(), approvals),
        (one_winner(), 1),
        "(answers, approvals on the audit chain); outcomes {:?}",
        race.outcomes()
    );
}

#[test]
fn twenty_parallel_completions_of_one_password_setup_request_issue_one_token() {
    let o = office();
    let a = o.app.district_a.clone();
    let admin = o.app.staff("admin", &[Role::Admin], &a);
    let second = o.app.staff("admin-2", &[Role::Admin], &a);
    let path = "/api/v1/staff/olena/password-setup-token";
    assert_eq!(o.app.post(path, &admin, json!(null)).status, 202);

    let race = Race::run(&o.app, |app| app.post(path, &second, json!(null)));

    // One call completes the request. A call that comes after it is a new request of the second
    // admin's (202, at most one: one request waits per member), which their further calls may
    // not complete themselves (409); nothing else.
    let statuses: Vec<u16> = race.answers.iter().map(|a| a.status).collect();
    let count = |s: u16| statuses.iter().filter(|x| **x == s).count();
    assert_eq!(count(201), 1, "{:?}", race.outcomes());
    assert!(count(202) <= 1, "{:?}", race.outcomes());
    assert_eq!(
        count(201) + count(202) + count(409),
        RACERS,
        "{:?}",
        race.outcomes()
    );
    let issued = list(&o.app.get(
        "/api/v1/audit/entries?subject_id=admin-2&action=staff.password_setup_token_issued&limit=200",
        &o.auditor,
    ))
    .len();
    assert_eq!(issued, 1);
}
