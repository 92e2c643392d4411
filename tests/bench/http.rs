//! `make bench-http`: the server under load, against the machine's own ceilings, in one run.
//!
//! For each database (SQLite in a temp file; PostgreSQL when `OPORA_BENCH_POSTGRES_URL` names
//! one) it starts the release server (`target/release/opora serve --demo`) on a free port, seeds
//! cases through the API, and drives each scenario with `--connections` keep-alive connections
//! (one thread each) for a warm-up and then `--seconds`:
//!
//! - `GET /healthz`: this server's HTTP ceiling on this machine;
//! - get one case (a random seeded one), list `?urgency=urgent&limit=20`;
//! - create an intake report; create a client (10,000 of the seeded clients share the surname);
//!
//! and measures in the same run the database's raw rate of one insert per transaction at the
//! server's durability (SQLite WAL with synchronous=NORMAL, one writer; PostgreSQL with
//! `--connections` clients). It prints one table: requests per second, p50, p99, the ratio the
//! issue's target names, the server's peak RSS, and the audit log's longest integration delay.
//! Numbers, not assertions: the table goes into BENCHMARKS.md.

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
}

fn options() -> Options {
    let mut o = Options {
        cases: 10_000,
        seconds: 10,
        warmup: 3,
        connections: 16,
        server: "target/release/opora".into(),
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
            .env("OPORA_DB_POOL_SIZE", "16")
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
                started.elapsed() < Duration::from_secs(60),
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

/// Runs `request` on `connections` threads: `warmup` seconds unmeasured, then `seconds`.
fn drive(
    server: &Server,
    o: &Options,
    peak_rss: &AtomicUsize,
    request: impl Fn(&ureq::Agent, &str, &str, usize) -> bool + Send + Sync + 'static,
) -> Measured {
    let request = Arc::new(request);
    let measuring = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let handles: Vec<_> = (0..o.connections)
        .map(|t| {
            let (request, measuring, stop) = (request.clone(), measuring.clone(), stop.clone());
            let (base, token) = (server.base.clone(), server.token.clone());
            std::thread::spawn(move || {
                let agent = agent();
                let mut latencies: Vec<u32> = Vec::with_capacity(100_000);
                let mut errors = 0;
                let mut n = t * 1_000_003;
                while !stop.load(Ordering::Relaxed) {
                    let start = Instant::now();
                    let ok = request(&agent, &base, &token, n);
                    n += 1;
                    if measuring.load(Ordering::Relaxed) {
                        latencies.push(start.elapsed().as_micros() as u32);
                        if !ok {
                            errors += 1;
                        }
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(o.warmup));
    measuring.store(true, Ordering::Relaxed);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(o.seconds) {
        std::thread::sleep(Duration::from_millis(250));
        peak_rss.fetch_max(server.rss_kb() as usize, Ordering::Relaxed);
    }
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    let mut all = Vec::new();
    let mut errors = 0;
    for h in handles {
        let (l, e) = h.join().unwrap();
        all.extend(l);
        errors += e;
    }
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map_or(0.0, |us| f64::from(*us) / 1000.0)
    };
    Measured {
        rate: all.len() as f64 / elapsed,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        errors,
    }
}

fn get_ok(agent: &ureq::Agent, url: &str, token: &str) -> bool {
    agent
        .get(url)
        .set("Authorization", &format!("Bearer {token}"))
        .call()
        .is_ok()
}

fn post_ok(agent: &ureq::Agent, url: &str, token: &str, body: Value) -> bool {
    agent
        .post(url)
        .set("Authorization", &format!("Bearer {token}"))
        .send_json(body)
        .is_ok()
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
    let sql = "DELETE FROM audit_checkpoints WHERE tree_size < (SELECT MAX(tree_size) FROM audit_checkpoints)";
    if let Some(path) = database_url.strip_prefix("sqlite://") {
        SqliteConnection::establish(path)
            .unwrap()
            .batch_execute(sql)
            .unwrap();
    } else {
        PgConnection::establish(database_url)
            .unwrap()
            .batch_execute(sql)
            .unwrap();
    }
}

fn run(backend: &str, database_url: &str, raw_url: &str, o: &Options) {
    let server = Server::start(&o.server, database_url);
    let peak = AtomicUsize::new(server.rss_kb() as usize);
    let ids = Arc::new(seed(&server, o.cases, 8));
    // Seeding is not measured: its checkpoints go, so that the delay is the scenarios' own.
    reset_delays(database_url);
    let raw = raw_insert_rate(raw_url, o.connections, o.seconds.min(5));
    let mut rows: Vec<(String, Measured, String)> = Vec::new();

    let healthz = drive(&server, o, &peak, |a, base, _, _| {
        a.get(&format!("{base}/healthz")).call().is_ok()
    });
    let ceiling = healthz.rate;
    rows.push((
        "`GET /healthz` (the HTTP ceiling)".into(),
        healthz,
        "—".into(),
    ));

    let cases = ids.clone();
    let m = drive(&server, o, &peak, move |a, base, token, n| {
        let id = &cases[n.wrapping_mul(2_654_435_761) % cases.len()];
        get_ok(a, &format!("{base}/api/v1/cases/{id}"), token)
    });
    let ratio = format!("{:.0}% of healthz", 100.0 * m.rate / ceiling);
    rows.push(("get one case".into(), m, ratio));

    let m = drive(&server, o, &peak, |a, base, token, _| {
        get_ok(
            a,
            &format!("{base}/api/v1/cases?urgency=urgent&limit=20"),
            token,
        )
    });
    let ratio = format!("{:.0}% of healthz", 100.0 * m.rate / ceiling);
    rows.push(("list `?urgency=urgent&limit=20`".into(), m, ratio));

    let m = drive(&server, o, &peak, |a, base, token, _| {
        post_ok(
            a,
            &format!("{base}/api/v1/intake-reports"),
            token,
            json!({"source": "hotline", "urgency": "routine", "description": "Bench report"}),
        )
    });
    let ratio = format!("{:.0}% of raw inserts", 100.0 * m.rate / raw);
    rows.push(("create an intake report".into(), m, ratio));

    let m = drive(&server, o, &peak, |a, base, token, n| {
        post_ok(
            a,
            &format!("{base}/api/v1/clients"),
            token,
            client_body(2 * n + 2_000_000),
        )
    });
    let ratio = format!("{:.0}% of raw inserts", 100.0 * m.rate / raw);
    rows.push((
        format!(
            "create a client ({} Shevchenkos on record)",
            o.cases / 2 + o.cases % 2
        ),
        m,
        ratio,
    ));

    let delay = integration_delay_ms(database_url);
    println!();
    println!(
        "### {backend}: {} cases, {} connections, {} s after {} s warm-up",
        ids.len(),
        o.connections,
        o.seconds,
        o.warmup
    );
    println!();
    println!("| operation | r/s | p50 ms | p99 ms | errors | ratio |");
    println!("|---|---|---|---|---|---|");
    for (name, m, ratio) in &rows {
        println!(
            "| {name} | {:.0} | {:.2} | {:.2} | {} | {ratio} |",
            m.rate, m.p50_ms, m.p99_ms, m.errors
        );
    }
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
