//! Contacts with the client (seed 003's contact schedule) and success stories: a home visit
//! planned and recorded as held with the child heard, If-Match on the outcome, the held record
//! immutable but for addenda, a missed contact with its reason, filters, scope and roles, the
//! case history; a success story shared with consent until the consent is withdrawn.

use chrono::{Duration, SecondsFormat, Utc};
use opora_domain::Role;
use opora_tests::walk::{move_case, opened_case};
use opora_tests::{Answer, TestApp};
use serde_json::{json, Value};

struct Case {
    app: TestApp,
    manager: String,
    case: String,
    /// The family's child (a member of the case's client).
    child: String,
}

fn case() -> Case {
    let app = TestApp::start();
    let manager = app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    let case = opened_case(&app, &manager, "olena", "case_management");
    let client = app.get(
        &format!("/api/v1/clients/{}", case["client_id"].as_str().unwrap()),
        &manager,
    );
    let child = client.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["is_child"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    Case {
        app,
        manager,
        case: case["id"].as_str().unwrap().to_owned(),
        child,
    }
}

/// A time `days` from now (negative: in the past), as the API writes it.
fn at(days: i64) -> String {
    (Utc::now() + Duration::days(days)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn day(days: i64) -> String {
    (Utc::now() + Duration::days(days))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

fn record(days: i64, child_heard: bool) -> Value {
    json!({
        "occurred_at": at(days),
        "duration_minutes": 60,
        "discussed": "Night care since the grandmother fell ill; school attendance.",
        "agreements": "Mother asks the night-care group for a place this week.",
        "child_seen": true,
        "child_heard": child_heard,
        "child_note": "Daryna spoke alone with the worker: she is afraid at night.",
        "next_steps": "Call the night-care group on Friday."
    })
}

impl Case {
    fn contacts(&self) -> String {
        format!("/api/v1/cases/{}/contacts", self.case)
    }

    fn contact(&self, id: &str) -> String {
        format!("{}/{id}", self.contacts())
    }

    fn plan(&self, kind: &str, days: i64) -> Answer {
        let answer = self.app.post(
            &self.contacts(),
            &self.manager,
            json!({
                "type": kind,
                "status": "planned",
                "scheduled_at": at(days),
                "place": "At home",
                "purpose": "See how the children manage at night",
                "participants": {"member_ids": [self.child], "staff_ids": ["olena"], "others": ["class teacher"]}
            }),
        );
        assert_eq!(answer.status, 201, "{:?}", answer.body);
        answer
    }

    fn etag(&self, id: &str) -> String {
        let answer = self.app.get(&self.contact(id), &self.manager);
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        answer.etag.unwrap()
    }

    fn list(&self, query: &str) -> Vec<String> {
        let answer = self
            .app
            .get(&format!("{}{query}", self.contacts()), &self.manager);
        assert_eq!(answer.status, 200, "{query}: {:?}", answer.body);
        answer
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    }

    fn actions(&self) -> Vec<String> {
        let events = self.app.get(
            &format!("/api/v1/cases/{}/events", self.case),
            &self.manager,
        );
        assert_eq!(events.status, 200, "{:?}", events.body);
        events
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect()
    }
}

#[test]
fn a_home_visit_is_planned_then_recorded_as_held_with_the_child_heard() {
    let c = case();
    let planned = c.plan("home_visit", 2);
    assert_eq!(planned.body["status"], "planned");
    assert_eq!(planned.body["type"], "home_visit");
    assert_eq!(planned.body["record"], Value::Null);
    assert_eq!(planned.etag.as_deref(), Some("\"v1\""));
    let participants = &planned.body["participants"];
    assert_eq!(participants["members"][0]["member_id"], c.child.as_str());
    assert_eq!(participants["members"][0]["full_name"], "Daryna Shevchenko");
    assert_eq!(participants["staff_ids"], json!(["olena"]));
    assert_eq!(participants["others"], json!(["class teacher"]));

    let id = planned.id();
    let etag = c.etag(&id);
    let held = c.app.patch(
        &c.contact(&id),
        &c.manager,
        Some(&etag),
        json!({"status": "held", "record": record(0, true),
               "participants": {"member_ids": [c.child], "staff_ids": ["olena"]}}),
    );

    assert_eq!(held.status, 200, "{:?}", held.body);
    assert_eq!(held.etag.as_deref(), Some("\"v2\""));
    assert_eq!(held.body["status"], "held");
    assert_eq!(held.body["version"], 2);
    assert_eq!(held.body["record"]["child_seen"], true);
    assert_eq!(held.body["record"]["child_heard"], true);
    assert_eq!(held.body["record"]["duration_minutes"], 60);
    assert_eq!(held.body["recorded_by"], "olena");
    assert_eq!(held.body["participants"]["others"], json!([]));
    assert_eq!(held.body["at"], held.body["record"]["occurred_at"]);
    let read = c.app.get(&c.contact(&id), &c.manager);
    assert_eq!(read.body, held.body);
}

#[test]
fn a_contact_taken_place_is_recorded_as_held_at_once() {
    let c = case();
    let held = c.app.post(
        &c.contacts(),
        &c.manager,
        json!({"type": "phone_call", "status": "held", "record": record(-1, false),
               "participants": {"member_ids": [c.child]}}),
    );
    assert_eq!(held.status, 201, "{:?}", held.body);
    assert_eq!(held.body["status"], "held");
    assert_eq!(held.body["scheduled_at"], Value::Null);
    assert_eq!(held.body["record"]["child_heard"], false);
}

#[test]
fn recording_an_outcome_needs_if_match_and_refuses_a_stale_one() {
    let c = case();
    let id = c.plan("home_visit", 2).id();
    let outcome = json!({"status": "held", "record": record(0, true)});

    let without = c
        .app
        .patch(&c.contact(&id), &c.manager, None, outcome.clone());
    assert_eq!(without.status, 428, "{:?}", without.body);
    assert_eq!(without.problem_kind(), "precondition-required");

    let first = c.etag(&id);
    let moved = c.app.patch(
        &c.contact(&id),
        &c.manager,
        Some(&first),
        json!({"scheduled_at": at(3), "place": "At the grandmother's"}),
    );
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    assert_eq!(moved.body["status"], "planned");
    assert_eq!(moved.body["place"], "At the grandmother's");

    let stale = c
        .app
        .patch(&c.contact(&id), &c.manager, Some(&first), outcome.clone());
    assert_eq!(stale.status, 412, "{:?}", stale.body);
    assert_eq!(stale.etag, moved.etag);
    assert_eq!(
        c.app.get(&c.contact(&id), &c.manager).body["status"],
        "planned"
    );
    let fresh = c
        .app
        .patch(&c.contact(&id), &c.manager, moved.etag.as_deref(), outcome);
    assert_eq!(fresh.status, 200, "{:?}", fresh.body);
}

#[test]
fn a_held_record_is_immutable_and_takes_addenda() {
    let c = case();
    let id = c.plan("office_visit", 1).id();
    let addenda = format!("{}/addenda", c.contact(&id));
    let early = c
        .app
        .post(&addenda, &c.manager, json!({"text": "Not yet held"}));
    assert_eq!(early.status, 409, "{:?}", early.body);

    let held = c.app.patch(
        &c.contact(&id),
        &c.manager,
        Some(&c.etag(&id)),
        json!({"status": "held", "record": record(0, true)}),
    );
    assert_eq!(held.status, 200, "{:?}", held.body);

    let changed = c.app.patch(
        &c.contact(&id),
        &c.manager,
        held.etag.as_deref(),
        json!({"purpose": "Rewritten afterwards"}),
    );
    assert_eq!(changed.status, 409, "{:?}", changed.body);
    assert!(changed.body["detail"]
        .as_str()
        .unwrap()
        .contains("addendum"));
    let again = c.app.patch(
        &c.contact(&id),
        &c.manager,
        held.etag.as_deref(),
        json!({"status": "cancelled", "reason": "never mind"}),
    );
    assert_eq!(again.status, 409, "{:?}", again.body);

    let added = c.app.post(
        &addenda,
        &c.manager,
        json!({"text": "Correction: the grandmother came for the last 20 minutes."}),
    );
    assert_eq!(added.status, 201, "{:?}", added.body);
    assert_eq!(added.body["addenda"].as_array().unwrap().len(), 1);
    assert_eq!(
        added.body["addenda"][0]["text"],
        "Correction: the grandmother came for the last 20 minutes."
    );
    assert_eq!(added.body["record"], held.body["record"]);
    assert_eq!(added.body["version"], 3);
    let empty = c.app.post(&addenda, &c.manager, json!({"text": ""}));
    assert_eq!(empty.status, 422);
    assert_eq!(empty.fields_at_fault(), ["text"]);
}

#[test]
fn a_missed_contact_says_why_and_only_once_its_time_has_come() {
    let c = case();
    let past = c.plan("home_visit", -1).id();
    let no_reason = c.app.patch(
        &c.contact(&past),
        &c.manager,
        Some(&c.etag(&past)),
        json!({"status": "missed"}),
    );
    assert_eq!(no_reason.status, 422, "{:?}", no_reason.body);
    assert_eq!(no_reason.fields_at_fault(), ["reason"]);

    let missed = c.app.patch(
        &c.contact(&past),
        &c.manager,
        Some(&c.etag(&past)),
        json!({"status": "missed", "reason": "Nobody at home; note left in the letterbox."}),
    );
    assert_eq!(missed.status, 200, "{:?}", missed.body);
    assert_eq!(missed.body["status"], "missed");
    assert_eq!(
        missed.body["outcome_reason"],
        "Nobody at home; note left in the letterbox."
    );
    assert_eq!(missed.body["record"], Value::Null);

    let future = c.plan("home_visit", 5).id();
    let too_early = c.app.patch(
        &c.contact(&future),
        &c.manager,
        Some(&c.etag(&future)),
        json!({"status": "missed", "reason": "Will be away"}),
    );
    assert_eq!(too_early.status, 422, "{:?}", too_early.body);
    let cancelled = c.app.patch(
        &c.contact(&future),
        &c.manager,
        Some(&c.etag(&future)),
        json!({"status": "cancelled", "reason": "The family is away that week."}),
    );
    assert_eq!(cancelled.status, 200, "{:?}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");
}

#[test]
fn invalid_contacts_name_the_field_at_fault() {
    let c = case();
    for (body, field) in [
        (
            json!({"type": "home_visit", "status": "missed", "scheduled_at": at(1)}),
            "status",
        ),
        (
            json!({"type": "home_visit", "status": "planned"}),
            "scheduled_at",
        ),
        (json!({"type": "home_visit", "status": "held"}), "record"),
        (
            json!({"type": "home_visit", "status": "planned", "scheduled_at": at(1), "record": record(0, true)}),
            "record",
        ),
        (
            json!({"type": "carrier_pigeon", "status": "planned", "scheduled_at": at(1)}),
            "type",
        ),
        (
            json!({"type": "home_visit", "status": "held", "record": record(3, true)}),
            "record.occurred_at",
        ),
        (
            json!({"type": "home_visit", "status": "planned", "scheduled_at": at(1),
                   "participants": {"member_ids": ["no-such-member"]}}),
            "participants.member_ids[0]",
        ),
        (
            json!({"type": "home_visit", "status": "planned", "scheduled_at": at(1),
                   "participants": {"staff_ids": ["nobody"]}}),
            "participants.staff_ids[0]",
        ),
        (
            json!({"type": "home_visit", "status": "planned", "scheduled_at": at(1), "mood": "good"}),
            "mood",
        ),
    ] {
        let answer = c.app.post(&c.contacts(), &c.manager, body.clone());
        assert_eq!(answer.status, 422, "{body}: {:?}", answer.body);
        assert_eq!(answer.fields_at_fault(), [field], "{body}");
    }
    assert!(c.list("").is_empty());
}

#[test]
fn the_list_filters_by_status_type_and_dates() {
    let c = case();
    let visit = c.plan("home_visit", 10).id();
    let call = c.app.post(
        &c.contacts(),
        &c.manager,
        json!({"type": "phone_call", "status": "held", "record": record(-3, false)}),
    );
    assert_eq!(call.status, 201, "{:?}", call.body);
    let call = call.id();
    let office = c.plan("office_visit", 2).id();

    assert_eq!(c.list(""), [call.clone(), office.clone(), visit.clone()]);
    assert_eq!(c.list("?status=planned"), [office.clone(), visit.clone()]);
    assert_eq!(c.list("?status=held"), [call.as_str()]);
    assert_eq!(c.list("?type=home_visit"), [visit.as_str()]);
    assert_eq!(
        c.list(&format!("?from={}", day(0))),
        [office.clone(), visit.clone()]
    );
    assert_eq!(
        c.list(&format!("?from={}&to={}", day(-3), day(2))),
        [call.clone(), office.clone()]
    );
    assert_eq!(c.list(&format!("?to={}", day(-3))), [call]);
    assert_eq!(
        c.list(&format!("?status=planned&type=office_visit&to={}", day(2))),
        [office]
    );

    let unknown = c
        .app
        .get(&format!("{}?status=late", c.contacts()), &c.manager);
    assert_eq!(unknown.status, 422, "{:?}", unknown.body);
    assert_eq!(unknown.fields_at_fault(), ["status"]);
    let reversed = c.app.get(
        &format!("{}?from={}&to={}", c.contacts(), day(2), day(0)),
        &c.manager,
    );
    assert_eq!(reversed.status, 422, "{:?}", reversed.body);
    let unreadable = c
        .app
        .get(&format!("{}?from=yesterday", c.contacts()), &c.manager);
    assert_eq!(unreadable.status, 400, "{:?}", unreadable.body);
}

#[test]
fn another_district_sees_nothing_and_an_auditor_writes_nothing() {
    let c = case();
    let id = c.plan("home_visit", 1).id();
    let story = c.app.post(
        &format!("/api/v1/cases/{}/success-stories", c.case),
        &c.manager,
        json!({"title": "t", "story": "s", "written_by": "olena", "written_on": day(0),
               "consent": {"given_on": day(0), "given_by": "Oksana", "scope": "internal"}}),
    );
    assert_eq!(story.status, 201, "{:?}", story.body);
    let stories = format!("/api/v1/cases/{}/success-stories", c.case);
    let withdrawal = format!("{stories}/{}/consent-withdrawal", story.id());

    let other = c
        .app
        .staff("petro", &[Role::Supervisor], &c.app.district_b.clone());
    for answer in [
        c.app.get(&c.contacts(), &other),
        c.app.get(&c.contact(&id), &other),
        c.app.post(
            &c.contacts(),
            &other,
            json!({"type": "home_visit", "status": "planned", "scheduled_at": at(1)}),
        ),
        c.app.patch(
            &c.contact(&id),
            &other,
            Some("\"v1\""),
            json!({"status": "cancelled", "reason": "x"}),
        ),
        c.app.post(
            &format!("{}/addenda", c.contact(&id)),
            &other,
            json!({"text": "x"}),
        ),
        c.app.get(&stories, &other),
        c.app.post(&withdrawal, &other, json!({})),
    ] {
        assert_eq!(answer.status, 404, "{:?}", answer.body);
        assert_eq!(answer.problem_kind(), "not-found");
    }

    let auditor = c.app.staff("anna", &[Role::Auditor], &c.app.centre.clone());
    assert_eq!(c.app.get(&c.contacts(), &auditor).status, 200);
    assert_eq!(c.app.get(&c.contact(&id), &auditor).status, 200);
    assert_eq!(c.app.get(&stories, &auditor).status, 200);
    for answer in [
        c.app.post(
            &c.contacts(),
            &auditor,
            json!({"type": "home_visit", "status": "planned", "scheduled_at": at(1)}),
        ),
        c.app.patch(
            &c.contact(&id),
            &auditor,
            Some("\"v1\""),
            json!({"status": "cancelled", "reason": "x"}),
        ),
        c.app.post(
            &format!("{}/addenda", c.contact(&id)),
            &auditor,
            json!({"text": "x"}),
        ),
        c.app.post(
            &stories,
            &auditor,
            json!({"title": "t", "story": "s", "written_by": "anna", "written_on": day(0)}),
        ),
        c.app.post(&withdrawal, &auditor, json!({})),
    ] {
        assert_eq!(answer.status, 403, "{:?}", answer.body);
        assert_eq!(answer.problem_kind(), "forbidden");
    }
    assert_eq!(
        c.app.get(&c.contact(&id), &c.manager).body["status"],
        "planned"
    );
}

#[test]
fn contacts_are_recorded_only_while_the_case_is_active_but_stay_readable() {
    let c = case();
    let id = c.plan("home_visit", 1).id();
    opora_tests::walk::closure_report(&c.app, &c.manager, &c.case, "moved_away");
    let closed = move_case(
        &c.app,
        &c.manager,
        &c.case,
        json!({"from": "opened", "to": "closed", "closure_reason": "moved_away", "reason": "Moved to Lviv"}),
    );
    assert_eq!(closed.status, 200, "{:?}", closed.body);

    let new = c.app.post(
        &c.contacts(),
        &c.manager,
        json!({"type": "home_visit", "status": "planned", "scheduled_at": at(1)}),
    );
    assert_eq!(new.status, 409, "{:?}", new.body);
    let outcome = c.app.patch(
        &c.contact(&id),
        &c.manager,
        Some(&c.etag(&id)),
        json!({"status": "cancelled", "reason": "moved away"}),
    );
    assert_eq!(outcome.status, 409, "{:?}", outcome.body);
    assert_eq!(c.list(""), [id]);
}

#[test]
fn every_change_is_in_the_case_history_and_reads_are_audited() {
    let c = case();
    let id = c.plan("home_visit", 1).id();
    let held = c.app.patch(
        &c.contact(&id),
        &c.manager,
        Some(&c.etag(&id)),
        json!({"status": "held", "record": record(0, true)}),
    );
    assert_eq!(held.status, 200, "{:?}", held.body);
    let added = c.app.post(
        &format!("{}/addenda", c.contact(&id)),
        &c.manager,
        json!({"text": "Addendum"}),
    );
    assert_eq!(added.status, 201);
    let missed = c.plan("phone_call", -1).id();
    let answer = c.app.patch(
        &c.contact(&missed),
        &c.manager,
        Some(&c.etag(&missed)),
        json!({"status": "missed", "reason": "No answer"}),
    );
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    c.list("");

    let actions = c.actions();
    for action in [
        "contact.planned",
        "contact.held",
        "contact.addendum_added",
        "contact.missed",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} missing from {actions:?}"
        );
    }
    let events = c
        .app
        .get(&format!("/api/v1/cases/{}/events", c.case), &c.manager);
    let missed_event = events
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "contact.missed")
        .unwrap();
    assert_eq!(missed_event["reason"], "No answer");
    assert_eq!(missed_event["actor_id"], "olena");
    assert_eq!(missed_event["details"]["contact_id"], missed.as_str());

    let auditor = c
        .app
        .staff("anna", &[Role::Auditor], &c.app.district_a.clone());
    let audit = c.app.get(
        &format!("/api/v1/audit/entries?subject_id={}&limit=200", c.case),
        &auditor,
    );
    assert_eq!(audit.status, 200, "{:?}", audit.body);
    let audited: Vec<&str> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "case_contacts.viewed",
        "case_contact.viewed",
        "contact.held",
        "contact.addendum_added",
    ] {
        assert!(
            audited.contains(&action),
            "{action} missing from {audited:?}"
        );
    }
}

#[test]
fn a_success_story_is_shareable_with_consent_until_it_is_withdrawn() {
    let c = case();
    let stories = format!("/api/v1/cases/{}/success-stories", c.case);
    let shared = c.app.post(
        &stories,
        &c.manager,
        json!({
            "title": "Nights are no longer frightening",
            "story": "When we met the family, the children were alone every night ...",
            "written_by": "Olena Kovalenko, case manager",
            "written_on": day(0),
            "consent": {"given_on": day(-1), "given_by": "Oksana Shevchenko (mother)", "scope": "anonymised_publication"}
        }),
    );
    assert_eq!(shared.status, 201, "{:?}", shared.body);
    assert_eq!(shared.body["shareable"], true);
    assert_eq!(shared.body["consent"]["scope"], "anonymised_publication");
    assert_eq!(shared.body["consent"]["withdrawn_on"], Value::Null);

    let withdrawal = format!("{stories}/{}/consent-withdrawal", shared.id());
    let before_consent = c
        .app
        .post(&withdrawal, &c.manager, json!({"withdrawn_on": day(-2)}));
    assert_eq!(before_consent.status, 422, "{:?}", before_consent.body);
    let withdrawn = c.app.post(
        &withdrawal,
        &c.manager,
        json!({"reason": "The family does not want the story told."}),
    );
    assert_eq!(withdrawn.status, 200, "{:?}", withdrawn.body);
    assert_eq!(withdrawn.body["shareable"], false);
    assert_eq!(withdrawn.body["consent"]["withdrawn_on"], day(0).as_str());
    let twice = c.app.post(&withdrawal, &c.manager, json!({}));
    assert_eq!(twice.status, 409, "{:?}", twice.body);

    let private = c.app.post(
        &stories,
        &c.manager,
        json!({"title": "Internal note", "story": "Told at supervision.", "written_by": "Olena", "written_on": day(0)}),
    );
    assert_eq!(private.status, 201, "{:?}", private.body);
    assert_eq!(private.body["shareable"], false);
    assert_eq!(private.body["consent"], Value::Null);
    let nothing = c.app.post(
        &format!("{stories}/{}/consent-withdrawal", private.id()),
        &c.manager,
        json!({}),
    );
    assert_eq!(nothing.status, 409, "{:?}", nothing.body);

    let list = c.app.get(&stories, &c.manager);
    assert_eq!(list.status, 200);
    let listed = list.body.as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["id"], shared.id().as_str());
    assert_eq!(listed[0]["shareable"], false);
    assert_eq!(
        listed[0]["story"],
        "When we met the family, the children were alone every night ..."
    );
    let actions = c.actions();
    assert!(actions.iter().any(|a| a == "success_story.recorded"));
    assert!(actions
        .iter()
        .any(|a| a == "success_story.consent_withdrawn"));
}

#[test]
fn contacts_and_stories_are_exported_and_pseudonymised_with_the_client() {
    let c = case();
    let id = c.plan("home_visit", 1).id();
    let held = c.app.patch(
        &c.contact(&id),
        &c.manager,
        Some(&c.etag(&id)),
        json!({"status": "held", "record": record(0, true),
               "participants": {"member_ids": [c.child], "others": ["Aunt Halyna"]}}),
    );
    assert_eq!(held.status, 200, "{:?}", held.body);
    let stories = format!("/api/v1/cases/{}/success-stories", c.case);
    let story = c.app.post(
        &stories,
        &c.manager,
        json!({"title": "Daryna sleeps at home again", "story": "Daryna and her mother ...",
               "written_by": "Oksana Shevchenko", "written_on": day(0),
               "consent": {"given_on": day(0), "given_by": "Oksana Shevchenko", "scope": "internal"}}),
    );
    assert_eq!(story.status, 201, "{:?}", story.body);
    let client = c
        .app
        .get(&format!("/api/v1/cases/{}", c.case), &c.manager)
        .body["client_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let supervisor = c
        .app
        .staff("iryna", &[Role::Supervisor], &c.app.district_a.clone());
    let export = c
        .app
        .get(&format!("/api/v1/clients/{client}/export"), &supervisor);
    assert_eq!(export.status, 200, "{:?}", export.body);
    assert_eq!(export.body["contacts"][0]["contact"]["id"], id.as_str());
    assert_eq!(
        export.body["contacts"][0]["participants"][1]["name"],
        "Aunt Halyna"
    );
    assert_eq!(export.body["success_stories"][0]["id"], story.id().as_str());

    opora_tests::walk::closure_report(&c.app, &c.manager, &c.case, "moved_away");
    let closed = move_case(
        &c.app,
        &c.manager,
        &c.case,
        json!({"from": "opened", "to": "closed", "closure_reason": "moved_away"}),
    );
    assert_eq!(closed.status, 200, "{:?}", closed.body);
    let cutoff = Utc::now().naive_utc() + Duration::days(1);
    c.app.store.run_retention(cutoff, false).unwrap();

    let contacts = c.app.get(&c.contacts(), &c.manager).body.to_string();
    let stories = c.app.get(&stories, &c.manager).body.to_string();
    for text in [&contacts, &stories] {
        for name in ["Daryna", "Shevchenko", "Halyna", "afraid at night"] {
            assert!(!text.contains(name), "{name} survives in {text}");
        }
    }
    assert!(contacts.contains("Member 2"), "{contacts}");
}
