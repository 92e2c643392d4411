//! Failed logins slow down whoever guesses, never the account's owner (issue 9, finding 10):
//! counted per (account, address) and per address; an account-wide delay only after many failures
//! from many addresses, and never for an address the owner logged in from recently. The server
//! trusts 127.0.0.1 as a proxy here, so `X-Forwarded-For` stands for the client's address.

use std::sync::Barrier;

use opora_api::hardening::TrustedProxies;
use opora_domain::Role;
use opora_tests::{Answer, TestApp};
use serde_json::json;

const PASSWORD: &str = "correct horse battery";
const OWNER: &str = "203.0.113.9";

fn login_from(app: &TestApp, address: &str, password: &str) -> Answer {
    app.send(
        "POST",
        "/api/v1/auth/login",
        None,
        &[("X-Forwarded-For", address)],
        Some(&json!({"staff_id": "olena", "password": password})),
    )
}

/// A server behind a trusted proxy with a case manager who has a password.
fn behind_proxy() -> TestApp {
    let app = TestApp::start_with(opora_api::ServerOptions {
        trusted_proxies: TrustedProxies::parse("127.0.0.1").unwrap(),
        ..TestApp::default_options()
    });
    with_password(&app);
    app
}

fn with_password(app: &TestApp) {
    app.staff("olena", &[Role::CaseManager], &app.district_a.clone());
    app.give_password("olena", &app.district_a, PASSWORD);
}

#[test]
fn wrong_guesses_from_one_address_never_delay_the_owner_at_another() {
    let app = behind_proxy();
    let attacker = "198.51.100.66";
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(login_from(&app, attacker, "wrong horse battery").status);
    }
    assert_eq!(&statuses[..3], &[401, 401, 401]);
    assert!(
        statuses[3..].contains(&429),
        "the guessing address is slowed down: {statuses:?}"
    );

    let owner = login_from(&app, OWNER, PASSWORD);

    assert_eq!(owner.status, 200, "{:?}", owner.body);
    assert_eq!(
        login_from(&app, attacker, PASSWORD).status,
        429,
        "while the guessing address still waits"
    );
}

#[test]
fn many_failures_from_many_addresses_delay_a_new_address_but_never_one_the_owner_used_recently() {
    let app = behind_proxy();
    assert_eq!(login_from(&app, OWNER, PASSWORD).status, 200);
    // A distributed attack: two guesses from each of ten addresses (20 failures).
    for n in 1..=10 {
        for _ in 0..2 {
            let answer = login_from(&app, &format!("198.51.100.{n}"), "wrong horse battery");
            assert_eq!(answer.status, 401, "{:?}", answer.body);
        }
    }

    let stranger = login_from(&app, "192.0.2.200", PASSWORD);
    let owner = login_from(&app, OWNER, PASSWORD);

    assert_eq!(
        (stranger.status, stranger.problem_kind()),
        (429, "too-many-requests".to_owned()),
        "an address never seen waits while the account is under attack"
    );
    assert_eq!(owner.status, 200, "the owner's known address does not");
}

#[test]
fn parallel_failures_are_all_counted() {
    const RACERS: usize = 8;
    let app = TestApp::start_with_pool(RACERS as u32);
    with_password(&app);
    let barrier = Barrier::new(RACERS);
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let racers: Vec<_> = (0..RACERS)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    app.send(
                        "POST",
                        "/api/v1/auth/login",
                        None,
                        &[],
                        Some(&json!({"staff_id": "olena", "password": "wrong horse battery"})),
                    )
                    .status
                })
            })
            .collect();
        racers.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let failed = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );

    // Each failure answered 401 counted: after n failures (3 free) the wait is 2^(n-3) s from the
    // last one.
    let next = app.send(
        "POST",
        "/api/v1/auth/login",
        None,
        &[],
        Some(&json!({"staff_id": "olena", "password": PASSWORD})),
    );
    assert_eq!(next.status, 429, "{statuses:?}");
    let detail = next.body["detail"].as_str().unwrap_or_default().to_owned();
    let waits: u64 = detail
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap_or(0);
    let expected = 1_u64 << failed.saturating_sub(3);
    assert!(
        waits + 2 >= expected,
        "{failed} failures answered 401 but the wait is {waits} s, not {expected}: counts were lost"
    );
}
