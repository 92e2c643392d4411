//! Throughput of the store's main use cases on a real database: registering a report and
//! walking it to an opened case, a lifecycle transition round trip (state + event in one
//! transaction, guards' facts read first), and reading a page of 50 cases with their allowed
//! transitions. SQLite always; PostgreSQL too when OPORA_BENCH_POSTGRES_URL is set.
//!
//!     cargo bench -p opora-persistence
//!
//! Plain `std::time::Instant` timing (no criterion: it would double the clean build); each figure
//! is the median of 5 rounds.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use opora_domain::{
    ClientKind, ClosureReason, LifecycleStage, ReportSource, Role, Stage, TransitionRequest,
    UnitKind, Urgency, WorkModel,
};
use opora_persistence::cases::{CaseFilter, CaseTransition};
use opora_persistence::clients::NewClient;
use opora_persistence::directory::{NewUnit, StaffUpsert};
use opora_persistence::reports::{NewReport, ReportTransition};
use opora_persistence::{Caller, PageRequest, Store};

fn setup(url: &str) -> (Store, Caller) {
    let store = Store::open(url, 4).unwrap();
    let unit = store
        .create_unit(NewUnit {
            parent_id: None,
            kind: UnitKind::Department,
            name: "Bench".into(),
        })
        .unwrap();
    store
        .upsert_staff(StaffUpsert {
            id: "bench".into(),
            full_name: None,
            roles: vec![Role::Supervisor],
            unit_id: Some(unit.id),
            active: true,
        })
        .unwrap();
    let caller = store.authenticate("bench").unwrap().unwrap();
    (store, caller)
}

fn open_case(store: &Store, caller: &Caller) -> String {
    let client = store
        .create_client(
            caller,
            NewClient {
                unit_id: None,
                kind: ClientKind::Person,
                display_name: "Bench client".into(),
                date_of_birth: None,
                sex: None,
                phone: None,
                address: None,
                district: None,
                members: Vec::new(),
            },
        )
        .unwrap();
    let report = store
        .create_report(
            caller,
            NewReport {
                unit_id: None,
                client_id: Some(client.client.id),
                source: ReportSource::Hotline.code().into(),
                urgency: Urgency::Routine,
                description: "bench".into(),
                reporter: None,
                received_at: None,
            },
        )
        .unwrap();
    let mut from = LifecycleStage::Intake;
    let mut case = None;
    for to in [
        LifecycleStage::Verification,
        LifecycleStage::NeedRecognition,
        LifecycleStage::Opened,
    ] {
        let opening = to == LifecycleStage::Opened;
        let outcome = store
            .transition_report(
                caller,
                &report.report.id,
                ReportTransition {
                    from,
                    to,
                    reason: None,
                    rejection_reason: None,
                    case_id: None,
                    work_model: opening.then_some(WorkModel::CaseManagement),
                    key_worker_id: opening.then(|| "bench".to_owned()),
                    client_id: None,
                },
            )
            .unwrap();
        from = to;
        case = outcome.case.map(|c| c.id);
    }
    case.unwrap()
}

fn median(mut rounds: Vec<Duration>) -> Duration {
    rounds.sort();
    rounds[rounds.len() / 2]
}

fn measure(label: &str, backend: &str, n: u32, mut f: impl FnMut()) {
    let rounds: Vec<Duration> = (0..5)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..n {
                f();
            }
            start.elapsed() / n
        })
        .collect();
    let per_op = median(rounds);
    println!(
        "| {backend} | {label} | {:.3} ms | {:.0}/s |",
        per_op.as_secs_f64() * 1e3,
        1.0 / per_op.as_secs_f64()
    );
}

fn run(backend: &str, url: &str) {
    let (store, caller) = setup(url);
    measure(
        "client + report + 3 report transitions (open a case)",
        backend,
        50,
        || {
            open_case(&store, &caller);
        },
    );
    let case = open_case(&store, &caller);
    let mut open = true;
    measure(
        "case transition: closure or reopening (facts, guards, state + 2 events)",
        backend,
        200,
        || {
            let (from, mut request) = if open {
                let mut r = TransitionRequest::to(Stage::Lifecycle(LifecycleStage::Closed));
                r.closure_reason = Some(ClosureReason::ClientEndedAgreement);
                ("opened", r)
            } else {
                (
                    "closed",
                    TransitionRequest::to(Stage::Lifecycle(LifecycleStage::Opened)),
                )
            };
            request.reason = Some("bench".into());
            store
                .transition_case(
                    &caller,
                    &case,
                    CaseTransition {
                        from: from.into(),
                        request,
                    },
                )
                .unwrap();
            open = !open;
        },
    );
    for _ in 0..1000 {
        open_case(&store, &caller);
    }
    let page = PageRequest {
        after: None,
        limit: 50,
    };
    measure(
        "list 50 of 1,000+ cases with allowed transitions",
        backend,
        20,
        || {
            let cases = store
                .list_cases(&caller, &CaseFilter::default(), &page)
                .unwrap();
            assert_eq!(cases.items.len(), 50);
        },
    );
    measure(
        "read one case with its allowed transitions",
        backend,
        200,
        || {
            store.get_case(&caller, &case).unwrap();
        },
    );
}

fn main() {
    println!("| backend | operation | median per op | throughput (1 thread) |");
    println!("|---|---|---|---|");
    let dir = tempfile::tempdir().unwrap();
    run(
        "SQLite (WAL, file)",
        &format!("sqlite://{}", dir.path().join("bench.db").display()),
    );
    if let Ok(base) = std::env::var("OPORA_BENCH_POSTGRES_URL") {
        let schema = format!("bench_{}", uuid::Uuid::now_v7().simple());
        let url = opora_persistence::db::postgres_schema_url(&base, &schema).unwrap();
        run("PostgreSQL 15 (local, fsync off)", &url);
    }
}
