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
