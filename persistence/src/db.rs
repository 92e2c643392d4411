//! Connections: one diesel codebase over SQLite (the embedded default) and PostgreSQL.
//!
//! The backend is chosen by the URL scheme (`sqlite://…`, `postgres://…`); anything else is refused
//! with a clear message rather than silently creating a file. SQLite connections get WAL, foreign
//! keys and a busy timeout; write transactions begin IMMEDIATE so a read-then-write transaction
//! cannot fail on a stale snapshot. Migrations are embedded and applied at start, under a
//! PostgreSQL advisory lock so that two instances starting at once do not race.

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel::RunQueryDsl;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::StoreError;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// Any advisory-lock key works as long as every instance uses the same one.
const MIGRATION_LOCK_KEY: i64 = 0x6f70_6f72_615f_6d67; // "opora_mg"

/// A connection to whichever backend the URL named.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// The SQL backend of [`AnyConnection`], for boxed queries.
pub type Backend = MultiBackend;

/// The backend a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Sqlite,
    Postgres,
}

/// A parsed database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    pub kind: BackendKind,
    /// What the driver is given: a file path for SQLite, the URL itself for PostgreSQL.
    pub(crate) target: String,
}

impl DatabaseUrl {
    /// Parses `sqlite://PATH` or `postgres://…` / `postgresql://…`; anything else is refused.
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(StoreError::Config(
                    "sqlite:// URL names no file; use e.g. sqlite://./data/opora.db".into(),
                ));
            }
            return Ok(DatabaseUrl {
                kind: BackendKind::Sqlite,
                target: path.to_owned(),
            });
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl {
                kind: BackendKind::Postgres,
                target: url.to_owned(),
            });
        }
        let scheme = url.split("://").next().unwrap_or(url);
        Err(StoreError::Config(format!(
            "unsupported database URL scheme {scheme:?}: use sqlite://PATH or postgres://USER@HOST/DB"
        )))
    }

    fn connect(&self) -> Result<AnyConnection, diesel::ConnectionError> {
        match self.kind {
            BackendKind::Sqlite => {
                if let Some(parent) = std::path::Path::new(&self.target).parent() {
                    if !parent.as_os_str().is_empty() && self.target != ":memory:" {
                        std::fs::create_dir_all(parent).map_err(|e| {
                            diesel::ConnectionError::BadConnection(format!(
                                "cannot create the directory of {}: {e}",
                                self.target
                            ))
                        })?;
                    }
                }
                SqliteConnection::establish(&self.target).map(AnyConnection::Sqlite)
            }
            BackendKind::Postgres => {
                PgConnection::establish(&self.target).map(AnyConnection::Postgresql)
            }
        }
    }
}

/// Opens connections of the URL's backend and passes the real connection error through.
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
}

impl r2d2::ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, Self::Error> {
        self.url
            .connect()
            .map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        std::thread::panicking()
            || <AnyConnection as TransactionManager<AnyConnection>>::is_broken_transaction_manager(
                conn,
            )
    }
}

/// The longest one statement may run on PostgreSQL before the server cancels it (the request then
/// fails instead of holding a connection; SQLite's writers queue in the instance instead).
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(30);

/// Per-connection settings: SQLite's pragmas, PostgreSQL's statement timeout.
#[derive(Debug, Clone, Copy)]
struct SqlitePragmas;

impl r2d2::CustomizeConnection<AnyConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut AnyConnection) -> Result<(), diesel::r2d2::Error> {
        if let AnyConnection::Postgresql(pg) = conn {
            pg.batch_execute(&format!(
                "SET statement_timeout = {}",
                STATEMENT_TIMEOUT.as_millis()
            ))
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        if let AnyConnection::Sqlite(sqlite) = conn {
            sqlite
                .batch_execute(
                    // WAL is set once, when the file is first opened (see `connect`); it
                    // persists in the file.
                    // Checkpoints run on their own thread (`start_checkpointer`), not in the
                    // commit that happens to fill the WAL, whose writer (and every reader's audit
                    // commit queued behind it) would wait for the checkpoint's fsync.
                    "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
                     PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0;",
                )
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConnection = r2d2::PooledConnection<Manager>;

/// How long a request waits for a connection of an exhausted pool before it is answered 503 with
/// `Retry-After` (instead of hanging).
pub const DEFAULT_POOL_TIMEOUT: Duration = Duration::from_secs(3);

/// Opens a pool for the URL and applies pending migrations; returns the URL as parsed.
pub fn connect(
    url: &str,
    max_size: u32,
    pool_timeout: Duration,
) -> Result<(Pool, DatabaseUrl), StoreError> {
    let url = DatabaseUrl::parse(url)?;
    let kind = url.kind;
    // Migrate on one connection before the pool opens the others, so that SQLite's switch to
    // WAL and the schema change do not meet half-opened connections.
    let mut first = url
        .connect()
        .map_err(|e| StoreError::Unavailable(format!("cannot open the database: {e}")))?;
    if let AnyConnection::Sqlite(sqlite) = &mut first {
        enable_wal(sqlite)?;
    }
    migrate(&mut first)?;
    drop(first);
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(pool_timeout)
        // A PostgreSQL connection can die under us (a failover, a restart): test it on
        // checkout, so that a request never gets a dead one. A SQLite file cannot; skipping the
        // test saves a statement per checkout.
        .test_on_check_out(kind == BackendKind::Postgres)
        .connection_customizer(Box::new(SqlitePragmas))
        .build(Manager { url: url.clone() })
        .map_err(|e| StoreError::Unavailable(format!("cannot open the database: {e}")))?;
    Ok((pool, url))
}

/// How often the checkpointer copies the WAL into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// A WAL longer than this (pages) is restarted from its beginning once checkpointed, so that
/// readers that always overlap cannot make it grow without bound.
const WAL_RESTART_PAGES: i64 = 16_384;

#[derive(diesel::QueryableByName)]
struct CheckpointOutcome {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    busy: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    log: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    checkpointed: i32,
}

/// SQLite's checkpoints, off the request path: a thread with its own connection copies the WAL
/// into the database every [`CHECKPOINT_EVERY`] (PASSIVE: alongside readers and the writer,
/// which never wait for it), and restarts a long WAL under the writer's turn. It stops when the
/// store (its writer turn) is gone.
pub(crate) fn start_checkpointer(path: String, writer: std::sync::Weak<WriterTurns>) {
    let run = move || {
        // A restart waits (up to a second) for the readers still in the old WAL to finish.
        let mut conn = match SqliteConnection::establish(&path)
            .map_err(|e| e.to_string())
            .and_then(|mut c| {
                c.batch_execute("PRAGMA busy_timeout = 1000;")
                    .map(|()| c)
                    .map_err(|e| e.to_string())
            }) {
            Ok(conn) => conn,
            Err(e) => return log::error!("SQLite checkpointer cannot open {path}: {e}"),
        };
        let checkpoint = |conn: &mut SqliteConnection, mode: &str| {
            diesel::sql_query(format!("PRAGMA wal_checkpoint({mode})"))
                .get_result::<CheckpointOutcome>(conn)
        };
        loop {
            std::thread::sleep(CHECKPOINT_EVERY);
            let Some(writer) = writer.upgrade() else {
                return;
            };
            match checkpoint(&mut conn, "PASSIVE") {
                Ok(done)
                    if done.busy == 0
                        && i64::from(done.log) > WAL_RESTART_PAGES
                        && done.checkpointed == done.log =>
                {
                    let _turn = writer.lock();
                    if let Err(e) = checkpoint(&mut conn, "RESTART") {
                        log::warn!("SQLite WAL restart: {e}");
                    }
                }
                Ok(_) => {}
                Err(e) => log::warn!("SQLite checkpoint: {e}"),
            }
        }
    };
    if let Err(e) = std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(run)
    {
        log::error!("cannot start the SQLite checkpointer: {e}");
    }
}

/// Switches a SQLite file to WAL (it stays so). Changing the journal mode does not wait on the
/// busy handler, so an instance starting while another migrates retries for a while.
fn enable_wal(sqlite: &mut SqliteConnection) -> Result<(), StoreError> {
    sqlite.batch_execute("PRAGMA busy_timeout = 5000;")?;
    let mut attempt = 0;
    loop {
        match sqlite.batch_execute("PRAGMA journal_mode = WAL;") {
            Ok(()) => return Ok(()),
            Err(e) if attempt < 100 && e.to_string().contains("locked") => {
                attempt += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Applies the embedded migrations of the connection's backend.
pub fn migrate(conn: &mut AnyConnection) -> Result<(), StoreError> {
    let failed = |e: Box<dyn std::error::Error + Send + Sync>| {
        StoreError::Unavailable(format!("database migration failed: {e}"))
    };
    match conn {
        AnyConnection::Sqlite(sqlite) => {
            // One writer at a time: the others wait (busy_timeout) and then find nothing pending.
            sqlite.batch_execute("PRAGMA busy_timeout = 5000;")?;
            AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
            match sqlite.run_pending_migrations(SQLITE_MIGRATIONS) {
                Ok(_) => AnsiTransactionManager::commit_transaction(sqlite)?,
                Err(e) => {
                    let _ = AnsiTransactionManager::rollback_transaction(sqlite);
                    return Err(failed(e));
                }
            }
        }
        AnyConnection::Postgresql(pg) => {
            pg.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
            let result = pg.run_pending_migrations(POSTGRES_MIGRATIONS).map(|_| ());
            pg.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))?;
            result.map_err(failed)?;
        }
    }
    Ok(())
}

/// Creates a fresh PostgreSQL schema and returns a URL whose connections use it: a database of
/// one's own inside a shared server (tests; later, tenants).
pub fn postgres_schema_url(base_url: &str, schema: &str) -> Result<String, StoreError> {
    if !schema
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(StoreError::Config(format!(
            "invalid schema name {schema:?}"
        )));
    }
    let mut conn = PgConnection::establish(base_url)
        .map_err(|e| StoreError::Unavailable(format!("cannot reach PostgreSQL: {e}")))?;
    conn.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))?;
    let separator = if base_url.contains('?') { '&' } else { '?' };
    Ok(format!(
        "{base_url}{separator}options=-csearch_path%3D{schema}"
    ))
}

/// Runs `f` in one write transaction: IMMEDIATE on SQLite, a plain transaction on PostgreSQL.
/// Everything `f` writes commits together or not at all.
pub fn write_transaction<T>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    match conn {
        AnyConnection::Postgresql(_) => conn.transaction(f),
        AnyConnection::Sqlite(sqlite) => {
            AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
            match f(conn) {
                Ok(value) => {
                    <AnyConnection as TransactionManager<AnyConnection>>::commit_transaction(conn)?;
                    Ok(value)
                }
                Err(e) => {
                    // The caller's error is the one that matters; a failed rollback marks the
                    // connection broken and the pool discards it.
                    let _ =
                        <AnyConnection as TransactionManager<AnyConnection>>::rollback_transaction(
                            conn,
                        );
                    Err(e)
                }
            }
        }
    }
}

/// SQLite's one writer: this instance's writes take turns on it, first come first served.
pub type WriterTurns = parking_lot::FairMutex<()>;

/// SQLite has one writer: an instance's writes take their turn here, in the order they came,
/// instead of retrying in SQLite's busy handler (whose back-off sleeps made the tail latency);
/// a fair lock, so that a writer of many short transactions (the audit sequencer) cannot take
/// the turn back ahead of those waiting. Take it before the connection, so that a writer
/// waiting its turn holds no connection readers need.
pub(crate) fn writer_turn(
    backend: BackendKind,
    sqlite_writer: &WriterTurns,
) -> Option<parking_lot::FairMutexGuard<'_, ()>> {
    match backend {
        BackendKind::Sqlite => Some(sqlite_writer.lock()),
        BackendKind::Postgres => None,
    }
}

/// Inserts many rows in one statement: `batch_insert!(conn, table, &rows)`. Diesel's
/// multi-backend connection has no multi-row insert, so each backend's connection runs its own.
macro_rules! batch_insert {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            $crate::db::AnyConnection::Postgresql(pg) => {
                diesel::insert_into($table).values($rows).execute(pg)
            }
            $crate::db::AnyConnection::Sqlite(sqlite) => {
                diesel::insert_into($table).values($rows).execute(sqlite)
            }
        }
    };
}
pub(crate) use batch_insert;

/// Checks a compare-and-set: the `UPDATE … WHERE id = ? AND version = ?` (or `AND stage = ?`) of a
/// state change must have changed exactly one row. When it changed none, another request changed
/// the row after it was read: `lost` reads the row again and names what it is now, so the loser's
/// 409/412 carries the state current after the winner. On PostgreSQL the `UPDATE` waited for the
/// winner's commit and re-checked the condition; on SQLite the write lock serialised them.
pub(crate) fn compare_and_set(
    updated: usize,
    lost: impl FnOnce() -> Result<StoreError, StoreError>,
) -> Result<(), StoreError> {
    match updated {
        1 => Ok(()),
        0 => Err(lost()?),
        n => Err(StoreError::Corrupt(format!(
            "a compare-and-set changed {n} rows instead of one"
        ))),
    }
}

/// Runs `f` in a read transaction, so that what it reads is one consistent snapshot.
pub fn read_transaction<T>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    conn.transaction(f)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[derive(diesel::QueryableByName)]
    struct AutoCheckpoint {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        wal_autocheckpoint: i32,
    }

    #[test]
    fn the_wal_is_copied_into_the_database_file_by_the_checkpointer_not_by_commits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wal.db");
        let store = crate::Store::open(&format!("sqlite://{}", path.display()), 2).unwrap();
        let before = std::fs::metadata(&path).unwrap().len();
        let auto = store
            .read(|conn| {
                Ok(diesel::sql_query("PRAGMA wal_autocheckpoint")
                    .get_result::<AutoCheckpoint>(conn)?)
            })
            .unwrap();
        assert_eq!(auto.wal_autocheckpoint, 0, "commits must not checkpoint");
        store
            .write(|conn| {
                conn.batch_execute(
                    "CREATE TABLE wal_test (x BLOB); \
                     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) \
                     INSERT INTO wal_test SELECT randomblob(1000) FROM n;",
                )?;
                Ok(())
            })
            .unwrap();
        let started = std::time::Instant::now();
        while std::fs::metadata(&path).unwrap().len() < before + 2_000_000 {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the WAL never reached the database file"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    #[test]
    fn a_sqlite_url_names_a_file() {
        let url = DatabaseUrl::parse("sqlite://./data/opora.db");
        assert!(
            matches!(url, Ok(DatabaseUrl { kind: BackendKind::Sqlite, ref target }) if target == "./data/opora.db")
        );
    }

    #[test]
    fn postgres_urls_of_both_spellings_are_accepted() {
        for url in ["postgres://u@h/db", "postgresql://u@h:5432/db"] {
            assert!(matches!(
                DatabaseUrl::parse(url),
                Ok(DatabaseUrl {
                    kind: BackendKind::Postgres,
                    ..
                })
            ));
        }
    }

    #[test]
    fn an_unknown_scheme_is_refused_with_the_supported_ones_named() {
        for url in ["mysql://u@h/db", "opora.db", "sqlite://"] {
            match DatabaseUrl::parse(url) {
                Err(StoreError::Config(message)) => {
                    assert!(message.contains("sqlite://"), "{message}")
                }
                other => panic!("{url}: expected a configuration error, got {other:?}"),
            }
        }
    }
}

/// The two migration trees and the one schema must not drift apart (vaultwarden's weak spot).
#[cfg(test)]
mod schema_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use diesel::prelude::*;

    use crate::models::*;
    use crate::schema::*;
    use crate::Store;

    fn migration_names(backend: &str) -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../migrations")
            .join(backend);
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn both_migration_trees_hold_the_same_migrations() {
        let sqlite = migration_names("sqlite");
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, migration_names("postgres"));
    }

    use crate::testing::stores;

    #[test]
    fn every_table_reads_back_through_the_shared_schema_on_each_backend() {
        let (stores, _dir) = stores();
        for store in stores {
            let mut conn = store.conn().unwrap();
            let conn = &mut *conn;
            units::table.select(Unit::as_select()).load(conn).unwrap();
            staff::table
                .select(StaffRow::as_select())
                .load(conn)
                .unwrap();
            staff_roles::table
                .select((staff_roles::staff_id, staff_roles::role))
                .load::<(String, String)>(conn)
                .unwrap();
            clients::table
                .select(ClientRow::as_select())
                .load(conn)
                .unwrap();
            client_members::table
                .select(MemberRow::as_select())
                .load(conn)
                .unwrap();
            intake_reports::table
                .select(ReportRow::as_select())
                .load(conn)
                .unwrap();
            cases::table
                .select(CaseRow::as_select())
                .load(conn)
                .unwrap();
            events::table
                .select(EventRow::as_select())
                .load(conn)
                .unwrap();
            assessments::table
                .select(AssessmentRow::as_select())
                .load(conn)
                .unwrap();
            plans::table
                .select(PlanRow::as_select())
                .load(conn)
                .unwrap();
            plan_goals::table
                .select(GoalRow::as_select())
                .load(conn)
                .unwrap();
            plan_actions::table
                .select(ActionRow::as_select())
                .load(conn)
                .unwrap();
            agreements::table
                .select(AgreementRow::as_select())
                .load(conn)
                .unwrap();
            evaluations::table
                .select(EvaluationRow::as_select())
                .load(conn)
                .unwrap();
            client_categories::table
                .select(CategoryRow::as_select())
                .load(conn)
                .unwrap();
            client_phones::table
                .select(PhoneRow::as_select())
                .load(conn)
                .unwrap();
            client_questionnaires::table
                .select(QuestionnaireRow::as_select())
                .load(conn)
                .unwrap();
            audit_entries::table
                .select(crate::audit::AuditEntry::as_select())
                .load(conn)
                .unwrap();
            audit_payloads::table
                .select((
                    audit_payloads::seq,
                    audit_payloads::payload,
                    audit_payloads::erased_at,
                ))
                .load::<(i64, Option<String>, Option<chrono::NaiveDateTime>)>(conn)
                .unwrap();
        }
    }

    #[test]
    fn a_row_written_reads_back_equal_on_each_backend() {
        let (stores, _dir) = stores();
        for store in stores {
            let unit = store
                .create_unit(crate::directory::NewUnit {
                    parent_id: None,
                    kind: opora_domain::UnitKind::Department,
                    name: "Відділ «Опора»".into(),
                })
                .unwrap();
            let mut conn = store.conn().unwrap();
            let read: Unit = units::table
                .find(&unit.id)
                .select(Unit::as_select())
                .first(&mut *conn)
                .unwrap();
            assert_eq!(read, unit, "{:?}", store.backend());
        }
    }

    #[test]
    fn instances_starting_at_once_migrate_one_database_safely() {
        let dir = tempfile::tempdir().unwrap();
        let url = match std::env::var("OPORA_TEST_DATABASE_URL") {
            Ok(base) if base.starts_with("postgres") => {
                super::postgres_schema_url(&base, &format!("m_{}", uuid::Uuid::now_v7().simple()))
                    .unwrap()
            }
            _ => format!("sqlite://{}", dir.path().join("race.db").display()),
        };
        let starts: Vec<_> = (0..4)
            .map(|_| {
                let url = url.clone();
                std::thread::spawn(move || Store::open(&url, 1).map(|_| ()))
            })
            .collect();
        for start in starts {
            start.join().unwrap().unwrap();
        }
    }
}
