//! The duplicate check: before registering a client, staff search by name and date of birth, and
//! registering someone who looks like a person on record answers with a warning. Matching folds
//! case, spacing, diacritics, Cyrillic/Latin transliteration and Ukrainian/Russian name forms; a
//! match in a unit the caller does not see names only that unit.

use opora_domain::Role;
use opora_tests::{Answer, TestApp};
use serde_json::{json, Value};

const CHECK: &str = "/api/v1/clients/duplicate-check";

fn manager(app: &TestApp) -> String {
    app.staff("olena", &[Role::CaseManager], &app.district_a)
}

fn person(app: &TestApp, token: &str, name: &str, date_of_birth: Option<&str>) -> Answer {
    let answer = app.post(
        "/api/v1/clients",
        token,
        json!({"kind": "person", "display_name": name, "date_of_birth": date_of_birth}),
    );
    assert_eq!(answer.status, 201, "{:?}", answer.body);
    answer
}

fn check(app: &TestApp, token: &str, body: Value) -> Vec<Value> {
    let answer = app.post(CHECK, token, body);
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert!(answer.content_type.starts_with("application/json"));
    answer.body["candidates"].as_array().unwrap().clone()
}

fn client_ids(candidates: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = candidates
        .iter()
        .map(|c| c["client_id"].as_str().unwrap_or("").to_owned())
        .collect();
    ids.sort();
    ids
}

#[test]
fn the_four_spellings_of_one_name_find_each_other() {
    let app = TestApp::start();
    let token = manager(&app);
    let cyrillic = person(&app, &token, "Олександр Шевченко", Some("1984-02-29")).id();

    for spelling in [
        "Oleksandr Shevchenko",
        "Aleksandr Shevchenko",
        "OLEKSANDR ŠEVČENKO",
        "Олександр Шевченко",
        "  олександр   ШЕВЧЕНКО ",
    ] {
        let found = check(&app, &token, json!({"full_name": spelling}));
        assert_eq!(client_ids(&found), vec![cyrillic.clone()], "{spelling}");
        let c = &found[0];
        assert_eq!(c["visible"], true);
        assert_eq!(c["name"], "Олександр Шевченко");
        assert_eq!(c["name_match"], "exact");
        assert_eq!(c["unit_id"], app.district_a.as_str());
        assert_eq!(c["unit_name"], "District A");
        assert_eq!(c["member_id"], Value::Null);
    }

    // And the other way round: a client registered in Czech transliteration is found by the
    // Cyrillic and the Russian forms.
    let czech = person(&app, &token, "OLEKSANDR ŠEVČENKO", None).id();
    let mut both = vec![cyrillic.clone(), czech.clone()];
    both.sort();
    for spelling in ["Александр Шевченко", "Aleksandr Shevchenko"] {
        let found = check(&app, &token, json!({"full_name": spelling}));
        assert_eq!(client_ids(&found), both, "{spelling}");
    }
}

#[test]
fn word_order_does_not_matter() {
    let app = TestApp::start();
    let token = manager(&app);
    let id = person(&app, &token, "Oleksandr Shevchenko", None).id();

    for spelling in [
        "Shevchenko Oleksandr",
        "Шевченко Олександр",
        "ŠEVČENKO, Oleksandr",
    ] {
        let found = check(&app, &token, json!({"full_name": spelling}));
        assert_eq!(client_ids(&found), vec![id.clone()], "{spelling}");
    }
}

#[test]
fn different_names_do_not_match() {
    let app = TestApp::start();
    let token = manager(&app);
    person(&app, &token, "Олександр Шевченко", None);
    person(&app, &token, "Olena Kovalenko", None);

    for other in [
        "Олександр Шевчук",
        "Oleksandr Shevchuk",
        "Oleh Kovalenko",
        "Петро Шевченко",
    ] {
        assert_eq!(
            check(&app, &token, json!({"full_name": other})),
            Vec::<Value>::new(),
            "{other}"
        );
    }
}

#[test]
fn a_family_member_matches_and_is_named() {
    let app = TestApp::start();
    let token = manager(&app);
    let family = app.post(
        "/api/v1/clients",
        &token,
        json!({
            "kind": "family",
            "display_name": "Kovalenko family",
            "members": [
                {"full_name": "Iryna Kovalenko", "relation": "head", "date_of_birth": "1987-01-20", "is_child": false},
                {"full_name": "Daryna Kovalenko", "relation": "child", "date_of_birth": "2015-09-01", "is_child": true}
            ]
        }),
    );
    assert_eq!(family.status, 201, "{:?}", family.body);
    let daryna = family.body["members"][1]["id"].as_str().unwrap().to_owned();

    let found = check(
        &app,
        &token,
        json!({"full_name": "Дарина Коваленко", "date_of_birth": "2015-09-01"}),
    );

    assert_eq!(found.len(), 1, "{found:?}");
    let c = &found[0];
    assert_eq!(c["client_id"], family.id().as_str());
    assert_eq!(c["client_kind"], "family");
    assert_eq!(c["client_display_name"], "Kovalenko family");
    assert_eq!(c["member_id"], daryna.as_str());
    assert_eq!(c["name"], "Daryna Kovalenko");
    assert_eq!(c["date_of_birth"], "2015-09-01");
    assert_eq!(c["same_date_of_birth"], true);
}

#[test]
fn a_known_date_of_birth_that_differs_rules_a_candidate_out() {
    let app = TestApp::start();
    let token = manager(&app);
    let dated = person(&app, &token, "Ivan Petrenko", Some("1961-05-02")).id();
    let undated = person(&app, &token, "Іван Петренко", None).id();

    // Same date: the dated record is in, and ranked first; the undated one stays a candidate.
    let found = check(
        &app,
        &token,
        json!({"full_name": "Ivan Petrenko", "date_of_birth": "1961-05-02"}),
    );
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0]["client_id"], dated.as_str());
    assert_eq!(found[0]["same_date_of_birth"], true);
    assert_eq!(found[1]["client_id"], undated.as_str());
    assert_eq!(found[1]["same_date_of_birth"], false);

    // Another date: the dated record is out.
    let found = check(
        &app,
        &token,
        json!({"full_name": "Ivan Petrenko", "date_of_birth": "1970-01-01"}),
    );
    assert_eq!(client_ids(&found), vec![undated.clone()]);

    // No date given: both, neither with a confirmed date.
    let found = check(&app, &token, json!({"full_name": "Ivan Petrenko"}));
    let mut both = vec![dated, undated];
    both.sort();
    assert_eq!(client_ids(&found), both);
    assert!(found.iter().all(|c| c["same_date_of_birth"] == false));
}

#[test]
fn a_similar_name_matches_by_one_letter_or_a_patronymic() {
    let app = TestApp::start();
    let token = manager(&app);
    let id = person(&app, &token, "Шевченко Олександр Петрович", None).id();

    for (spelling, kind) in [
        ("Oleksandr Shevchenko", "similar"),
        ("Oleksandr Petrovych Shevchenka", "similar"),
        ("Шевченко Олександр Петрович", "exact"),
    ] {
        let found = check(&app, &token, json!({"full_name": spelling}));
        assert_eq!(client_ids(&found), vec![id.clone()], "{spelling}");
        assert_eq!(found[0]["name_match"], kind, "{spelling}");
    }
}

#[test]
fn a_match_in_another_district_names_only_that_unit() {
    let app = TestApp::start();
    let token = manager(&app);
    let b_manager = app.staff("bohdan", &[Role::CaseManager], &app.district_b);
    let hidden = person(&app, &b_manager, "Oksana Melnyk", Some("1990-07-12")).id();

    let answer = app.post(
        CHECK,
        &token,
        json!({"full_name": "Оксана Мельник", "date_of_birth": "1990-07-12"}),
    );

    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let found = answer.body["candidates"].as_array().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    let c = &found[0];
    assert_eq!(c["visible"], false);
    assert_eq!(c["unit_id"], app.district_b.as_str());
    assert_eq!(c["unit_name"], "District B");
    for field in [
        "client_id",
        "client_kind",
        "client_display_name",
        "member_id",
        "name",
        "date_of_birth",
        "name_match",
        "same_date_of_birth",
    ] {
        assert_eq!(c[field], Value::Null, "{field}");
    }
    let text = answer.body.to_string();
    for secret in [hidden.as_str(), "Oksana", "Melnyk", "1990-07-12"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }

    // Another date of birth rules it out there too.
    assert!(check(
        &app,
        &token,
        json!({"full_name": "Оксана Мельник", "date_of_birth": "1991-07-12"})
    )
    .is_empty());

    // A supervisor of the centre sees both districts, so sees the record.
    let centre = app.staff("svitlana", &[Role::Supervisor], &app.centre);
    let found = check(&app, &centre, json!({"full_name": "Oksana Melnyk"}));
    assert_eq!(client_ids(&found), vec![hidden]);
    assert_eq!(found[0]["visible"], true);
}

#[test]
fn several_hidden_matches_in_one_unit_are_one_entry() {
    let app = TestApp::start();
    let token = manager(&app);
    let b_manager = app.staff("bohdan", &[Role::CaseManager], &app.district_b);
    person(&app, &b_manager, "Oksana Melnyk", Some("1990-07-12"));
    person(&app, &b_manager, "Оксана Мельник", Some("1990-07-12"));
    let mine = person(&app, &token, "Oksana Melnyk", None).id();

    let found = check(
        &app,
        &token,
        json!({"full_name": "Oksana Melnyk", "date_of_birth": "1990-07-12"}),
    );

    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0]["client_id"], mine.as_str());
    assert_eq!(found[1]["visible"], false);
    assert_eq!(found[1]["unit_id"], app.district_b.as_str());
}

#[test]
fn registering_a_likely_duplicate_answers_with_a_warning() {
    let app = TestApp::start();
    let token = manager(&app);
    let first = person(&app, &token, "Ivan Petrenko", Some("1961-05-02"));
    assert_eq!(first.body["duplicate_warning"], Value::Null);
    assert_eq!(first.body["display_name"], "Ivan Petrenko");

    let second = person(&app, &token, "ПЕТРЕНКО Іван", Some("1961-05-02"));

    // Registered as asked, with Location and ETag as always.
    assert_eq!(second.body["display_name"], "ПЕТРЕНКО Іван");
    assert!(second.location.is_some() && second.etag.is_some());
    let warning = &second.body["duplicate_warning"]["candidates"];
    assert_eq!(
        warning.as_array().map(Vec::len),
        Some(1),
        "{:?}",
        second.body
    );
    assert_eq!(warning[0]["client_id"], first.id().as_str());
    assert_eq!(warning[0]["same_date_of_birth"], true);

    // A different date of birth: no warning.
    let third = person(&app, &token, "Ivan Petrenko", Some("1999-12-31"));
    assert_eq!(third.body["duplicate_warning"], Value::Null);

    // A family whose member is already on record as a person.
    let family = app.post(
        "/api/v1/clients",
        &token,
        json!({
            "kind": "family",
            "display_name": "Petrenko family",
            "members": [
                {"full_name": "Іван Петренко", "relation": "head", "date_of_birth": "1961-05-02", "is_child": false}
            ]
        }),
    );
    assert_eq!(family.status, 201, "{:?}", family.body);
    let ids = client_ids(
        family.body["duplicate_warning"]["candidates"]
            .as_array()
            .unwrap(),
    );
    let mut expected = vec![first.id(), second.id()];
    expected.sort();
    assert_eq!(ids, expected);
    // The warning is not part of the stored client.
    let read = app.get(family.location.as_deref().unwrap(), &token);
    assert!(read.body.get("duplicate_warning").is_none());
}

#[test]
fn a_renamed_client_is_found_by_the_new_name_only() {
    let app = TestApp::start();
    let token = manager(&app);
    let created = person(&app, &token, "Ivan Petrenko", None);
    let renamed = app.patch(
        &format!("/api/v1/clients/{}", created.id()),
        &token,
        created.etag.as_deref(),
        json!({"display_name": "Taras Bondarenko"}),
    );
    assert_eq!(renamed.status, 200, "{:?}", renamed.body);

    assert_eq!(
        client_ids(&check(
            &app,
            &token,
            json!({"full_name": "Тарас Бондаренко"})
        )),
        vec![created.id()]
    );
    assert!(check(&app, &token, json!({"full_name": "Ivan Petrenko"})).is_empty());
}

#[test]
fn the_search_is_audited_with_the_folded_name_only() {
    let app = TestApp::start();
    let token = manager(&app);
    let auditor = app.staff("anna", &[Role::Auditor], &app.centre);
    check(
        &app,
        &token,
        json!({"full_name": "Олександр Шевченко", "date_of_birth": "1984-02-29"}),
    );

    let entries = app.get(
        "/api/v1/audit/entries?action=client.duplicate_search",
        &auditor,
    );

    assert_eq!(entries.status, 200, "{:?}", entries.body);
    let items = entries.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["actor_id"], "olena");
    assert_eq!(items[0]["payload"]["keys"], json!(["oleksandr shevchenko"]));
    assert_eq!(items[0]["payload"]["date_of_birth_given"], true);
    let payload = items[0]["payload"].to_string();
    assert!(
        !payload.contains("Шевченко") && !payload.contains("1984-02-29"),
        "{payload}"
    );
}

#[test]
fn only_those_who_register_clients_may_check() {
    let app = TestApp::start();
    for (id, role, status) in [
        ("ivanka", Role::IntakeOfficer, 200),
        ("olena", Role::CaseManager, 200),
        ("svitlana", Role::Supervisor, 200),
        ("anna", Role::Auditor, 403),
        ("serhii", Role::Specialist, 403),
    ] {
        let token = app.staff(id, &[role], &app.district_a);
        let answer = app.post(CHECK, &token, json!({"full_name": "Oleksandr Shevchenko"}));
        assert_eq!(answer.status, status, "{role}: {:?}", answer.body);
        if status == 403 {
            assert_eq!(answer.content_type, "application/problem+json");
        }
    }
    let answer = app.send(
        "POST",
        CHECK,
        None,
        &[],
        Some(&json!({"full_name": "Oleksandr Shevchenko"})),
    );
    assert_eq!(answer.status, 401);
}

#[test]
fn a_missing_or_empty_name_is_unprocessable() {
    let app = TestApp::start();
    let token = manager(&app);
    for (body, field) in [
        (json!({}), "full_name"),
        (json!({"date_of_birth": "1984-02-29"}), "full_name"),
        (json!({"full_name": ""}), "full_name"),
        (json!({"full_name": " -- "}), "full_name"),
        (json!({"full_name": "x".repeat(201)}), "full_name"),
        (
            json!({"full_name": "Oleksandr Shevchenko", "date_of_birth": "29.02.1984"}),
            "date_of_birth",
        ),
    ] {
        let answer = app.post(CHECK, &token, body.clone());
        assert_eq!(answer.status, 422, "{body}: {:?}", answer.body);
        assert_eq!(answer.content_type, "application/problem+json");
        assert_eq!(answer.fields_at_fault(), vec![field.to_owned()], "{body}");
    }
    // Search terms are never taken from the URL.
    let answer = app.send(
        "GET",
        &format!("{CHECK}?full_name=Shevchenko"),
        Some(&token),
        &[],
        None,
    );
    assert!(
        answer.status == 404 || answer.status == 405,
        "{}",
        answer.status
    );
}

// Issue 9, finding 7: the duplicate check is not an oracle.

#[test]
fn outside_the_scope_only_the_exact_name_and_full_date_of_birth_match_and_only_those_who_open_cases_learn_where(
) {
    let app = TestApp::start();
    let token = manager(&app);
    let intake = app.staff("ivan", &[Role::IntakeOfficer], &app.district_a);
    let b_manager = app.staff("bohdan", &[Role::CaseManager], &app.district_b);
    person(&app, &b_manager, "Taras Bondar", Some("2014-05-06"));

    // A similar name, or no date, finds nothing outside the scope.
    for probe in [
        json!({"full_name": "Taras Bondar"}),
        json!({"full_name": "Taras Bondal", "date_of_birth": "2014-05-06"}),
        json!({"full_name": "Taras Bondar", "date_of_birth": "2014-05-07"}),
    ] {
        assert!(check(&app, &intake, probe.clone()).is_empty(), "{probe}");
    }
    let exact = json!({"full_name": "Тарас Бондар", "date_of_birth": "2014-05-06"});
    let for_intake = check(&app, &intake, exact.clone());
    assert_eq!(for_intake.len(), 1, "{for_intake:?}");
    assert_eq!(for_intake[0]["visible"], false);
    assert_eq!(for_intake[0]["unit_id"], Value::Null);
    assert_eq!(for_intake[0]["unit_name"], Value::Null);
    let for_manager = check(&app, &token, exact);
    assert_eq!(for_manager[0]["unit_id"], app.district_b.as_str());
}

#[test]
fn each_caller_has_an_hourly_budget_of_duplicate_searches() {
    let app = TestApp::start_with_policy(opora_domain::Policy {
        duplicate_searches_per_hour: 3,
        ..opora_domain::Policy::default()
    });
    let intake = app.staff("ivan", &[Role::IntakeOfficer], &app.district_a);
    let other = app.staff("olha", &[Role::IntakeOfficer], &app.district_a);
    for day in 1..=3 {
        let body = json!({"full_name": "Taras Bondar", "date_of_birth": format!("2014-05-0{day}")});
        assert_eq!(app.post(CHECK, &intake, body).status, 200);
    }
    let spent = app.post(
        CHECK,
        &intake,
        json!({"full_name": "Taras Bondar", "date_of_birth": "2014-05-04"}),
    );
    assert_eq!(spent.status, 429, "{:?}", spent.body);
    assert_eq!(spent.problem_kind(), "too-many-requests");
    // The budget is the caller's own.
    assert_eq!(
        app.post(CHECK, &other, json!({"full_name": "Taras Bondar"}))
            .status,
        200
    );
}
