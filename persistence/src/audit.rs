//! The audit log (issue: confidentiality and audit). Every change, and every look at a
//! case-scoped record, appends one entry: who, when, what, which record, and for disclosures the
//! purpose and legal basis. Payloads are stored apart and may be erased (GDPR art. 17) without
//! breaking the log: an entry holds only its payload's hash.
//!
//! Appending takes no lock: the entry goes to the queue in the transaction of what it records.
//! [`crate::audit_log`] sequences queued entries into a Merkle tree with signed checkpoints, and
//! verifies it.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use opora_domain::Action;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::schema::{audit_entries, audit_payloads, audit_queue};
use crate::visibility::visible_case_records;
use crate::{new_id, AnyConnection, Caller, Page, PageRequest, Store, StoreResult};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = audit_entries)]
pub struct AuditEntry {
    pub seq: i64,
    pub id: String,
    pub at: NaiveDateTime,
    pub actor_id: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    pub unit_id: String,
    pub case_id: Option<String>,
    pub purpose: Option<String>,
    pub legal_basis: Option<String>,
    pub payload_hash: String,
    pub prev_hash: String,
    pub entry_hash: String,
}

/// What to append: the record concerned and what happened to it.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub actor_id: &'a str,
    pub at: NaiveDateTime,
    /// e.g. `case.transition`, `client.updated`, `case.viewed`.
    pub action: &'a str,
    pub subject_type: &'a str,
    pub subject_id: &'a str,
    pub unit_id: &'a str,
    pub case_id: Option<&'a str>,
    pub purpose: Option<&'a str>,
    pub legal_basis: Option<&'a str>,
    pub payload: Value,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The hex SHA-256 of a text: entry hashes, token hashes, digests of content the log must not hold.
pub(crate) fn sha256(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// A stored time as text, as the chain and exports write it.
pub fn format_time(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The hash an entry must have, from its fields (and, for entries chained before the log became
/// a tree, its predecessor's hash).
pub fn entry_hash(e: &AuditEntry) -> String {
    sha256(&entry_text(e))
}

/// The entry as the tree's leaf holds it: its fields, length-prefixed, with its payload's hash.
pub fn entry_text(e: &AuditEntry) -> String {
    let fields = [
        e.prev_hash.as_str(),
        &e.seq.to_string(),
        &e.id,
        &e.at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        &e.actor_id,
        &e.action,
        &e.subject_type,
        &e.subject_id,
        &e.unit_id,
        e.case_id.as_deref().unwrap_or(""),
        e.purpose.as_deref().unwrap_or(""),
        e.legal_basis.as_deref().unwrap_or(""),
        &e.payload_hash,
    ];
    // Length-prefixed, so that no two different field lists hash the same text.
    fields
        .iter()
        .map(|f| format!("{}:{f}\n", f.len()))
        .collect()
}

/// Records that the caller looked at a record (every look is on record).
pub fn viewed(
    conn: &mut (impl Record + ?Sized),
    caller: &Caller,
    subject_type: &str,
    subject_id: &str,
    unit_id: &str,
    case_id: Option<&str>,
) -> StoreResult<()> {
    conn.record(Entry {
        actor_id: &caller.actor.staff_id,
        at: crate::now(),
        action: &format!("{subject_type}.viewed"),
        subject_type,
        subject_id,
        unit_id,
        case_id,
        purpose: None,
        legal_basis: None,
        payload: Value::Null,
    })?;
    Ok(())
}

/// Records that the caller listed records: one entry naming every id shown.
pub fn listed(
    conn: &mut (impl Record + ?Sized),
    caller: &Caller,
    what: &str,
    ids: Vec<&str>,
) -> StoreResult<()> {
    conn.record(Entry {
        actor_id: &caller.actor.staff_id,
        at: crate::now(),
        action: &format!("{what}.listed"),
        subject_type: what,
        subject_id: "*",
        unit_id: &caller.unit_id,
        case_id: None,
        purpose: None,
        legal_basis: None,
        payload: serde_json::json!({ "ids": ids }),
    })?;
    Ok(())
}

/// Records that the caller listed these cases: one entry with the ids of the unrestricted ones,
/// and one per restricted case filed under that case, so that an entry never names a restricted
/// case to someone who does not see it.
pub fn listed_cases(
    conn: &mut (impl Record + ?Sized),
    caller: &Caller,
    cases: &[&crate::models::CaseRow],
) -> StoreResult<()> {
    listed(
        conn,
        caller,
        "case",
        cases
            .iter()
            .filter(|c| !c.restricted)
            .map(|c| c.id.as_str())
            .collect(),
    )?;
    for case in cases.iter().filter(|c| c.restricted) {
        conn.record(Entry {
            actor_id: &caller.actor.staff_id,
            at: crate::now(),
            action: "case.listed",
            subject_type: "case",
            subject_id: &case.id,
            unit_id: &case.unit_id,
            case_id: Some(&case.id),
            purpose: None,
            legal_basis: None,
            payload: serde_json::json!({ "ids": [case.id] }),
        })?;
    }
    Ok(())
}

/// An entry to append, owning its fields: what a read collects to append after it, and a row
/// of the queue (less its id).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_queue)]
pub(crate) struct OwnedEntry {
    pub(crate) actor_id: String,
    pub(crate) at: NaiveDateTime,
    pub(crate) action: String,
    pub(crate) subject_type: String,
    pub(crate) subject_id: String,
    pub(crate) unit_id: String,
    pub(crate) case_id: Option<String>,
    pub(crate) purpose: Option<String>,
    pub(crate) legal_basis: Option<String>,
    pub(crate) payload: String,
}

impl From<Entry<'_>> for OwnedEntry {
    fn from(e: Entry<'_>) -> Self {
        OwnedEntry {
            actor_id: e.actor_id.to_owned(),
            at: e.at,
            action: e.action.to_owned(),
            subject_type: e.subject_type.to_owned(),
            subject_id: e.subject_id.to_owned(),
            unit_id: e.unit_id.to_owned(),
            case_id: e.case_id.map(str::to_owned),
            purpose: e.purpose.map(str::to_owned),
            legal_basis: e.legal_basis.map(str::to_owned),
            payload: e.payload.to_string(),
        }
    }
}

/// Where an entry goes: straight into the queue inside a write transaction, or into [`Looks`],
/// the entries of a read appended when the read is done.
pub trait Record {
    fn record(&mut self, entry: Entry<'_>) -> StoreResult<()>;
}

impl Record for AnyConnection {
    fn record(&mut self, entry: Entry<'_>) -> StoreResult<()> {
        append(self, entry)
    }
}

/// The looks of a read (`Store::read_recorded`): appended, by a group commit shared with
/// concurrent reads ([`LookWriter`]), before the read's answer is returned; so a read runs on its
/// own connection in parallel with others and never holds the writer while it reads.
#[derive(Debug, Default)]
pub struct Looks {
    pub(crate) entries: Vec<OwnedEntry>,
}

impl Record for Looks {
    fn record(&mut self, entry: Entry<'_>) -> StoreResult<()> {
        self.entries.push(entry.into());
        Ok(())
    }
}

/// The looks of reads waiting for their commit, and the outcome of the commits that took them.
#[derive(Debug, Default)]
struct Waiting {
    /// Batches not yet taken by a commit, by ticket.
    queued: Vec<(u64, Vec<OwnedEntry>)>,
    /// Outcomes of taken batches whose reader has not picked them up yet.
    done: std::collections::HashMap<u64, Result<(), String>>,
    /// A reader is committing a group now.
    committing: bool,
    next_ticket: u64,
}

/// The group commit of reads' looks, led by the readers themselves (the writer queue of
/// LevelDB, the binlog group commit of MySQL): the first reader to arrive commits every batch
/// waiting, in one transaction and one turn of SQLite's writer, while later readers queue; when
/// it is done, a reader whose batch is still queued leads the next group. An uncontended read
/// commits its own looks on its own thread, with no hand-off to another thread.
#[derive(Debug, Default)]
pub(crate) struct LookWriter {
    waiting: std::sync::Mutex<Waiting>,
    committed: std::sync::Condvar,
}

impl LookWriter {
    /// At most this many reads share one commit.
    const GROUP: usize = 256;

    fn lock(&self) -> std::sync::MutexGuard<'_, Waiting> {
        self.waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Appends the entries, returning once they are committed (by this reader or another).
    pub(crate) fn append(
        &self,
        entries: Vec<OwnedEntry>,
        commit: impl Fn(&[OwnedEntry]) -> StoreResult<()>,
    ) -> StoreResult<()> {
        let unavailable = |why: String| crate::StoreError::Unavailable(format!("audit log: {why}"));
        let mut waiting = self.lock();
        let ticket = waiting.next_ticket;
        waiting.next_ticket += 1;
        waiting.queued.push((ticket, entries));
        loop {
            if let Some(outcome) = waiting.done.remove(&ticket) {
                return outcome.map_err(unavailable);
            }
            if waiting.committing {
                waiting = self
                    .committed
                    .wait(waiting)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                continue;
            }
            // This reader leads: it takes the queued batches (its own among them) and commits.
            waiting.committing = true;
            let take = waiting.queued.len().min(Self::GROUP);
            let group: Vec<(u64, Vec<OwnedEntry>)> = waiting.queued.drain(..take).collect();
            drop(waiting);
            let entries: Vec<OwnedEntry> =
                group.iter().flat_map(|(_, e)| e.iter().cloned()).collect();
            // A panic in the commit must not leave the readers queued behind it waiting for ever.
            let outcome =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| commit(&entries)))
                    .unwrap_or_else(|_| {
                        Err(crate::StoreError::Unavailable("the commit panicked".into()))
                    })
                    .map_err(|e| e.to_string());
            waiting = self.lock();
            for (t, _) in group {
                waiting.done.insert(t, outcome.clone());
            }
            waiting.committing = false;
            self.committed.notify_all();
        }
    }
}

/// Appends one entry to the queue; call it inside the transaction of the change (or the look)
/// it records, so that both commit together. Takes no lock: the sequencer
/// ([`crate::audit_log`]) gives the entry its place in the log shortly after.
pub fn append(conn: &mut AnyConnection, entry: Entry<'_>) -> StoreResult<()> {
    append_all(conn, &[entry.into()])
}

/// Appends entries to the queue in one statement per hundred.
pub(crate) fn append_all(conn: &mut AnyConnection, entries: &[OwnedEntry]) -> StoreResult<()> {
    for chunk in entries.chunks(100) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|e| (audit_queue::entry_id.eq(new_id()), e))
            .collect();
        crate::db::batch_insert!(conn, audit_queue::table, rows)?;
    }
    Ok(())
}

/// Which of these entries the caller may not see although their unit is in scope: a report's
/// entries from before a case was opened from it carry no case, and are seen through the
/// report's case now (a restriction covers them too). By sequence number.
pub(crate) fn hidden_report_entries<'a>(
    conn: &mut AnyConnection,
    caller: &Caller,
    entries: impl Iterator<Item = &'a AuditEntry>,
) -> StoreResult<std::collections::HashSet<i64>> {
    let unfiled: Vec<&AuditEntry> = entries
        .filter(|e| e.case_id.is_none() && e.subject_type == "report")
        .collect();
    let mut hidden = std::collections::HashSet::new();
    if unfiled.is_empty() {
        return Ok(hidden);
    }
    let reports: std::collections::BTreeSet<&str> =
        unfiled.iter().map(|e| e.subject_id.as_str()).collect();
    let linked: Vec<(String, Option<String>)> = crate::schema::intake_reports::table
        .filter(crate::schema::intake_reports::id.eq_any(reports))
        .filter(crate::schema::intake_reports::case_id.is_not_null())
        .select((
            crate::schema::intake_reports::id,
            crate::schema::intake_reports::case_id,
        ))
        .load(conn)?;
    let mut hidden_reports = std::collections::HashSet::new();
    for (report, case) in linked {
        if !crate::visibility::visible_record(conn, caller, "", case.as_deref())? {
            hidden_reports.insert(report);
        }
    }
    hidden.extend(
        unfiled
            .iter()
            .filter(|e| hidden_reports.contains(&e.subject_id))
            .map(|e| e.seq),
    );
    Ok(hidden)
}

/// When `actor` did `action` since `since`, oldest first: in the log or still queued.
pub(crate) fn recent_actions(
    conn: &mut AnyConnection,
    actor: &str,
    action: &str,
    since: NaiveDateTime,
) -> StoreResult<Vec<NaiveDateTime>> {
    let mut times: Vec<NaiveDateTime> = audit_entries::table
        .filter(audit_entries::actor_id.eq(actor))
        .filter(audit_entries::action.eq(action))
        .filter(audit_entries::at.gt(since))
        .select(audit_entries::at)
        .load(conn)?;
    times.extend(
        audit_queue::table
            .filter(audit_queue::actor_id.eq(actor))
            .filter(audit_queue::action.eq(action))
            .filter(audit_queue::at.gt(since))
            .select(audit_queue::at)
            .load::<NaiveDateTime>(conn)?,
    );
    times.sort();
    Ok(times)
}

/// Which entries an auditor asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Entries about this record, or about anything of this case ("who viewed this case").
    pub subject_id: Option<String>,
    /// What one staff member did.
    pub actor_id: Option<String>,
    pub action: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// An entry with its payload, unless erased.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub entry: AuditEntry,
    pub payload: Option<Value>,
}

impl Store {
    /// Entries of the caller's units, oldest first (auditors).
    pub fn audit_entries(
        &self,
        caller: &Caller,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<AuditRecord>> {
        caller.require(Action::ReadAudit)?;
        // Everything committed before the question is in the answer.
        self.integrate_audit()?;
        self.read_recorded(|conn, looks| {
            let mut query = audit_entries::table
                .filter(visible_case_records!(audit_entries, caller))
                .order(audit_entries::seq)
                .limit(page.fetch_limit())
                .select(AuditEntry::as_select())
                .into_boxed();
            if let Some(after) = page.after.as_deref().and_then(|a| a.parse::<i64>().ok()) {
                query = query.filter(audit_entries::seq.gt(after));
            }
            if let Some(subject) = &filter.subject_id {
                query = query.filter(
                    audit_entries::subject_id
                        .eq(subject.clone())
                        .or(audit_entries::case_id.eq(subject.clone())),
                );
            }
            if let Some(actor) = &filter.actor_id {
                query = query.filter(audit_entries::actor_id.eq(actor.clone()));
            }
            if let Some(action) = &filter.action {
                query = query.filter(audit_entries::action.eq(action.clone()));
            }
            if let Some(from) = filter.from {
                query = query.filter(audit_entries::at.ge(from));
            }
            if let Some(to) = filter.to {
                query = query.filter(audit_entries::at.lt(to));
            }
            let rows = query.load(conn)?;
            let seqs: Vec<i64> = rows.iter().map(|e| e.seq).collect();
            let payloads: std::collections::HashMap<i64, Option<String>> = audit_payloads::table
                .filter(audit_payloads::seq.eq_any(&seqs))
                .select((audit_payloads::seq, audit_payloads::payload))
                .load::<(i64, Option<String>)>(conn)?
                .into_iter()
                .collect();
            let records: Vec<AuditRecord> = rows
                .into_iter()
                .map(|entry| {
                    let payload = payloads
                        .get(&entry.seq)
                        .cloned()
                        .flatten()
                        .and_then(|p| serde_json::from_str(&p).ok());
                    AuditRecord { entry, payload }
                })
                .collect();
            let limit = usize::try_from(page.fetch_limit() - 1).unwrap_or(usize::MAX);
            let more = records.len() > limit;
            let mut items = records;
            items.truncate(limit);
            let next_cursor = if more {
                items.last().map(|r| r.entry.seq.to_string())
            } else {
                None
            };
            // A report's entries from before a case was opened from it carry no case: they are
            // seen through the report's case now (a restriction covers them too).
            let hidden = hidden_report_entries(conn, caller, items.iter().map(|r| &r.entry))?;
            items.retain(|r| !hidden.contains(&r.entry.seq));
            // Reading the log is on the log: who looked for what, and how much they saw.
            looks.record(Entry {
                actor_id: &caller.actor.staff_id,
                at: crate::now(),
                action: "audit.listed",
                subject_type: "audit",
                subject_id: "*",
                unit_id: &caller.unit_id,
                case_id: None,
                purpose: None,
                legal_basis: None,
                payload: serde_json::json!({
                    "subject_id": filter.subject_id,
                    "actor_id": filter.actor_id,
                    "action": filter.action,
                    "from": filter.from.map(format_time),
                    "to": filter.to.map(format_time),
                    "after": page.after,
                    "entries": items.len(),
                }),
            })?;
            Ok(Page { items, next_cursor })
        })
    }

    /// Erases one entry's payload, keeping its hash in the chain (data-subject erasure).
    pub fn erase_audit_payload(&self, seq: i64) -> StoreResult<()> {
        self.integrate_audit()?;
        self.write(|conn| {
            diesel::update(audit_payloads::table.find(seq))
                .set((
                    audit_payloads::payload.eq(None::<String>),
                    audit_payloads::erased_at.eq(Some(crate::now())),
                ))
                .execute(conn)?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use diesel::connection::SimpleConnection;
    use opora_domain::{ClientKind, Role, UnitKind};

    use crate::clients::NewClient;
    use crate::directory::{NewUnit, StaffUpsert};
    use crate::StoreError;

    fn owned(n: usize) -> OwnedEntry {
        OwnedEntry {
            actor_id: "w".into(),
            at: crate::now(),
            action: "case.viewed".into(),
            subject_type: "case".into(),
            subject_id: format!("case-{n}"),
            unit_id: "u".into(),
            case_id: None,
            purpose: None,
            legal_basis: None,
            payload: "{}".into(),
        }
    }

    #[test]
    fn every_look_is_committed_once_and_concurrent_readers_share_commits() {
        let writer = std::sync::Arc::new(LookWriter::default());
        let committed = std::sync::Arc::new(std::sync::Mutex::new(Vec::<Vec<String>>::new()));
        let readers: Vec<_> = (0..8)
            .map(|r| {
                let (writer, committed) = (writer.clone(), committed.clone());
                std::thread::spawn(move || {
                    for i in 0..50 {
                        writer
                            .append(vec![owned(r * 1000 + i)], |group| {
                                // A commit that takes a while, so that readers queue behind it.
                                std::thread::sleep(std::time::Duration::from_micros(300));
                                let ids = group.iter().map(|e| e.subject_id.clone()).collect();
                                committed.lock().unwrap().push(ids);
                                Ok(())
                            })
                            .unwrap();
                    }
                })
            })
            .collect();
        for r in readers {
            r.join().unwrap();
        }
        let groups = committed.lock().unwrap();
        let mut all: Vec<&String> = groups.iter().flatten().collect();
        all.sort();
        let before = all.len();
        all.dedup();
        assert_eq!((before, all.len()), (400, 400), "each look once");
        assert!(
            groups.len() < 400,
            "no commit was shared: {} commits",
            groups.len()
        );
    }

    #[test]
    fn a_failed_or_panicking_commit_is_every_waiting_readers_error_and_the_next_one_commits() {
        let writer = LookWriter::default();
        let failed = writer.append(vec![owned(1)], |_| {
            Err(StoreError::Unavailable("disk full".into()))
        });
        assert!(matches!(failed, Err(StoreError::Unavailable(m)) if m.contains("disk full")));
        let panicked = writer.append(vec![owned(2)], |_| panic!("a bug"));
        assert!(matches!(panicked, Err(StoreError::Unavailable(_))));
        // The queue is not left waiting behind the panic.
        assert!(writer.append(vec![owned(3)], |_| Ok(())).is_ok());
    }

    /// A store (SQLite, or PostgreSQL when given) with a few entries in its chain.
    fn store_with_entries() -> (Store, Caller, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = match std::env::var("OPORA_TEST_DATABASE_URL") {
            Ok(base) if base.starts_with("postgres") => crate::db::postgres_schema_url(
                &base,
                &format!("a_{}", uuid::Uuid::now_v7().simple()),
            )
            .unwrap(),
            _ => format!("sqlite://{}", dir.path().join("audit.db").display()),
        };
        let store = Store::open(&url, 2).unwrap();
        let unit = store
            .create_unit(NewUnit {
                parent_id: None,
                kind: UnitKind::Department,
                name: "D".into(),
            })
            .unwrap();
        store
            .upsert_staff(StaffUpsert {
                id: "w".into(),
                full_name: None,
                roles: vec![Role::CaseManager, Role::Auditor],
                unit_id: Some(unit.id),
                active: true,
            })
            .unwrap();
        let caller = store.authenticate("w").unwrap().unwrap();
        for name in ["A", "B", "C"] {
            let client = store
                .create_client(
                    &caller,
                    NewClient {
                        unit_id: None,
                        kind: ClientKind::Person,
                        display_name: name.into(),
                        date_of_birth: None,
                        sex: None,
                        phone: None,
                        address: None,
                        district: None,
                        members: Vec::new(),
                    },
                )
                .unwrap();
            store.get_client(&caller, &client.client.id).unwrap();
        }
        store.integrate_audit().unwrap();
        (store, caller, dir)
    }

    fn tamper(store: &Store, sql: &str) {
        let mut conn = store.conn().unwrap();
        conn.batch_execute(sql).unwrap();
    }

    #[test]
    fn an_untouched_chain_verifies_and_names_its_head() {
        let (store, caller, _dir) = store_with_entries();
        let v = store.verify_audit(Some(&caller)).unwrap();
        assert!(v.valid, "{v:?}");
        assert_eq!(v.entries_checked, 6);
        assert_eq!(v.head.map(|(seq, hash)| (seq, hash.len())), Some((6, 64)));
    }

    #[test]
    fn a_changed_entry_is_detected_where_it_was_changed() {
        let (store, _caller, _dir) = store_with_entries();
        tamper(
            &store,
            "UPDATE audit_entries SET actor_id = 'someone-else' WHERE seq = 3",
        );
        let v = store.verify_audit(None).unwrap();
        assert_eq!((v.valid, v.first_broken.map(|b| b.0)), (false, Some(3)));
    }

    #[test]
    fn a_changed_payload_is_detected() {
        let (store, _caller, _dir) = store_with_entries();
        tamper(
            &store,
            "UPDATE audit_payloads SET payload = '{\"after\":\"forged\"}' WHERE seq = 2",
        );
        let v = store.verify_audit(None).unwrap();
        assert_eq!(
            v.first_broken,
            Some((2, "its payload was changed".to_owned()))
        );
    }

    #[test]
    fn a_removed_entry_is_detected() {
        let (store, _caller, _dir) = store_with_entries();
        tamper(
            &store,
            "DELETE FROM audit_payloads WHERE seq = 4; DELETE FROM audit_entries WHERE seq = 4",
        );
        let v = store.verify_audit(None).unwrap();
        assert_eq!((v.valid, v.first_broken.map(|b| b.0)), (false, Some(5)));
    }

    #[test]
    fn an_erased_payload_keeps_the_chain_valid() {
        let (store, _caller, _dir) = store_with_entries();
        store.erase_audit_payload(1).unwrap();
        let v = store.verify_audit(None).unwrap();
        assert!(v.valid, "{v:?}");
        assert_eq!(v.erased_payloads, 1);
    }

    #[test]
    fn who_looked_at_a_record_is_on_record() {
        let (store, caller, _dir) = store_with_entries();
        let viewed = store
            .audit_entries(
                &caller,
                &AuditFilter {
                    action: Some("client.viewed".into()),
                    ..AuditFilter::default()
                },
                &PageRequest {
                    after: None,
                    limit: 50,
                },
            )
            .unwrap();
        assert_eq!(viewed.items.len(), 3);
        assert!(viewed.items.iter().all(|r| r.entry.actor_id == "w"));
    }
}
