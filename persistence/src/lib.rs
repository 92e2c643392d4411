//! Opora's storage: one diesel schema over SQLite (embedded default) and PostgreSQL, and the use
//! cases the API calls. Each use case is one function on [`Store`] that checks the caller's scope
//! (a record outside it is [`StoreError::NotFound`]) and role ([`StoreError::Forbidden`]), applies
//! the domain, and writes the state change together with its event in one transaction.
//!
//! Functions here are blocking (diesel is synchronous); the API runs them off its async workers.

pub mod accounts;
pub mod approvals;
pub mod assignment;
pub mod audit;
pub mod audit_log;
pub(crate) mod case_records;
pub mod cases;
pub mod casework;
pub mod clients;
pub mod closure;
pub mod confidentiality;
pub mod contacts;
pub mod db;
pub mod directory;
pub mod duplicates;
pub mod error;
pub mod events;
pub(crate) mod facts;
mod layering;
mod login_attempts;
pub mod models;
pub mod questionnaire;
pub mod reference;
pub mod reports;
pub mod retention;
pub mod role_grants;
pub mod safety;
pub mod schema;
pub mod success_stories;
#[cfg(test)]
mod testing;
pub mod visibility;
pub mod work_queue;

use chrono::{DateTime, NaiveDateTime, Utc};
use opora_domain::{Action, Actor, Policy};

pub use db::{AnyConnection, BackendKind};
pub use error::StoreError;

pub type StoreResult<T> = Result<T, StoreError>;

/// The audit log's name in its checkpoints unless configured (`OPORA_AUDIT_LOG_ORIGIN`).
pub const DEFAULT_LOG_ORIGIN: &str = "opora.local/audit";

/// The pool, the backend it talks to, and the [`Policy`] the use cases apply. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: db::Pool,
    backend: BackendKind,
    policy: std::sync::Arc<Policy>,
    log_signer: std::sync::Arc<audit_log::LogSigner>,
    directory_cache: std::sync::Arc<directory::DirectoryCache>,
    /// SQLite's one writer: this instance's writes take turns here (`db::writer_turn`).
    sqlite_writer: std::sync::Arc<db::WriterTurns>,
    /// The group commit of reads' audit entries.
    look_writer: std::sync::Arc<audit::LookWriter>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish()
    }
}

impl Store {
    /// Opens the database the URL names and applies pending migrations.
    pub fn open(url: &str, pool_size: u32) -> StoreResult<Store> {
        Self::open_with_timeout(url, pool_size, db::DEFAULT_POOL_TIMEOUT)
    }

    /// [`Store::open`], waiting at most `pool_timeout` for a connection when all are in use.
    pub fn open_with_timeout(
        url: &str,
        pool_size: u32,
        pool_timeout: std::time::Duration,
    ) -> StoreResult<Store> {
        let (pool, url) = db::connect(url, pool_size, pool_timeout)?;
        let backend = url.kind;
        let sqlite_writer: std::sync::Arc<db::WriterTurns> = Default::default();
        if backend == BackendKind::Sqlite {
            db::start_checkpointer(url.target, std::sync::Arc::downgrade(&sqlite_writer));
        }
        let store = Store {
            pool,
            backend,
            policy: Default::default(),
            log_signer: std::sync::Arc::new(audit_log::LogSigner::derived(
                DEFAULT_LOG_ORIGIN,
                "opora development audit key",
            )),
            directory_cache: Default::default(),
            sqlite_writer,
            look_writer: Default::default(),
        };
        // Name match keys are folded in Rust, so rows older than them are filled here.
        store.backfill_name_keys()?;
        Ok(store)
    }

    /// The same store applying another policy (deadlines, calendar, caseload, family load).
    pub fn with_policy(mut self, policy: Policy) -> Store {
        self.policy = std::sync::Arc::new(policy);
        self
    }

    /// The same store signing audit checkpoints with this key (the API sets the configured one).
    pub fn with_log_signer(mut self, signer: audit_log::LogSigner) -> Store {
        self.log_signer = std::sync::Arc::new(signer);
        self
    }

    pub(crate) fn log_signer(&self) -> &audit_log::LogSigner {
        &self.log_signer
    }

    /// The policy in force (the defaults unless [`Store::with_policy`] set another).
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The same as [`Store::policy`]: where intake deadlines and the calendar are read.
    pub fn intake_policy(&self) -> &Policy {
        &self.policy
    }

    pub fn backend(&self) -> BackendKind {
        self.backend
    }

    /// Whether the database answers.
    pub fn ping(&self) -> StoreResult<()> {
        use diesel::connection::SimpleConnection;
        self.conn()?.batch_execute("SELECT 1")?;
        Ok(())
    }

    pub(crate) fn conn(&self) -> StoreResult<db::PooledConnection> {
        Ok(self.pool.get()?)
    }

    /// Runs `f` in one write transaction.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let written = self.write_log(f);
        // Whatever it changed, the next caller reads the directory's version again.
        self.directory_cache.stale();
        written
    }

    /// Runs `f` in one write transaction that changes the audit log's tables only (the looks of
    /// reads, the sequencer's work), so the callers answered from memory stay so
    /// ([`Store::write`] ends that).
    pub(crate) fn write_log<T>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        // WAL with synchronous=NORMAL does not sync at commit, so there is no commit cost for
        // writers to share (group commit); the turn removes the busy waits.
        let _turn = db::writer_turn(self.backend, &self.sqlite_writer);
        let mut conn = self.conn()?;
        db::write_transaction(&mut conn, f)
    }

    /// Runs a read `f` on one consistent snapshot, in parallel with other reads, and appends
    /// the looks it recorded before returning its answer (a group commit with the reads
    /// finishing at the same time): every look is on record before anything is shown.
    pub(crate) fn read_recorded<T>(
        &self,
        f: impl FnOnce(&mut AnyConnection, &mut audit::Looks) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut looks = audit::Looks::default();
        let value = self.read(|conn| {
            // In debug builds (the tests), PostgreSQL refuses any write a read makes by mistake:
            // it would run outside SQLite's writer queue.
            if cfg!(debug_assertions) {
                if let AnyConnection::Postgresql(pg) = conn {
                    diesel::connection::SimpleConnection::batch_execute(
                        pg,
                        "SET TRANSACTION READ ONLY",
                    )?;
                }
            }
            f(conn, &mut looks)
        })?;
        if !looks.entries.is_empty() {
            self.look_writer.append(looks.entries, |entries| {
                self.write_log(|conn| audit::append_all(conn, entries))
            })?;
        }
        Ok(value)
    }

    /// Runs `f` on one consistent snapshot.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut conn = self.conn()?;
        db::read_transaction(&mut conn, f)
    }
}

/// Who is asking, as the staff record says: their roles, their unit, and the units they see
/// (their unit's subtree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub actor: Actor,
    pub unit_id: String,
    pub scope: Vec<String>,
}

impl Caller {
    /// The caller as visibility sees them ([`opora_domain::access::sees_case`]).
    pub fn viewer(&self) -> opora_domain::access::Viewer<'_> {
        opora_domain::access::Viewer {
            staff_id: &self.actor.staff_id,
            scope: &self.scope,
        }
    }

    pub fn sees_unit(&self, unit_id: &str) -> bool {
        self.viewer().sees_unit(unit_id)
    }

    /// Forbidden unless one of the caller's roles permits the action.
    pub fn require(&self, action: Action) -> StoreResult<()> {
        if self.actor.may(action) {
            Ok(())
        } else {
            Err(StoreError::Forbidden(action))
        }
    }

    /// Not found unless the record's unit is in scope; then forbidden unless the role permits.
    pub(crate) fn require_on(&self, unit_id: &str, action: Action) -> StoreResult<()> {
        if !self.sees_unit(unit_id) {
            return Err(StoreError::NotFound);
        }
        self.require(action)
    }
}

/// A page request: items after the cursor (an id), in creation order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    pub after: Option<String>,
    pub limit: u32,
}

impl PageRequest {
    pub const DEFAULT_LIMIT: u32 = 50;
    pub const MAX_LIMIT: u32 = 200;

    pub(crate) fn fetch_limit(&self) -> i64 {
        i64::from(self.limit.clamp(1, Self::MAX_LIMIT)) + 1
    }
}

/// One page and the cursor of the next, if there is more.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Cuts the over-fetched row off and makes the cursor from the last id kept.
    pub(crate) fn from_rows(
        mut rows: Vec<T>,
        request: &PageRequest,
        id: impl Fn(&T) -> &str,
    ) -> Self {
        let keep = usize::try_from(request.fetch_limit() - 1).unwrap_or(usize::MAX);
        let more = rows.len() > keep;
        rows.truncate(keep);
        let next_cursor = if more {
            rows.last().map(|r| id(r).to_owned())
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

/// A new id: UUIDv7, ordered by creation time, so ids are stable cursors.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The current time as stored (UTC, microseconds: both backends keep that precision).
pub fn now() -> NaiveDateTime {
    use chrono::SubsecRound;
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A stored time (UTC, without its zone) as the domain takes it.
pub(crate) fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(at, Utc)
}
