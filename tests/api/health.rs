use opora_tests::TestApp;

#[test]
fn the_process_answers_healthz_and_the_database_readyz() {
    let app = TestApp::start();
    let health = app.send("GET", "/healthz", None, &[], None);
    assert_eq!(
        (health.status, health.body["status"].as_str()),
        (200, Some("ok"))
    );
    let ready = app.send("GET", "/readyz", None, &[], None);
    assert_eq!(
        (ready.status, ready.body["status"].as_str()),
        (200, Some("ready"))
    );
}

#[test]
fn swagger_ui_is_served_and_points_at_the_contract() {
    let app = TestApp::start();
    let page = app.send("GET", "/swagger-ui/", None, &[], None);
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .as_str()
            .is_some_and(|html| html.contains("swagger")),
        "{:?}",
        page.body
    );
    let config = app.send("GET", "/swagger-ui/swagger-initializer.js", None, &[], None);
    assert!(
        config
            .body
            .as_str()
            .is_some_and(|js| js.contains("/api-docs/openapi.json")),
        "{:?}",
        config.body
    );
}
