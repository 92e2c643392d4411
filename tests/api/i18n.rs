//! Problem details follow Accept-Language.

use opora_domain::Role;
use opora_tests::walk::opened_case;
use opora_tests::TestApp;
use serde_json::json;

#[test]
fn a_refused_transition_speaks_the_callers_language() {
    let app = TestApp::start();
    let manager = app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    let case = opened_case(&app, &manager, "olena", "case_management");
    let path = format!("/api/v1/cases/{}/transitions", case["id"].as_str().unwrap());
    let body = json!({"machine": "lifecycle", "from": "opened", "to": "planning"});
    let auth = format!("Bearer {manager}");
    let ask = |language: &str| {
        app.send(
            "POST",
            &path,
            None,
            &[("Authorization", &auth), ("Accept-Language", language)],
            Some(&body),
        )
    };

    let uk = ask("uk-UA,uk;q=0.9,en;q=0.5");
    assert_eq!(uk.status, 409);
    assert_eq!(uk.body["title"], "Умови переходу не виконано");
    assert_eq!(
        uk.body["unmet"][0]["code"], "completed_assessment",
        "codes stay stable"
    );
    assert_eq!(
        uk.body["unmet"][0]["message"],
        "немає оцінки потреб, завершеної в цьому циклі випадку (після останнього повернення до оцінки)"
    );
    assert_eq!(ask("cs").body["title"], "Podmínky přechodu nejsou splněny");
    assert_eq!(
        ask("ru").body["unmet"][0]["message"],
        "нет оценки потребностей, завершённой в этом цикле случая (после последнего возврата к оценке)"
    );
    assert_eq!(
        ask("de-DE").body["title"],
        "The transition's requirements are not met",
        "unsupported: English"
    );
}

#[test]
fn not_found_and_unauthorized_follow_accept_language_too() {
    let app = TestApp::start();
    let manager = app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    let auth = format!("Bearer {manager}");
    let missing = app.send(
        "GET",
        "/api/v1/cases/nope",
        None,
        &[("Authorization", &auth), ("Accept-Language", "uk")],
        None,
    );
    assert_eq!(
        (missing.status, missing.body["title"].as_str()),
        (404, Some("Такого ресурсу немає"))
    );
    let anonymous = app.send(
        "GET",
        "/api/v1/cases",
        None,
        &[("Accept-Language", "cs")],
        None,
    );
    assert_eq!(
        (anonymous.status, anonymous.body["title"].as_str()),
        (401, Some("Je vyžadováno přihlášení"))
    );
}
