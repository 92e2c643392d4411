//! Server processes, for real (issue 10, items 4 and 5): one killed with SIGKILL under write load
//! (every write it acknowledged is there after a restart, no case is half written, the audit log
//! verifies with the acknowledged writes' entries in it), and two on one database racing one
//! case's transition (exactly one moves it), and the audit log's sequencer moving to the surviving
//! process when the one holding its lease is killed.
//!
//! The server runs in a child process: this test binary run again, on this test alone, with
//! `CRASH_CHILD_DATABASE` set, where the test serves ([`serve_as_child`]) instead.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use opora_api::auth::TokenKeys;
use opora_domain::{Role, UnitKind};
use opora_persistence::directory::{NewUnit, StaffUpsert};
use opora_persistence::Store;
use serde_json::{json, Value};

const SECRET: &str = "crash-test-secret-of-enough-length";

const THIS_TEST: &str =
    "crash::a_server_killed_under_write_load_loses_no_acknowledged_write_and_leaves_no_half_case";
const RACE_TEST: &str =
    "crash::two_server_processes_on_one_database_move_a_case_once_under_twenty_parallel_transitions";
const SEQUENCER_TEST: &str =
    "crash::the_sequencer_moves_to_the_surviving_instance_when_its_holder_is_killed";

/// In the child process: the server, on the database and port it is given, until killed.
fn serve_as_child(url: String, port: String) {
    let store = Store::open(&url, 8).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    {
        let (store, stop) = (store.clone(), stop.clone());
        std::thread::spawn(move || {
            store.run_sequencer(
                &format!("crash-child-{}", std::process::id()),
                &stop,
                Duration::from_millis(50),
            )
        });
    }
    let listener = std::net::TcpListener::bind(format!("127.0.0.1:{port}")).unwrap();
    let state = opora_api::AppState {
        store,
        keys: TokenKeys::new(SECRET),
    };
    let options = opora_api::ServerOptions {
        workers: Some(2),
        rate_per_second: 100_000,
        rate_burst: 100_000,
        ..Default::default()
    };
    actix_web::rt::System::new()
        .block_on(async move { opora_api::server(state, listener, options).unwrap().await })
        .unwrap();
}

struct Child9 {
    child: Child,
    base: String,
}

impl Child9 {
    fn start(url: &str) -> Child9 {
        Self::start_as(url, THIS_TEST)
    }

    /// A server process, run by the test `test` of this binary (which serves when told to).
    fn start_as(url: &str, test: &str) -> Child9 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(std::env::current_exe().unwrap())
            .args([test, "--exact", "--nocapture"])
            .env("CRASH_CHILD_DATABASE", url)
            .env("CRASH_CHILD_PORT", port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while ureq::get(&format!("{base}/healthz")).call().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the child did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Child9 { child, base }
    }
}

impl Drop for Child9 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn post(agent: &ureq::Agent, base: &str, token: &str, path: &str, body: Value) -> Option<Value> {
    agent
        .post(&format!("{base}{path}"))
        .set("Authorization", &format!("Bearer {token}"))
        .send_json(body)
        .ok()
        .and_then(|r| r.into_json().ok())
}

/// Opens one case through the API (client, report, three moves): its case id once the last
/// answer arrived, `None` when the server went away first.
fn open_case(agent: &ureq::Agent, base: &str, token: &str, n: usize) -> Option<String> {
    open_case_as(agent, base, token, n, "individual")
}

fn open_case_as(
    agent: &ureq::Agent,
    base: &str,
    token: &str,
    n: usize,
    model: &str,
) -> Option<String> {
    let client = post(
        agent,
        base,
        token,
        "/api/v1/clients",
        json!({"kind": "person", "display_name": format!("Crash Test {n}")}),
    )?;
    let report = post(
        agent,
        base,
        token,
        "/api/v1/intake-reports",
        json!({"source": "hotline", "urgency": "urgent", "description": "d", "client_id": client["id"]}),
    )?;
    let path = format!(
        "/api/v1/intake-reports/{}/transitions",
        report["id"].as_str()?
    );
    post(
        agent,
        base,
        token,
        &path,
        json!({"from": "intake", "to": "verification"}),
    )?;
    post(
        agent,
        base,
        token,
        &path,
        json!({"from": "verification", "to": "need_recognition"}),
    )?;
    let opened = post(
        agent,
        base,
        token,
        &path,
        json!({"from": "need_recognition", "to": "opened", "work_model": model, "key_worker_id": "crash-supervisor"}),
    )?;
    opened["case"]["id"].as_str().map(str::to_owned)
}

/// A fresh database (a temp SQLite file, or a PostgreSQL schema when the suite runs on one).
fn database() -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = match opora_tests::postgres_url() {
        Some(base) => opora_persistence::db::postgres_schema_url(
            &base,
            &format!("k_{}", uuid::Uuid::now_v7().simple()),
        )
        .unwrap(),
        None => format!("sqlite://{}", dir.path().join("crash.db").display()),
    };
    (url, dir)
}

/// A unit with a supervisor and an auditor; their tokens.
fn staff(url: &str) -> (String, String) {
    let store = Store::open(url, 1).unwrap();
    let unit = store
        .create_unit(NewUnit {
            parent_id: None,
            kind: UnitKind::DistrictDepartment,
            name: "District".into(),
        })
        .unwrap();
    for (id, role) in [
        ("crash-supervisor", Role::Supervisor),
        ("crash-auditor", Role::Auditor),
    ] {
        store
            .upsert_staff(StaffUpsert {
                id: id.into(),
                full_name: None,
                roles: vec![role],
                unit_id: Some(unit.id.clone()),
                active: true,
            })
            .unwrap();
    }
    let keys = TokenKeys::new(SECRET);
    (
        keys.issue("crash-supervisor", keys.access_ttl).unwrap(),
        keys.issue("crash-auditor", keys.access_ttl).unwrap(),
    )
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// `POST /audit/verification` as the auditor: the whole log checked.
fn verify_log(agent: &ureq::Agent, base: &str, auditor: &str) -> Value {
    agent
        .post(&format!("{base}/api/v1/audit/verification"))
        .set("Authorization", &format!("Bearer {auditor}"))
        .call()
        .unwrap()
        .into_json()
        .unwrap()
}

/// Whether the audit log holds an entry about the case.
fn has_audit_entry(url: &str, case: &str) -> bool {
    let sql = format!(
        "SELECT COUNT(*) AS n FROM audit_entries WHERE case_id = '{case}' OR subject_id = '{case}'"
    );
    count(url, &sql) >= 1
}

/// The rows of a query on the test's own connection to the servers' database.
fn rows<R>(url: &str, sql: &str) -> Vec<R>
where
    R: QueryableByName<diesel::sqlite::Sqlite> + QueryableByName<diesel::pg::Pg> + 'static,
{
    match url.strip_prefix("sqlite://") {
        Some(path) => diesel::sql_query(sql)
            .load(&mut SqliteConnection::establish(path).unwrap())
            .unwrap(),
        None => diesel::sql_query(sql)
            .load(&mut PgConnection::establish(url).unwrap())
            .unwrap(),
    }
}

fn count(url: &str, sql: &str) -> i64 {
    rows::<Count>(url, sql)[0].n
}

#[derive(QueryableByName)]
struct Holder {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    holder: Option<String>,
}

/// Who holds the audit sequencer's lease, as the database says (the lease may have lapsed).
fn lease_holder(url: &str) -> Option<String> {
    rows::<Holder>(url, "SELECT holder FROM audit_sequencer WHERE id = 1")
        .into_iter()
        .next()
        .and_then(|r| r.holder)
}

#[test]
fn a_server_killed_under_write_load_loses_no_acknowledged_write_and_leaves_no_half_case() {
    if let (Ok(url), Ok(port)) = (
        std::env::var("CRASH_CHILD_DATABASE"),
        std::env::var("CRASH_CHILD_PORT"),
    ) {
        return serve_as_child(url, port);
    }
    let (url, _dir) = database();
    let (token, auditor) = staff(&url);
    let server = Child9::start(&url);
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let gone = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..6)
        .map(|w| {
            let (base, token) = (server.base.clone(), token.clone());
            let (acknowledged, gone) = (acknowledged.clone(), gone.clone());
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new()
                    .timeout(Duration::from_secs(10))
                    .build();
                for n in 0.. {
                    if gone.load(Ordering::Relaxed) {
                        break;
                    }
                    match open_case(&agent, &base, &token, w * 100_000 + n) {
                        Some(case) => acknowledged.lock().unwrap().push(case),
                        None => break,
                    }
                }
            })
        })
        .collect();
    // Kill it mid-flight, once it has acknowledged some work.
    let started = Instant::now();
    while acknowledged.lock().unwrap().len() < 20 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no case opened"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    drop(server); // SIGKILL
    gone.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    eprintln!("{} cases acknowledged before the kill", acknowledged.len());

    let server = Child9::start(&url);
    let agent = ureq::AgentBuilder::new().build();
    for case in &acknowledged {
        let answer = agent
            .get(&format!("{}/api/v1/cases/{case}", server.base))
            .set("Authorization", &format!("Bearer {token}"))
            .call();
        let body: Value = answer.unwrap().into_json().unwrap();
        assert_eq!(body["lifecycle_stage"], "opened", "{body}");
    }
    // Nothing half written: a case without its report or its events, a report opened without a
    // case, a case-opening event without its case.
    for (what, sql) in [
        ("cases without their report", "SELECT COUNT(*) AS n FROM cases c WHERE NOT EXISTS (SELECT 1 FROM intake_reports r WHERE r.case_id = c.id)"),
        ("cases without events", "SELECT COUNT(*) AS n FROM cases c WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.case_id = c.id)"),
        ("reports opened without a case", "SELECT COUNT(*) AS n FROM intake_reports WHERE stage = 'opened' AND case_id IS NULL"),
    ] {
        assert_eq!(count(&url, sql), 0, "{what}");
    }
    assert!(count(&url, "SELECT COUNT(*) AS n FROM cases") >= acknowledged.len() as i64);
    // Every acknowledged write's entries are in the log, and the log verifies.
    let verification = verify_log(&agent, &server.base, &auditor);
    assert_eq!(verification["valid"], true, "{verification}");
    assert_eq!(count(&url, "SELECT COUNT(*) AS n FROM audit_queue"), 0);
    for case in acknowledged.iter().take(5) {
        assert!(
            has_audit_entry(&url, case),
            "case {case} has no audit entry"
        );
    }
}

#[test]
fn two_server_processes_on_one_database_move_a_case_once_under_twenty_parallel_transitions() {
    if let (Ok(url), Ok(port)) = (
        std::env::var("CRASH_CHILD_DATABASE"),
        std::env::var("CRASH_CHILD_PORT"),
    ) {
        return serve_as_child(url, port);
    }
    let (url, _dir) = database();
    let (token, _) = staff(&url);
    let (first, second) = (
        Child9::start_as(&url, RACE_TEST),
        Child9::start_as(&url, RACE_TEST),
    );
    let agent = ureq::AgentBuilder::new().build();
    let case = open_case_as(&agent, &first.base, &token, 1, "case_management").unwrap();
    let bases = [first.base.clone(), second.base.clone()];
    let barrier = std::sync::Barrier::new(20);
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let racers: Vec<_> = (0..20)
            .map(|i| {
                let (base, token, case, barrier) = (&bases[i % 2], &token, &case, &barrier);
                scope.spawn(move || {
                    let agent = ureq::AgentBuilder::new().build();
                    barrier.wait();
                    match agent
                        .post(&format!("{base}/api/v1/cases/{case}/transitions"))
                        .set("Authorization", &format!("Bearer {token}"))
                        .send_json(
                            json!({"from": "establishing_contact", "to": "needs_assessment"}),
                        ) {
                        Ok(r) => r.status(),
                        Err(ureq::Error::Status(code, _)) => code,
                        Err(e) => panic!("{e}"),
                    }
                })
            })
            .collect();
        racers.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let won = statuses.iter().filter(|s| **s == 200).count();
    let lost = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!((won, lost), (1, 19), "{statuses:?}");
    let events: Value = agent
        .get(&format!("{}/api/v1/cases/{case}/events", second.base))
        .set("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    let moves = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["action"] == "transition"
                && e["from"] == "establishing_contact"
                && e["to"] == "needs_assessment"
        })
        .count();
    assert_eq!(moves, 1, "{events}");
}

#[test]
fn the_sequencer_moves_to_the_surviving_instance_when_its_holder_is_killed() {
    if let (Ok(url), Ok(port)) = (
        std::env::var("CRASH_CHILD_DATABASE"),
        std::env::var("CRASH_CHILD_PORT"),
    ) {
        return serve_as_child(url, port);
    }
    const QUEUED: &str = "SELECT COUNT(*) AS n FROM audit_queue";
    const TREE: &str = "SELECT size AS n FROM audit_tree WHERE id = 1";
    let (url, _dir) = database();
    let (token, auditor) = staff(&url);
    let mut servers = vec![
        Child9::start_as(&url, SEQUENCER_TEST),
        Child9::start_as(&url, SEQUENCER_TEST),
    ];
    // Each child's sequencer holds the lease under its own process id (`serve_as_child`).
    let holder_id = |server: &Child9| format!("crash-child-{}", server.child.id());
    let started = Instant::now();
    let holder = loop {
        if let Some(holder) = lease_holder(&url) {
            break holder;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "neither server took the sequencer's lease"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let held = servers
        .iter()
        .position(|s| holder_id(s) == holder)
        .unwrap_or_else(|| {
            panic!(
                "the lease names {holder}, neither server ({}, {})",
                holder_id(&servers[0]),
                holder_id(&servers[1])
            )
        });
    let survivor_id = holder_id(&servers[1 - held]);
    let survivor_base = servers[1 - held].base.clone();
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(10))
        .build();
    // While it lives, the holder sequences what the other instance writes.
    open_case(&agent, &survivor_base, &token, 0).expect("the survivor-to-be opens a case");
    let started = Instant::now();
    while count(&url, QUEUED) > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the live holder {holder} does not drain the queue"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    let killed = servers.remove(held);
    let killed_id = holder_id(&killed);
    drop(killed); // SIGKILL, and reaped: it renews nothing from here on
    let killed_at = Instant::now();
    let survivor = servers.pop().unwrap();
    let size_at_kill = count(&url, TREE);
    let cases: Vec<String> = (1..=3)
        .map(|n| open_case(&agent, &survivor.base, &token, n).expect("the survivor opens a case"))
        .collect();
    eprintln!(
        "{} entries queued after {:?} of writes through the survivor",
        count(&url, QUEUED),
        killed_at.elapsed()
    );

    // Read from the database only: reading the log through the API integrates it on its own.
    let bound = opora_persistence::audit_log::LEASE + Duration::from_secs(10);
    let mut lease_moved = None;
    let drained = loop {
        let holder = lease_holder(&url);
        let (queued, size) = (count(&url, QUEUED), count(&url, TREE));
        if lease_moved.is_none() && holder.as_deref() == Some(survivor_id.as_str()) {
            lease_moved = Some(killed_at.elapsed());
        }
        if holder.as_deref() == Some(survivor_id.as_str()) && queued == 0 && size > size_at_kill {
            break killed_at.elapsed();
        }
        assert!(
            killed_at.elapsed() < bound,
            "{bound:?} after the sequencer's holder {killed_id} was killed, the sequencer has not \
             moved: the lease names {holder:?} (the survivor is {survivor_id}), {queued} entries \
             are queued, the tree holds {size} (it held {size_at_kill} at the kill)"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    eprintln!(
        "sequencer takeover: lease taken {:?} after the kill, queue drained {drained:?} after it",
        lease_moved.unwrap_or(drained)
    );
    for case in &cases {
        assert!(
            has_audit_entry(&url, case),
            "case {case}, opened after the kill, has no audit entry"
        );
    }
    let verification = verify_log(&agent, &survivor.base, &auditor);
    assert_eq!(verification["valid"], true, "{verification}");
    assert_eq!(
        verification["entries_checked"].as_i64(),
        Some(count(&url, TREE)),
        "{verification}"
    );
}
