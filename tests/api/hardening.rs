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
        ..Default::default()
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

fn limited_to_three() -> ServerOptions {
    ServerOptions {
        rate_per_second: 1,
        rate_burst: 3,
        ..TestApp::default_options()
    }
}

/// Statuses of `POST /api/v1/auth/refresh` (no bearer needed) with each Authorization header.
fn refreshes(app: &TestApp, headers: &[Vec<(&str, &str)>]) -> Vec<u16> {
    headers
        .iter()
        .map(|headers| {
            app.send(
                "POST",
                "/api/v1/auth/refresh",
                None,
                headers,
                Some(&serde_json::json!({"refresh_token": "not-a-token"})),
            )
            .status
        })
        .collect()
}

#[test]
fn junk_authorization_headers_count_against_their_senders_address() {
    let app = TestApp::start_with(limited_to_three());
    let junk: Vec<String> = (0..6).map(|n| format!("Bearer junk-{n}")).collect();
    let headers: Vec<Vec<(&str, &str)>> = junk
        .iter()
        .map(|j| vec![("Authorization", j.as_str())])
        .collect();

    let statuses = refreshes(&app, &headers);

    assert_eq!(&statuses[..3], &[401, 401, 401]);
    assert_eq!(&statuses[3..], &[429, 429, 429], "{statuses:?}");
}

#[test]
fn one_members_token_spelled_in_several_ways_is_one_client() {
    let app = TestApp::start_with(limited_to_three());
    let token = app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    let spellings = [
        format!("Bearer {token}"),
        format!("Bearer   {token}"),
        format!("bearer {token}"),
        format!("Bearer {token}  "),
        format!("Bearer \t{token}"),
    ];

    let statuses: Vec<u16> = spellings
        .iter()
        .map(|authorization| {
            header(
                &app,
                "GET",
                "/api/v1/me",
                &[("Authorization", authorization.as_str())],
            )
            .0
        })
        .collect();

    assert_eq!(statuses, vec![200, 200, 200, 429, 429]);
}

#[test]
fn a_forwarded_for_header_names_the_client_only_behind_a_trusted_proxy() {
    let addresses = [
        "198.51.100.1",
        "198.51.100.2",
        "198.51.100.3",
        "198.51.100.4",
    ];
    let headers: Vec<Vec<(&str, &str)>> = addresses
        .iter()
        .map(|a| vec![("X-Forwarded-For", *a)])
        .collect();

    let direct = TestApp::start_with(limited_to_three());
    let statuses = refreshes(&direct, &headers);
    assert_eq!(
        statuses[3], 429,
        "a client cannot invent addresses: {statuses:?}"
    );

    let behind_proxy = TestApp::start_with(ServerOptions {
        trusted_proxies: opora_api::hardening::TrustedProxies::parse("127.0.0.0/8").unwrap(),
        ..limited_to_three()
    });
    let statuses = refreshes(&behind_proxy, &headers);
    assert_eq!(
        statuses,
        vec![401, 401, 401, 401],
        "four clients behind the proxy"
    );
}

/// Opens a connection to the server, sends `bytes`, and answers whether the server closed it
/// within `within`, and what it wrote before (an answer before closing is fine).
fn closed_within(app: &TestApp, bytes: &[u8], within: std::time::Duration) -> (bool, String) {
    use std::io::{Read, Write};
    let address = app.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(within)).unwrap();
    stream.write_all(bytes).unwrap();
    let started = std::time::Instant::now();
    let mut written = Vec::new();
    let mut buffer = [0u8; 4096];
    let closed = loop {
        match stream.read(&mut buffer) {
            Ok(0) => break started.elapsed() <= within,
            Ok(n) => written.extend_from_slice(&buffer[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break true,
            Err(_) => break false,
        }
    };
    (closed, String::from_utf8_lossy(&written).into_owned())
}

fn one_second_timeouts() -> ServerOptions {
    ServerOptions {
        timeouts: opora_api::hardening::Timeouts {
            request_head: std::time::Duration::from_secs(1),
            keep_alive: std::time::Duration::from_secs(1),
            body: std::time::Duration::from_secs(1),
            disconnect: std::time::Duration::from_secs(1),
        },
        ..TestApp::default_options()
    }
}

#[test]
fn a_connection_that_never_finishes_its_request_head_is_closed() {
    let app = TestApp::start_with(one_second_timeouts());

    let (closed, written) = closed_within(
        &app,
        b"GET /healthz HTTP/1.1\r\nHost: opora\r\n",
        std::time::Duration::from_secs(3),
    );

    assert!(written.starts_with("HTTP/1.1 408"), "{written}");
    assert!(closed, "the server kept a half-sent request head open");
}

#[test]
fn an_idle_keep_alive_connection_is_closed() {
    let app = TestApp::start_with(one_second_timeouts());

    let (closed, written) = closed_within(
        &app,
        b"GET /healthz HTTP/1.1\r\nHost: opora\r\n\r\n",
        std::time::Duration::from_secs(3),
    );

    assert!(written.starts_with("HTTP/1.1 200"), "{written}");
    assert!(closed, "the server kept an idle connection open");
}

#[test]
fn a_request_body_that_stalls_is_refused_and_its_connection_closed() {
    let app = TestApp::start_with(one_second_timeouts());

    let (closed, written) = closed_within(
        &app,
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: opora\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"staff_id\": \"ol",
        std::time::Duration::from_secs(5),
    );

    assert!(written.starts_with("HTTP/1.1 400"), "{written}");
    assert!(written.contains("did not arrive within 1 s"), "{written}");
    assert!(closed, "the server waited on a stalled body");
}
