//! Reference data: every list of codes with labels in the language `Accept-Language` asks for,
//! named in `Content-Language`; administrators extend the classifiers, everyone reads them.

use opora_domain::Role;
use opora_tests::TestApp;
use serde_json::{json, Value};

/// A GET with an optional `Accept-Language`: status, `Content-Language`, `Vary` and the body.
fn get_in(
    app: &TestApp,
    path: &str,
    token: &str,
    accept: Option<&str>,
) -> (u16, Option<String>, Option<String>, Value) {
    let mut request = ureq::get(&app.url(path)).set("Authorization", &format!("Bearer {token}"));
    if let Some(accept) = accept {
        request = request.set("Accept-Language", accept);
    }
    let response = match request.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("GET {path}: {e}"),
    };
    let status = response.status();
    let language = response.header("content-language").map(str::to_owned);
    let vary = response.header("vary").map(str::to_owned);
    let body = response.into_json().unwrap_or(Value::Null);
    (status, language, vary, body)
}

fn label_of(list: &Value, code: &str) -> String {
    list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == code)
        .unwrap_or_else(|| panic!("no entry {code} in {list}"))["label"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn entry_of(list: &Value, code: &str) -> Option<Value> {
    list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == code)
        .cloned()
}

fn homeless() -> Value {
    json!({"code": "homeless_persons", "labels": {
        "en": "Homeless persons", "uk": "Бездомні особи", "ru": "Бездомные", "cs": "Osoby bez domova"}})
}

#[test]
fn labels_follow_accept_language() {
    let app = TestApp::start();
    let token = app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    for (accept, language, intake, assessment) in [
        (Some("uk"), "uk", "Прийом інформації", "Оцінка потреб"),
        (Some("ru"), "ru", "Прием информации", "Оценка потребностей"),
        (Some("cs"), "cs", "Příjem informací", "Mapování potřeb"),
        (Some("en"), "en", "Intake", "Needs assessment"),
        (None, "en", "Intake", "Needs assessment"),
        (Some("uk-UA"), "uk", "Прийом інформації", "Оцінка потреб"),
        (
            Some("cs;q=0.8, uk;q=0.9"),
            "uk",
            "Прийом інформації",
            "Оцінка потреб",
        ),
        (
            Some("de-DE, cs;q=0.8, en;q=0.5"),
            "cs",
            "Příjem informací",
            "Mapování potřeb",
        ),
        (
            Some("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7"),
            "ru",
            "Прием информации",
            "Оценка потребностей",
        ),
        (Some("de, fr;q=0.9"), "en", "Intake", "Needs assessment"),
        (Some("uk;q=0, *"), "en", "Intake", "Needs assessment"),
        (Some("%%%, ;q=x"), "en", "Intake", "Needs assessment"),
    ] {
        let (status, content_language, vary, lifecycle) =
            get_in(&app, "/api/v1/reference/lifecycle_stages", &token, accept);
        assert_eq!(status, 200, "{accept:?}: {lifecycle}");
        assert_eq!(content_language.as_deref(), Some(language), "{accept:?}");
        assert!(
            vary.unwrap_or_default().contains("Accept-Language"),
            "{accept:?}"
        );
        assert_eq!(lifecycle["language"], language);
        assert_eq!(lifecycle["list"], "lifecycle_stages");
        assert_eq!(label_of(&lifecycle, "intake"), intake, "{accept:?}");
        assert_eq!(lifecycle["entries"].as_array().unwrap().len(), 10);

        let (_, content_language, _, cm) = get_in(
            &app,
            "/api/v1/reference/case_management_stages",
            &token,
            accept,
        );
        assert_eq!(content_language.as_deref(), Some(language));
        assert_eq!(label_of(&cm, "needs_assessment"), assessment, "{accept:?}");
    }
    let (_, _, _, roles) = get_in(&app, "/api/v1/reference/roles", &token, Some("cs"));
    assert_eq!(label_of(&roles, "case_manager"), "Klíčový pracovník");
}

#[test]
fn the_index_names_every_list_and_every_list_reads_in_every_language() {
    let app = TestApp::start();
    // Reference data is for every staff member, whatever the role.
    let token = app.staff("provider", &[Role::Provider], &app.district_b.clone());
    let (status, language, _, index) = get_in(&app, "/api/v1/reference", &token, Some("ru"));
    assert_eq!(status, 200, "{index}");
    assert_eq!(language.as_deref(), Some("ru"));
    let lists = index["lists"].as_array().unwrap();
    assert_eq!(lists.len(), 25);
    let categories = lists
        .iter()
        .find(|l| l["list"] == "client_categories")
        .unwrap();
    assert_eq!(categories["kind"], "extensible");
    assert_eq!(categories["title"], "Категории клиентов");
    assert_eq!(categories["path"], "/api/v1/reference/client_categories");
    let extensible: Vec<&str> = lists
        .iter()
        .filter(|l| l["kind"] == "extensible")
        .map(|l| l["list"].as_str().unwrap())
        .collect();
    assert_eq!(
        extensible,
        [
            "client_categories",
            "report_sources",
            "life_domains",
            "contact_types"
        ]
    );
    for list in lists {
        let path = list["path"].as_str().unwrap();
        for language in ["en", "uk", "ru", "cs"] {
            let (status, content_language, _, body) = get_in(&app, path, &token, Some(language));
            assert_eq!(status, 200, "{path}: {body}");
            assert_eq!(content_language.as_deref(), Some(language));
            let entries = body["entries"].as_array().unwrap();
            assert!(!entries.is_empty(), "{path}");
            for entry in entries {
                assert!(
                    !entry["label"].as_str().unwrap().is_empty(),
                    "{path} {entry}"
                );
                assert_eq!(entry["built_in"], true);
                assert_eq!(entry["active"], true);
            }
        }
    }
    let (_, _, _, categories) = get_in(
        &app,
        "/api/v1/reference/client_categories",
        &token,
        Some("uk"),
    );
    assert!(categories["entries"].as_array().unwrap().len() >= 25);
    assert_eq!(label_of(&categories, "large_families"), "Багатодітні сім'ї");
    assert_eq!(
        label_of(&categories, "internally_displaced_persons"),
        "Внутрішньо переміщені особи (ВПО)"
    );
}

#[test]
fn an_unknown_list_is_a_404_problem() {
    let app = TestApp::start();
    let token = app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    let admin = app.staff("admin", &[Role::Admin], &app.centre.clone());
    for answer in [
        app.get("/api/v1/reference/no_such_list", &token),
        app.get("/api/v1/reference/Lifecycle_Stages", &token),
        app.get(
            "/api/v1/reference/no_such_list/entries/single_parent",
            &token,
        ),
        app.get(
            "/api/v1/reference/client_categories/entries/no_such",
            &token,
        ),
        app.post("/api/v1/reference/no_such_list/entries", &admin, homeless()),
        app.send(
            "POST",
            "/api/v1/reference/client_categories/entries/no_such/deactivation",
            Some(&admin),
            &[],
            None,
        ),
    ] {
        assert_eq!(answer.status, 404, "{:?}", answer.body);
        assert_eq!(answer.content_type, "application/problem+json");
        assert_eq!(answer.problem_kind(), "not-found");
    }
    let anonymous = app.send("GET", "/api/v1/reference/roles", None, &[], None);
    assert_eq!(anonymous.status, 401);
}

#[test]
fn an_admin_adds_a_category_which_appears_in_every_language() {
    let app = TestApp::start();
    let admin = app.staff("admin", &[Role::Admin], &app.centre.clone());
    let worker = app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    let added = app.post(
        "/api/v1/reference/client_categories/entries",
        &admin,
        homeless(),
    );
    assert_eq!(added.status, 201, "{:?}", added.body);
    assert_eq!(
        added.location.as_deref(),
        Some("/api/v1/reference/client_categories/entries/homeless_persons")
    );
    assert_eq!(added.body["labels"]["cs"], "Osoby bez domova");
    assert_eq!(added.body["built_in"], false);
    assert_eq!(added.body["active"], true);
    assert_eq!(added.body["created_by"], "admin");

    for (language, label) in [
        ("en", "Homeless persons"),
        ("uk", "Бездомні особи"),
        ("ru", "Бездомные"),
        ("cs", "Osoby bez domova"),
    ] {
        let (status, _, _, list) = get_in(
            &app,
            "/api/v1/reference/client_categories",
            &worker,
            Some(language),
        );
        assert_eq!(status, 200);
        let entry = entry_of(&list, "homeless_persons").unwrap();
        assert_eq!(entry["label"], label);
        assert_eq!(entry["active"], true);
        assert_eq!(entry["built_in"], false);
        // Added entries come after the built-in ones.
        assert_eq!(list["entries"].as_array().unwrap().last(), Some(&entry));
    }
    let detail = app.get(
        "/api/v1/reference/client_categories/entries/homeless_persons",
        &worker,
    );
    assert_eq!(detail.status, 200);
    assert_eq!(detail.body, added.body);

    // The admin deactivates it: still listed, marked inactive; again changes nothing.
    let path = "/api/v1/reference/client_categories/entries/homeless_persons/deactivation";
    let gone = app.send("POST", path, Some(&admin), &[], None);
    assert_eq!(gone.status, 200, "{:?}", gone.body);
    assert_eq!(gone.body["active"], false);
    let again = app.send("POST", path, Some(&admin), &[], None);
    assert_eq!(again.status, 200);
    assert_eq!(again.body, gone.body);
    let (_, _, _, list) = get_in(&app, "/api/v1/reference/client_categories", &worker, None);
    assert_eq!(
        entry_of(&list, "homeless_persons").unwrap()["active"],
        false
    );

    // Both changes are on the audit chain, once each.
    let auditor = app.staff("maria", &[Role::Auditor], &app.centre.clone());
    let audit = app.get(
        "/api/v1/audit/entries?subject_id=client_categories/homeless_persons",
        &auditor,
    );
    assert_eq!(audit.status, 200, "{:?}", audit.body);
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["reference_entry.created", "reference_entry.deactivated"]
    );
    assert_eq!(audit.body["items"][0]["actor_id"], "admin");
}

#[test]
fn only_an_admin_changes_reference_data() {
    let app = TestApp::start();
    let manager = app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    let supervisor = app.staff("iryna", &[Role::Supervisor], &app.centre.clone());
    let admin = app.staff("admin", &[Role::Admin], &app.centre.clone());
    for token in [&manager, &supervisor] {
        let answer = app.post(
            "/api/v1/reference/client_categories/entries",
            token,
            homeless(),
        );
        assert_eq!(answer.status, 403, "{:?}", answer.body);
        assert_eq!(answer.problem_kind(), "forbidden");
    }
    let (_, _, _, list) = get_in(&app, "/api/v1/reference/client_categories", &manager, None);
    assert!(entry_of(&list, "homeless_persons").is_none());

    let added = app.post(
        "/api/v1/reference/client_categories/entries",
        &admin,
        homeless(),
    );
    assert_eq!(added.status, 201);
    let deactivate = app.send(
        "POST",
        "/api/v1/reference/client_categories/entries/homeless_persons/deactivation",
        Some(&manager),
        &[],
        None,
    );
    assert_eq!(deactivate.status, 403);
}

#[test]
fn a_code_or_a_label_already_in_the_list_is_a_conflict() {
    let app = TestApp::start();
    let admin = app.staff("admin", &[Role::Admin], &app.centre.clone());
    let path = "/api/v1/reference/client_categories/entries";
    assert_eq!(app.post(path, &admin, homeless()).status, 201);
    let duplicate = app.post(path, &admin, homeless());
    assert_eq!(duplicate.status, 409, "{:?}", duplicate.body);
    assert_eq!(duplicate.content_type, "application/problem+json");
    // A built-in code is taken too.
    let built_in = app.post(
        path,
        &admin,
        json!({"code": "large_families", "labels": {"en": "Big families", "uk": "Великі сім'ї", "ru": "Большие семьи", "cs": "Velké rodiny"}}),
    );
    assert_eq!(built_in.status, 409, "{:?}", built_in.body);
    // So is a label another entry already reads in that language.
    let same_label = app.post(
        path,
        &admin,
        json!({"code": "big_families", "labels": {"en": "Big families", "uk": "Багатодітні сім'ї", "ru": "Большие семьи", "cs": "Velké rodiny"}}),
    );
    assert_eq!(same_label.status, 409, "{:?}", same_label.body);
    assert!(same_label.body["detail"]
        .as_str()
        .unwrap()
        .contains("large_families"));
    // The same code in another extensible list is another entry.
    let other_list = app.post("/api/v1/reference/life_domains/entries", &admin, homeless());
    assert_eq!(other_list.status, 201, "{:?}", other_list.body);
    // A fixed list takes no entries.
    let fixed = app.post(
        "/api/v1/reference/lifecycle_stages/entries",
        &admin,
        json!({"code": "archived", "labels": {"en": "Archived", "uk": "Архів", "ru": "Архив", "cs": "Archiv"}}),
    );
    assert_eq!(fixed.status, 409, "{:?}", fixed.body);
}

#[test]
fn built_in_entries_cannot_be_deactivated() {
    let app = TestApp::start();
    let admin = app.staff("admin", &[Role::Admin], &app.centre.clone());
    for path in [
        "/api/v1/reference/client_categories/entries/single_parent/deactivation",
        "/api/v1/reference/report_sources/entries/hotline/deactivation",
        "/api/v1/reference/lifecycle_stages/entries/closed/deactivation",
    ] {
        let answer = app.send("POST", path, Some(&admin), &[], None);
        assert_eq!(answer.status, 409, "{path}: {:?}", answer.body);
        assert_eq!(answer.content_type, "application/problem+json");
    }
    let (_, _, _, list) = get_in(&app, "/api/v1/reference/client_categories", &admin, None);
    assert_eq!(entry_of(&list, "single_parent").unwrap()["active"], true);
}

#[test]
fn an_invalid_entry_is_a_422_naming_each_field() {
    let app = TestApp::start();
    let admin = app.staff("admin", &[Role::Admin], &app.centre.clone());
    let path = "/api/v1/reference/contact_types/entries";
    let missing = app.post(
        path,
        &admin,
        json!({"code": "group_session", "labels": {"en": "Group session", "uk": "Групове заняття", "ru": "Групповое занятие"}}),
    );
    assert_eq!(missing.status, 422, "{:?}", missing.body);
    assert_eq!(missing.fields_at_fault(), ["labels.cs"]);
    assert_eq!(missing.body["errors"][0]["code"], "required");

    let no_labels = app.post(path, &admin, json!({"code": "group_session"}));
    assert_eq!(no_labels.status, 422);
    assert_eq!(no_labels.fields_at_fault(), ["labels"]);

    let invalid = app.post(
        path,
        &admin,
        json!({"code": "Group-Session", "labels": {"en": " ", "uk": "Групове заняття", "ru": "", "cs": "Skupinové setkání"}}),
    );
    assert_eq!(invalid.status, 422, "{:?}", invalid.body);
    let mut fields = invalid.fields_at_fault();
    fields.dedup();
    assert_eq!(fields, ["code", "labels.en", "labels.ru"]);

    for code in ["x", "a".repeat(65).as_str(), "_x", "x__y"] {
        let answer = app.post(
            path,
            &admin,
            json!({"code": code, "labels": {"en": "E", "uk": "U", "ru": "R", "cs": "C"}}),
        );
        assert_eq!(answer.status, 422, "{code}");
        assert_eq!(answer.fields_at_fault(), ["code"], "{code}");
    }
    let unknown_field = app.post(
        path,
        &admin,
        json!({"code": "group_session", "labels": {"en": "E", "uk": "U", "ru": "R", "cs": "C", "de": "D"}}),
    );
    assert_eq!(unknown_field.status, 422);
    assert_eq!(unknown_field.fields_at_fault(), ["labels.de"]);
}
