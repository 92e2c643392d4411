//! Protections around every request: rate limits, CORS, security headers.

use opora_api::ServerOptions;
use opora_domain::Role;
use opora_tests::TestApp;

fn header(
    app: &TestApp,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, Vec<(String, String)>) {
    let agent = ureq::AgentBuilder::new().build();
    let mut request = agent.request(method, &app.url(path));
    for (name, value) in headers {
        request = request.set(name, value);
    }
    let response = match request.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    let names = response.headers_names();
    let headers = names
        .iter()
        .map(|n| {
            (
                n.to_ascii_lowercase(),
                response.header(n).unwrap_or("").to_owned(),
            )
        })
        .collect();
    (response.status(), headers)
}

fn get<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn a_client_over_its_rate_is_told_when_to_come_back() {
    let app = TestApp::start_with(ServerOptions {
        workers: Some(1),
        cors_origins: Vec::new(),
        rate_per_second: 1,
        rate_burst: 3,
    });
    let token = app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    let statuses: Vec<u16> = (0..5)
        .map(|_| app.get("/api/v1/cases", &token).status)
        .collect();
    assert_eq!(&statuses[..3], &[200, 200, 200]);
    let limited = app.get("/api/v1/cases", &token);
    assert_eq!(
        (limited.status, limited.content_type.as_str()),
        (429, "application/problem+json")
    );
    assert_eq!(limited.problem_kind(), "too-many-requests");
    let (_, headers) = header(
        &app,
        "GET",
        "/api/v1/cases",
        &[("Authorization", &format!("Bearer {token}"))],
    );
    assert!(
        get(&headers, "retry-after").is_some_and(|s| s.parse::<u64>().is_ok_and(|s| s >= 1)),
        "{headers:?}"
    );
    // Another client is not starved by the first.
    let other = app.staff("andrii", &[Role::CaseManager], &app.district_a.clone());
    assert_eq!(app.get("/api/v1/cases", &other).status, 200);
}

#[test]
fn only_the_configured_frontend_origin_gets_cross_origin_access() {
    let app = TestApp::start();
    let (_, allowed) = header(
        &app,
        "GET",
        "/healthz",
        &[("Origin", "https://frontend.example")],
    );
    assert_eq!(
        get(&allowed, "access-control-allow-origin"),
        Some("https://frontend.example")
    );
    let (_, other) = header(
        &app,
        "GET",
        "/healthz",
        &[("Origin", "https://evil.example")],
    );
    assert_eq!(get(&other, "access-control-allow-origin"), None);
    let (status, preflight) = header(
        &app,
        "OPTIONS",
        "/api/v1/cases",
        &[
            ("Origin", "https://frontend.example"),
            ("Access-Control-Request-Method", "PATCH"),
            ("Access-Control-Request-Headers", "authorization, if-match"),
        ],
    );
    assert_eq!(status, 200);
    assert!(get(&preflight, "access-control-allow-methods").is_some_and(|m| m.contains("PATCH")));
}

#[test]
fn api_answers_carry_security_headers_and_are_never_cached() {
    let app = TestApp::start();
    let token = app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    let (_, headers) = header(
        &app,
        "GET",
        "/api/v1/cases",
        &[("Authorization", &format!("Bearer {token}"))],
    );
    assert_eq!(get(&headers, "x-content-type-options"), Some("nosniff"));
    assert_eq!(get(&headers, "x-frame-options"), Some("DENY"));
    assert_eq!(get(&headers, "referrer-policy"), Some("no-referrer"));
    assert_eq!(get(&headers, "cache-control"), Some("no-store"));
    assert_eq!(
        get(&headers, "content-security-policy"),
        Some("default-src 'none'; frame-ancestors 'none'")
    );
}
