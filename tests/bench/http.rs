//! `make bench-http`: the server under load, against the machine's own ceilings, in one run.
//!
//! For each database (SQLite in a temp file; PostgreSQL when `OPORA_BENCH_POSTGRES_URL` names
//! one) it starts the release server (`target/release/opora serve --demo`) on a free port, seeds
//! cases through the API, and drives each scenario with wrk (`wrk -t1 -c16`, as issue 10 measured;
//! `apt-get install wrk`) for a warm-up and then `--seconds`:
//!
//! - `GET /healthz`: this server's HTTP ceiling on this machine;
//! - get one case (a random seeded one), list `?urgency=urgent&limit=20`;
//! - create an intake report; create a client (10,000 of the seeded clients share the surname);
//!
//! and measures in the same run the database's raw rate of one insert per transaction at the
//! server's durability (SQLite WAL with synchronous=NORMAL, one writer; PostgreSQL with
//! `--connections` clients). It prints one table: requests per second, p50, p99, the ratio the
//! issue's target names, the server's peak RSS, and the audit log's longest integration delay.
//! With `--scale N` it then grows the database to N clients and cases in SQL (see [`grow`]),
//! restarts the server and runs the scenarios again, printing both rates side by side.
//! Numbers, not assertions: the tables go into BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::{json, Value};

struct Options {
    cases: usize,
    seconds: u64,
    warmup: u64,
    connections: usize,
    server: String,
    /// Grow to this many clients and cases after the first run, and run the scenarios again.
    scale: Option<usize>,
}

fn options() -> Options {
    let mut o = Options {
        cases: 10_000,
        seconds: 10,
        warmup: 3,
        connections: 16,
        server: "target/release/opora".into(),
        scale: None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--cases" => o.cases = value.parse().expect("--cases N"),
            "--seconds" => o.seconds = value.parse().expect("--seconds S"),
            "--warmup" => o.warmup = value.parse().expect("--warmup S"),
            "--connections" => o.connections = value.parse().expect("--connections C"),
            "--server" => o.server = value,
            "--scale" => o.scale = Some(value.parse().expect("--scale N")),
            other => panic!("unknown option {other}; see tests/bench/http.rs"),
        }
        i += 2;
    }
    o
}

/// Where requests go, and as whom (the demo's supervisor).
#[derive(Clone)]
struct Target {
    base: String,
    token: String,
}

/// The server under test, stopped when dropped.
struct Server {
    child: Child,
    base: String,
    token: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(binary: &str, database_url: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new(binary)
            .args(["serve", "--demo"])
            .env("OPORA_DATABASE_URL", database_url)
            .env("OPORA_BIND", format!("127.0.0.1:{port}"))
            .env("OPORA_JWT_SECRET", "opora-bench-secret-0123456789")
            .env("OPORA_MAX_TOKEN_MINUTES", "720")
            .env("OPORA_RATE_LIMIT", "100000000")
            .env("OPORA_RATE_BURST", "100000000")
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary} (make bench-http builds it): {e}"));
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut token = None;
        while let Some(Ok(line)) = lines.next() {
            if line.starts_with("Token for supervisor") {
                token = lines.next().and_then(Result::ok);
                break;
            }
        }
        // Keep draining the server's output so that it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let base = format!("http://127.0.0.1:{port}");
        let server = Server {
            child,
            base,
            token: token.expect("the demo printed no token"),
        };
        let started = Instant::now();
        while ureq::get(&format!("{}/healthz", server.base))
            .call()
            .is_err()
        {
            assert!(
                // Opening a grown store fills a million name keys first (`--scale`).
                started.elapsed() < Duration::from_secs(3600),
                "the server did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    fn target(&self) -> Target {
        Target {
            base: self.base.clone(),
            token: self.token.clone(),
        }
    }

    fn rss_kb(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
            })
            .unwrap_or(0)
    }
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(30))
        .max_idle_connections_per_host(4)
        .build()
}

fn post(agent: &ureq::Agent, server: &Target, path: &str, body: &Value) -> Value {
    let answer = agent
        .post(&format!("{}{path}", server.base))
        .set("Authorization", &format!("Bearer {}", server.token))
        .send_json(body.clone());
    match answer {
        Ok(r) => r.into_json().unwrap_or(Value::Null),
        Err(ureq::Error::Status(code, r)) => {
            panic!(
                "POST {path}: {code} {}",
                r.into_string().unwrap_or_default()
            )
        }
        Err(e) => panic!("POST {path}: {e}"),
    }
}

const SURNAMES: [&str; 12] = [
    "Kovalenko",
    "Bondarenko",
    "Tkachenko",
    "Kravchenko",
    "Oliinyk",
    "Shevchuk",
    "Polishchuk",
    "Lysenko",
    "Marchenko",
    "Rudenko",
    "Savchenko",
    "Moroz",
];
const GIVEN: [&str; 40] = [
    "Olena",
    "Oksana",
    "Iryna",
    "Nataliia",
    "Tetiana",
    "Svitlana",
    "Yuliia",
    "Mariia",
    "Anna",
    "Olha",
    "Kateryna",
    "Viktoriia",
    "Halyna",
    "Liudmyla",
    "Larysa",
    "Inna",
    "Alla",
    "Daryna",
    "Sofiia",
    "Zlata",
    "Andrii",
    "Oleksandr",
    "Serhii",
    "Volodymyr",
    "Dmytro",
    "Mykola",
    "Ivan",
    "Vasyl",
    "Petro",
    "Yurii",
    "Oleh",
    "Taras",
    "Bohdan",
    "Maksym",
    "Artem",
    "Roman",
    "Denys",
    "Vitalii",
    "Ihor",
    "Pavlo",
];
const PATRONYMIC: [&str; 10] = [
    "Ivanivna",
    "Petrivna",
    "Mykolaivna",
    "Vasylivna",
    "Oleksandrivna",
    "Ivanovych",
    "Petrovych",
    "Mykolaiovych",
    "Vasylovych",
    "Serhiiovych",
];

/// A client's name: every other one a Shevchenko (so that 10,000 of 20,000 share the surname).
fn person(n: usize) -> String {
    let surname = if n.is_multiple_of(2) {
        "Shevchenko"
    } else {
        SURNAMES[n / 2 % SURNAMES.len()]
    };
    format!(
        "{} {} {surname}",
        GIVEN[n / 3 % GIVEN.len()],
        PATRONYMIC[n / 7 % PATRONYMIC.len()]
    )
}

fn client_body(n: usize) -> Value {
    json!({"kind": "person", "display_name": person(n), "district": "Suvorovskyi",
           "date_of_birth": format!("19{:02}-{:02}-{:02}", 50 + n % 50, 1 + n % 12, 1 + n % 28)})
}

/// Seeds `cases` cases through the API (client, report, three moves), on `threads` connections.
fn seed(server: &Server, cases: usize, threads: usize) -> Vec<String> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let next = next.clone();
            let server = server.target();
            std::thread::spawn(move || {
                let agent = agent();
                let mut ids = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= cases {
                        break;
                    }
                    let client = post(&agent, &server, "/api/v1/clients", &client_body(n * 2));
                    let client_id = client["id"].as_str().expect("client id").to_owned();
                    let urgency = if n.is_multiple_of(4) { "urgent" } else { "routine" };
                    let report = post(
                        &agent,
                        &server,
                        "/api/v1/intake-reports",
                        &json!({"source": "hotline", "urgency": urgency, "description": "Children alone at night", "client_id": client_id}),
                    );
                    let report_id = report["id"].as_str().unwrap().to_owned();
                    let path = format!("/api/v1/intake-reports/{report_id}/transitions");
                    post(&agent, &server, &path, &json!({"from": "intake", "to": "verification"}));
                    post(&agent, &server, &path, &json!({"from": "verification", "to": "need_recognition"}));
                    let opened = post(
                        &agent,
                        &server,
                        &path,
                        &json!({"from": "need_recognition", "to": "opened", "work_model": "case_management", "key_worker_id": "demo-supervisor"}),
                    );
                    ids.push(opened["case"]["id"].as_str().unwrap().to_owned());
                }
                ids
            })
        })
        .collect();
    let ids: Vec<String> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    eprintln!(
        "seeded {} cases in {:.0} s",
        ids.len(),
        started.elapsed().as_secs_f64()
    );
    ids
}

/// One scenario's result.
struct Measured {
    rate: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: usize,
}

/// A Lua list of strings for a wrk script.
fn lua_list(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let quoted: Vec<String> = items
        .into_iter()
        .map(|i| format!("{:?}", i.as_ref()))
        .collect();
    format!("{{{}}}", quoted.join(","))
}

/// Runs a scenario with wrk, as issue 10 measured it (one thread, `connections` connections):
/// `warmup` seconds unmeasured, then `seconds`. `request` is the body of the script's Lua
/// `request` function; the server's RSS is sampled while it runs.
fn drive(
    server: &Server,
    o: &Options,
    peak_rss: &AtomicUsize,
    setup: &str,
    request: &str,
) -> Measured {
    let script = format!(
        r#"wrk.headers["Authorization"] = "Bearer {token}"
wrk.headers["Content-Type"] = "application/json"
{setup}
local n = 0
request = function()
  n = n + 1
  {request}
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50), latency:percentile(99)))
end
"#,
        token = server.token
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenario.lua");
    std::fs::write(&path, script).unwrap();
    let run = |seconds: u64| {
        let mut child = Command::new("wrk")
            .args([
                "-t1",
                &format!("-c{}", o.connections),
                &format!("-d{seconds}s"),
            ])
            .arg("-s")
            .arg(&path)
            .arg(&server.base)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run wrk (apt-get install wrk): {e}"));
        while child.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_millis(250));
            peak_rss.fetch_max(server.rss_kb() as usize, Ordering::Relaxed);
        }
        let mut out = String::new();
        std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
        out
    };
    run(o.warmup);
    let out = run(o.seconds);
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix("BENCH "))
        .unwrap_or_else(|| panic!("wrk printed no result: {out}"));
    let v: Vec<f64> = line.split(' ').map(|x| x.parse().unwrap()).collect();
    Measured {
        rate: v[0] / (v[1] / 1e6),
        p50_ms: v[3] / 1000.0,
        p99_ms: v[4] / 1000.0,
        errors: v[2] as usize,
    }
}

/// The wrk request of a new client named as `client_body` names them (its Lua twin).
fn client_request(first: usize) -> (String, String) {
    let setup = format!(
        "local surnames = {}\nlocal given = {}\nlocal patronymic = {}\n",
        lua_list(SURNAMES),
        lua_list(GIVEN),
        lua_list(PATRONYMIC)
    );
    let request = format!(
        r#"local m = 2 * n + {first}
  local surname = (m % 2 == 0) and "Shevchenko" or surnames[math.floor(m / 2) % #surnames + 1]
  local name = given[math.floor(m / 3) % #given + 1] .. " " .. patronymic[math.floor(m / 7) % #patronymic + 1] .. " " .. surname
  local body = string.format('{{"kind":"person","display_name":"%s","district":"Suvorovskyi","date_of_birth":"19%02d-%02d-%02d"}}',
    name, 50 + m % 50, 1 + m % 12, 1 + m % 28)
  return wrk.format("POST", "/api/v1/clients", nil, body)"#
    );
    (setup, request)
}

/// The database's raw rate of one insert per transaction, at the durability the server uses.
fn raw_insert_rate(database_url: &str, connections: usize, seconds: u64) -> f64 {
    let count = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let sqlite = database_url.starts_with("sqlite://");
    let setup = "CREATE TABLE IF NOT EXISTS bench_raw (id TEXT PRIMARY KEY, at TEXT NOT NULL)";
    let threads = if sqlite { 1 } else { connections };
    // The table once, before the clients start (PostgreSQL's CREATE IF NOT EXISTS races).
    match database_url.strip_prefix("sqlite://") {
        Some(path) => SqliteConnection::establish(path)
            .unwrap()
            .batch_execute(setup)
            .unwrap(),
        None => PgConnection::establish(database_url)
            .unwrap()
            .batch_execute(setup)
            .unwrap(),
    }
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (count, stop) = (count.clone(), stop.clone());
            let url = database_url.to_owned();
            std::thread::spawn(move || {
                let mut n = 0usize;
                let mut one = |exec: &mut dyn FnMut(&str)| {
                    exec(&format!(
                        "BEGIN; INSERT INTO bench_raw (id, at) VALUES ('{t}-{n}', '2026-12-02'); COMMIT;"
                    ));
                    n += 1;
                };
                if let Some(path) = url.strip_prefix("sqlite://") {
                    let mut c = SqliteConnection::establish(path).unwrap();
                    c.batch_execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;")
                        .unwrap();
                    while !stop.load(Ordering::Relaxed) {
                        one(&mut |sql| c.batch_execute(sql).unwrap());
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                } else {
                    let mut c = PgConnection::establish(&url).unwrap();
                    while !stop.load(Ordering::Relaxed) {
                        one(&mut |sql| c.batch_execute(sql).unwrap());
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(1));
    let before = count.load(Ordering::Relaxed);
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    let done = count.load(Ordering::Relaxed) - before;
    let elapsed = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.join().unwrap();
    }
    done as f64 / elapsed
}

/// The longest an audit entry waited for the tree during the run, from the checkpoints.
fn integration_delay_ms(database_url: &str) -> i64 {
    let sql = "SELECT COALESCE(MAX(max_delay_ms), 0) AS d FROM audit_checkpoints";
    #[derive(QueryableByName)]
    struct Delay {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        d: i64,
    }
    let rows: Vec<Delay> = if let Some(path) = database_url.strip_prefix("sqlite://") {
        diesel::sql_query(sql)
            .load(&mut SqliteConnection::establish(path).unwrap())
            .unwrap()
    } else {
        diesel::sql_query(sql)
            .load(&mut PgConnection::establish(database_url).unwrap())
            .unwrap()
    };
    rows.first().map_or(0, |r| r.d)
}

fn reset_delays(database_url: &str) {
    execute(
        database_url,
        "DELETE FROM audit_checkpoints WHERE tree_size < (SELECT MAX(tree_size) FROM audit_checkpoints)",
    );
}

/// A SQL statement on the bench's own connection to the database.
fn execute(database_url: &str, sql: &str) {
    match database_url.strip_prefix("sqlite://") {
        // Beside the running server: wait for its writer rather than fail.
        Some(path) => SqliteConnection::establish(path)
            .unwrap()
            .batch_execute(&format!("PRAGMA busy_timeout = 10000; {sql}"))
            .unwrap(),
        None => PgConnection::establish(database_url)
            .unwrap()
            .batch_execute(sql)
            .unwrap(),
    }
}

/// Grows the database from `seeded` to `total` clients and cases, straight in SQL (the API seeds
/// ~100 cases/s): each new case copies a seeded case, report and client with new ids, a quarter of
/// them urgent; the clients' names share 17,576 surnames (~57 each, none a Shevchenko) so that
/// the seeded Shevchenkos stay the one crowded surname. Their name keys are left empty: the
/// server fills them when it opens the store (`backfill_name_keys`), so the duplicate check sees
/// every one of them.
fn grow(database_url: &str, template: &str, seeded: usize, total: usize) {
    let extra = total.saturating_sub(seeded);
    if extra == 0 {
        return;
    }
    let sqlite = database_url.starts_with("sqlite://");
    let (series, id, letter, dob) = if sqlite {
        (
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {extra})"
            ),
            "printf('%s-%08d', '{}', i)",
            "char(97 + i % 26, 97 + (i / 26) % 26, 97 + (i / 676) % 26)",
            "printf('19%02d-%02d-%02d', 50 + i % 50, 1 + i % 12, 1 + i % 28)",
        )
    } else {
        (
            format!("WITH n(i) AS (SELECT generate_series(1, {extra}))"),
            "'{}-' || lpad(i::text, 8, '0')",
            "chr(97 + i % 26) || chr(97 + (i / 26) % 26) || chr(97 + (i / 676) % 26)",
            "make_date(1950 + i % 50, 1 + i % 12, 1 + i % 28)",
        )
    };
    let id = |prefix: &str| id.replace("{}", prefix);
    let given = "trim(substr('Olena  Iryna  Taras  Ivan   Oksana Petro  Anna   Roman  ', (i % 8) * 7 + 1, 7))";
    let sql = format!(
        "{series}
        INSERT INTO clients (id, unit_id, kind, display_name, date_of_birth, sex, phone, address, district,
            version, created_by, created_at, updated_at, name_key, legal_hold)
        SELECT {client}, t.unit_id, t.kind, {given} || ' Kov' || {letter} || 'enko', {dob}, t.sex, t.phone,
            t.address, t.district, t.version, t.created_by, t.created_at, t.updated_at, '', t.legal_hold
        FROM n, (SELECT * FROM clients WHERE id = (SELECT client_id FROM cases WHERE id = '{template}')) t;
        {series}
        INSERT INTO intake_reports (id, unit_id, client_id, source, urgency, description, reporter, received_at,
            stage, rejection_reason, outcome_note, case_id, version, created_by, created_at, updated_at, due_at)
        SELECT {report}, t.unit_id, {client}, t.source, CASE WHEN i % 4 = 0 THEN 'urgent' ELSE 'routine' END,
            t.description, t.reporter, t.received_at, t.stage, t.rejection_reason, t.outcome_note, {case},
            t.version, t.created_by, t.created_at, t.updated_at, t.due_at
        FROM n, (SELECT * FROM intake_reports WHERE case_id = '{template}') t;
        {series}
        INSERT INTO cases (id, unit_id, client_id, report_id, lifecycle_stage, work_model, model_stage, urgency,
            key_worker_id, cycle, closure_reason, opened_at, closed_at, version, created_at, updated_at,
            restricted, assessment_due_at, reassessment_since, replanning_since)
        SELECT {case}, t.unit_id, {client}, {report}, t.lifecycle_stage, t.work_model, t.model_stage,
            CASE WHEN i % 4 = 0 THEN 'urgent' ELSE 'routine' END, t.key_worker_id, t.cycle, t.closure_reason,
            t.opened_at, t.closed_at, t.version, t.created_at, t.updated_at, t.restricted, t.assessment_due_at,
            t.reassessment_since, t.replanning_since
        FROM n, (SELECT * FROM cases WHERE id = '{template}') t;",
        client = id("seed-client"),
        report = id("seed-report"),
        case = id("seed-case"),
    );
    let sql = if sqlite {
        format!("BEGIN; {sql} COMMIT;")
    } else {
        // The copies point at each other; the bench's superuser skips the foreign-key triggers.
        format!("BEGIN; SET LOCAL session_replication_role = replica; {sql} COMMIT; ANALYZE;")
    };
    let started = Instant::now();
    execute(database_url, &sql);
    eprintln!(
        "grew to {total} clients and cases in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

type Row = (String, Measured, String);

/// The scenarios, each against its ceiling; `ids` are cases to get (a random sample is used).
fn scenarios(
    server: &Server,
    o: &Options,
    ids: &[String],
    raw: f64,
    peak: &AtomicUsize,
    shevchenkos: usize,
) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    let healthz = drive(
        server,
        o,
        peak,
        "",
        r#"return wrk.format("GET", "/healthz")"#,
    );
    let ceiling = healthz.rate;
    rows.push((
        "`GET /healthz` (the HTTP ceiling)".into(),
        healthz,
        "—".into(),
    ));

    // Up to 100,000 of the cases, in a random order.
    let sample: Vec<&String> = (0..ids.len().min(100_000))
        .map(|k| &ids[k.wrapping_mul(2_654_435_761) % ids.len()])
        .collect();
    let m = drive(
        server,
        o,
        peak,
        &format!("local ids = {}", lua_list(sample)),
        r#"return wrk.format("GET", "/api/v1/cases/" .. ids[(n * 7919) % #ids + 1])"#,
    );
    let ratio = format!("{:.0}% of healthz", 100.0 * m.rate / ceiling);
    rows.push(("get one case".into(), m, ratio));

    let m = drive(
        server,
        o,
        peak,
        "",
        r#"return wrk.format("GET", "/api/v1/cases?urgency=urgent&limit=20")"#,
    );
    let ratio = format!("{:.0}% of healthz", 100.0 * m.rate / ceiling);
    rows.push(("list `?urgency=urgent&limit=20`".into(), m, ratio));

    let m = drive(
        server,
        o,
        peak,
        "",
        r#"return wrk.format("POST", "/api/v1/intake-reports", nil, '{"source":"hotline","urgency":"routine","description":"Bench report"}')"#,
    );
    let ratio = format!("{:.0}% of raw inserts", 100.0 * m.rate / raw);
    rows.push(("create an intake report".into(), m, ratio));

    // New Shevchenkos, named as the seeded ones are (so each finds its namesakes).
    let (setup, request) = client_request(2_000_000);
    let m = drive(server, o, peak, &setup, &request);
    let ratio = format!("{:.0}% of raw inserts", 100.0 * m.rate / raw);
    rows.push((
        format!("create a client ({shevchenkos} Shevchenkos on record)"),
        m,
        ratio,
    ));
    rows
}

fn print_table(title: &str, rows: &[Row]) {
    println!();
    println!("### {title}");
    println!();
    println!("| operation | r/s | p50 ms | p99 ms | errors | ratio |");
    println!("|---|---|---|---|---|---|");
    for (name, m, ratio) in rows {
        println!(
            "| {name} | {:.0} | {:.2} | {:.2} | {} | {ratio} |",
            m.rate, m.p50_ms, m.p99_ms, m.errors
        );
    }
}

fn run(backend: &str, database_url: &str, raw_url: &str, o: &Options) {
    let server = Server::start(&o.server, database_url);
    let peak = AtomicUsize::new(server.rss_kb() as usize);
    let ids = seed(&server, o.cases, 8);
    // Seeding is not measured: its checkpoints go, so that the delay is the scenarios' own.
    reset_delays(database_url);
    let raw = raw_insert_rate(raw_url, o.connections, o.seconds.min(5));
    // Every seeded client is a Shevchenko (`client_body` of an even number).
    let rows = scenarios(&server, o, &ids, raw, &peak, ids.len());
    let delay = integration_delay_ms(database_url);
    print_table(
        &format!(
            "{backend}: {} cases, {} connections (wrk -t1), {} s after {} s warm-up",
            ids.len(),
            o.connections,
            o.seconds,
            o.warmup
        ),
        &rows,
    );
    println!(
        "| raw: one insert per transaction ({}) | {raw:.0} | | | | |",
        if backend == "SQLite" {
            "WAL, synchronous=NORMAL, 1 writer"
        } else {
            "16 clients, server defaults"
        }
    );
    println!();
    println!(
        "Server peak RSS: {:.0} MB. Longest wait of an audit entry for the tree (checkpoints of the scenarios): {delay} ms.",
        peak.load(Ordering::Relaxed) as f64 / 1024.0
    );
    let Some(total) = o.scale else {
        return;
    };
    drop(server);
    grow(database_url, &ids[0], ids.len(), total);
    let started = Instant::now();
    let server = Server::start(&o.server, database_url);
    eprintln!(
        "the server opened {total} clients (their name keys filled) in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let peak = AtomicUsize::new(server.rss_kb() as usize);
    let mut all = ids.clone();
    all.extend(
        (1..=total - ids.len())
            .step_by(7)
            .map(|i| format!("seed-case-{i:08}")),
    );
    let scaled = scenarios(&server, o, &all, raw, &peak, ids.len());
    println!();
    println!("### {backend}: the same at {total} clients and cases");
    println!();
    println!(
        "| operation | r/s at {} | r/s at {total} | p99 ms at {total} | change |",
        ids.len()
    );
    println!("|---|---|---|---|---|");
    for ((name, before, _), (_, after, _)) in rows.iter().zip(&scaled) {
        println!(
            "| {name} | {:.0} | {:.0} | {:.2} | {:+.0}% |",
            before.rate,
            after.rate,
            after.p99_ms,
            100.0 * (after.rate / before.rate - 1.0)
        );
    }
    println!();
    println!(
        "Server peak RSS at {total}: {:.0} MB.",
        peak.load(Ordering::Relaxed) as f64 / 1024.0
    );
}

fn main() {
    let o = options();
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
    let raw = format!("sqlite://{}", dir.path().join("raw.db").display());
    run("SQLite", &sqlite, &raw, &o);
    if let Ok(url) = std::env::var("OPORA_BENCH_POSTGRES_URL") {
        run("PostgreSQL", &url, &url, &o);
    }
}
