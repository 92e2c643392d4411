//! Lists: cursor pages in creation order with no item twice, and filters that return exactly the
//! matching records.

use opora_domain::Role;
use opora_tests::walk::{family, move_case, move_report, opened_case, report};
use opora_tests::{Answer, TestApp};
use serde_json::{json, Value};

fn ids(answer: &Answer) -> Vec<String> {
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn seven_clients_come_in_pages_of_three_three_and_one() {
    let app = TestApp::start();
    let token = app.staff("olena", &[Role::CaseManager], &app.district_a);
    let created: Vec<String> = (0..7).map(|_| family(&app, &token, None).id()).collect();

    let mut pages = Vec::new();
    let mut seen = Vec::new();
    let mut path = "/api/v1/clients?limit=3".to_owned();
    loop {
        let page = app.get(&path, &token);
        let items = ids(&page);
        pages.push(items.len());
        seen.extend(items);
        match &page.body["next_cursor"] {
            Value::Null => break,
            Value::String(cursor) => path = format!("/api/v1/clients?limit=3&cursor={cursor}"),
            other => panic!("next_cursor is {other:?}"),
        }
        assert!(pages.len() < 5, "the pages do not end: {pages:?}");
    }

    assert_eq!(pages, [3, 3, 1]);
    // Every client once, oldest first.
    assert_eq!(seen, created);
}

#[test]
fn a_page_that_ends_exactly_at_the_last_item_has_no_next_cursor() {
    let app = TestApp::start();
    let token = app.staff("olena", &[Role::CaseManager], &app.district_a);
    for _ in 0..3 {
        family(&app, &token, None);
    }

    let page = app.get("/api/v1/clients?limit=3", &token);

    assert_eq!(ids(&page).len(), 3);
    assert_eq!(page.body["next_cursor"], Value::Null);
}

#[test]
fn a_page_without_limit_holds_everything_up_to_fifty() {
    let app = TestApp::start();
    let token = app.staff("olena", &[Role::CaseManager], &app.district_a);
    for _ in 0..4 {
        family(&app, &token, None);
    }

    let page = app.get("/api/v1/clients", &token);

    assert_eq!(ids(&page).len(), 4);
    assert_eq!(page.body["next_cursor"], Value::Null);
}

/// Four cases in district A: two under case management (one closed), one individual led by a
/// supervisor, and one more for the first client.
struct Cases {
    app: TestApp,
    token: String,
    managed: String,
    closed: String,
    individual: String,
    individual_client: String,
}

fn cases() -> Cases {
    let app = TestApp::start();
    let token = app.staff("olena", &[Role::CaseManager], &app.district_a);
    app.staff("iryna", &[Role::Supervisor], &app.district_a);
    let managed = opened_case(&app, &token, "olena", "case_management");
    let closed = opened_case(&app, &token, "olena", "case_management");
    let individual = opened_case(&app, &token, "iryna", "individual");
    let closed_id = closed["id"].as_str().unwrap().to_owned();
    opora_tests::walk::closure_report(&app, &token, &closed_id, "client_ended_agreement");
    let answer = move_case(
        &app,
        &token,
        &closed_id,
        json!({"from": "opened", "to": "closed", "closure_reason": "client_ended_agreement"}),
    );
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    Cases {
        managed: managed["id"].as_str().unwrap().to_owned(),
        closed: closed_id,
        individual: individual["id"].as_str().unwrap().to_owned(),
        individual_client: individual["client_id"].as_str().unwrap().to_owned(),
        app,
        token,
    }
}

impl Cases {
    fn list(&self, query: &str) -> Vec<String> {
        sorted(ids(&self
            .app
            .get(&format!("/api/v1/cases?{query}"), &self.token)))
    }
}

#[test]
fn cases_filter_by_lifecycle_stage() {
    let c = cases();

    assert_eq!(c.list("lifecycle_stage=closed"), [c.closed.as_str()]);
    assert_eq!(
        c.list("lifecycle_stage=opened"),
        sorted(vec![c.managed.clone(), c.individual.clone()])
    );
    assert!(c.list("lifecycle_stage=planning").is_empty());
}

#[test]
fn cases_filter_by_work_model() {
    let c = cases();

    assert_eq!(c.list("work_model=individual"), [c.individual.as_str()]);
    assert_eq!(
        c.list("work_model=case_management"),
        sorted(vec![c.managed.clone(), c.closed.clone()])
    );
}

#[test]
fn cases_filter_by_key_worker() {
    let c = cases();

    assert_eq!(c.list("key_worker_id=iryna"), [c.individual.as_str()]);
    assert_eq!(
        c.list("key_worker_id=olena"),
        sorted(vec![c.managed.clone(), c.closed.clone()])
    );
    assert!(c.list("key_worker_id=nobody").is_empty());
}

#[test]
fn cases_filter_by_client() {
    let c = cases();

    assert_eq!(
        c.list(&format!("client_id={}", c.individual_client)),
        [c.individual.as_str()]
    );
}

#[test]
fn case_filters_combine() {
    let c = cases();

    assert_eq!(
        c.list("work_model=case_management&lifecycle_stage=opened&key_worker_id=olena"),
        [c.managed.as_str()]
    );
    assert!(c
        .list("work_model=individual&key_worker_id=olena")
        .is_empty());
}

#[test]
fn case_filters_hold_across_pages() {
    let c = cases();

    let first = c
        .app
        .get("/api/v1/cases?work_model=case_management&limit=1", &c.token);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = c.app.get(
        &format!("/api/v1/cases?work_model=case_management&limit=1&cursor={cursor}"),
        &c.token,
    );

    let mut both = ids(&first);
    both.extend(ids(&second));
    assert_eq!(
        sorted(both),
        sorted(vec![c.managed.clone(), c.closed.clone()])
    );
    assert_eq!(second.body["next_cursor"], Value::Null);
}

#[test]
fn reports_filter_by_stage_and_urgency() {
    let app = TestApp::start();
    let token = app.staff("olena", &[Role::CaseManager], &app.district_a);
    let client = family(&app, &token, None).id();
    let new = |urgency: &str| {
        let answer = app.post(
            "/api/v1/intake-reports",
            &token,
            json!({"source": "school", "urgency": urgency, "description": "Absent for two weeks", "client_id": client}),
        );
        assert_eq!(answer.status, 201, "{:?}", answer.body);
        answer.id()
    };
    let urgent = report(&app, &token, Some(&client)).id();
    let routine_at_intake = new("routine");
    let routine_verified = new("routine");
    let emergency = new("emergency");
    let verified = move_report(
        &app,
        &token,
        &routine_verified,
        json!({"from": "intake", "to": "verification"}),
    );
    assert_eq!(verified.status, 200, "{:?}", verified.body);
    let list = |query: &str| {
        sorted(ids(
            &app.get(&format!("/api/v1/intake-reports?{query}"), &token)
        ))
    };

    assert_eq!(list("stage=verification"), [routine_verified.as_str()]);
    assert_eq!(
        list("stage=intake"),
        sorted(vec![
            urgent.clone(),
            routine_at_intake.clone(),
            emergency.clone()
        ])
    );
    assert_eq!(
        list("urgency=routine"),
        sorted(vec![routine_at_intake.clone(), routine_verified.clone()])
    );
    assert_eq!(list("urgency=emergency"), [emergency.as_str()]);
    assert_eq!(list("urgency=urgent"), [urgent.as_str()]);
    assert_eq!(
        list("stage=intake&urgency=routine"),
        [routine_at_intake.as_str()]
    );
    assert!(list("stage=rejected").is_empty());
}
