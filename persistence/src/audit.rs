//! The tamper-evident audit log (issue: confidentiality and audit). Every change, and every look at
//! a case-scoped record, appends one entry: who, when, what, which record, and for disclosures the
//! purpose and legal basis. Entries are chained: each holds the hash of the one before and of its
//! own payload, so a changed, removed or inserted entry breaks the chain at that point. Payloads
//! are stored apart and may be erased (GDPR art. 17) without breaking the chain.
//!
//! One writer at a time: on PostgreSQL an advisory lock held to the end of the transaction, so
//! concurrent instances cannot fork the chain; on SQLite the immediate write transaction.

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use opora_domain::Action;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::schema::{audit_entries, audit_payloads};
use crate::visibility::visible_case_records;
use crate::{new_id, AnyConnection, Caller, Page, PageRequest, Store, StoreResult};

const CHAIN_LOCK_KEY: i64 = 0x6f70_6f72_615f_6175; // "opora_au"
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

/// The hash an entry must have, from its fields and its predecessor's hash.
pub fn entry_hash(e: &AuditEntry) -> String {
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
    let text: String = fields
        .iter()
        .map(|f| format!("{}:{f}\n", f.len()))
        .collect();
    sha256(&text)
}

/// Records that the caller looked at a record (every look is on record).
pub fn viewed(
    conn: &mut AnyConnection,
    caller: &Caller,
    subject_type: &str,
    subject_id: &str,
    unit_id: &str,
    case_id: Option<&str>,
) -> StoreResult<()> {
    append(
        conn,
        Entry {
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
        },
    )?;
    Ok(())
}

/// Records that the caller listed records: one entry naming every id shown.
pub fn listed(
    conn: &mut AnyConnection,
    caller: &Caller,
    what: &str,
    ids: Vec<&str>,
) -> StoreResult<()> {
    append(
        conn,
        Entry {
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
        },
    )?;
    Ok(())
}

/// Records that the caller listed these cases: one entry with the ids of the unrestricted ones,
/// and one per restricted case filed under that case, so that an entry never names a restricted
/// case to someone who does not see it.
pub fn listed_cases(
    conn: &mut AnyConnection,
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
        append(
            conn,
            Entry {
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
            },
        )?;
    }
    Ok(())
}

/// Appends one entry; call it inside the write transaction of the change it records, last.
pub fn append(conn: &mut AnyConnection, entry: Entry<'_>) -> StoreResult<AuditEntry> {
    if let AnyConnection::Postgresql(pg) = conn {
        pg.batch_execute(&format!("SELECT pg_advisory_xact_lock({CHAIN_LOCK_KEY})"))?;
    }
    let last: Option<(i64, String)> = audit_entries::table
        .order(audit_entries::seq.desc())
        .select((audit_entries::seq, audit_entries::entry_hash))
        .first(conn)
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_owned()),
    };
    let payload = entry.payload.to_string();
    let mut row = AuditEntry {
        seq,
        id: new_id(),
        at: entry.at,
        actor_id: entry.actor_id.to_owned(),
        action: entry.action.to_owned(),
        subject_type: entry.subject_type.to_owned(),
        subject_id: entry.subject_id.to_owned(),
        unit_id: entry.unit_id.to_owned(),
        case_id: entry.case_id.map(str::to_owned),
        purpose: entry.purpose.map(str::to_owned),
        legal_basis: entry.legal_basis.map(str::to_owned),
        payload_hash: sha256(&payload),
        prev_hash,
        entry_hash: String::new(),
    };
    row.entry_hash = entry_hash(&row);
    diesel::insert_into(audit_entries::table)
        .values(&row)
        .execute(conn)?;
    diesel::insert_into(audit_payloads::table)
        .values((
            audit_payloads::seq.eq(seq),
            audit_payloads::payload.eq(Some(payload)),
        ))
        .execute(conn)?;
    Ok(row)
}

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub valid: bool,
    pub entries_checked: i64,
    /// The latest entry's sequence number and hash (export it to anchor the chain outside).
    pub head: Option<(i64, String)>,
    /// The first entry that does not verify, and why.
    pub first_broken: Option<(i64, String)>,
    /// Payloads erased on purpose (their hash is kept in the chain).
    pub erased_payloads: i64,
}

/// Walks the whole chain from the start.
pub fn verify(conn: &mut AnyConnection) -> StoreResult<Verification> {
    let entries: Vec<AuditEntry> = audit_entries::table
        .order(audit_entries::seq)
        .select(AuditEntry::as_select())
        .load(conn)?;
    let payloads: Vec<(i64, Option<String>, Option<NaiveDateTime>)> = audit_payloads::table
        .order(audit_payloads::seq)
        .select((
            audit_payloads::seq,
            audit_payloads::payload,
            audit_payloads::erased_at,
        ))
        .load(conn)?;
    let payloads: std::collections::HashMap<i64, (Option<String>, Option<NaiveDateTime>)> =
        payloads.into_iter().map(|(s, p, e)| (s, (p, e))).collect();
    let mut prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut erased = 0;
    let mut broken = None;
    for e in &entries {
        let problem = if e.seq != expected_seq {
            Some(format!("sequence gap: expected {expected_seq}"))
        } else if e.prev_hash != prev {
            Some("does not follow the entry before it".to_owned())
        } else if entry_hash(e) != e.entry_hash {
            Some("its fields do not match its hash".to_owned())
        } else {
            match payloads.get(&e.seq) {
                None | Some((None, None)) => Some("its payload is missing".to_owned()),
                Some((_, Some(_))) => {
                    erased += 1;
                    None
                }
                Some((Some(payload), None)) if sha256(payload) == e.payload_hash => None,
                Some((Some(_), None)) => Some("its payload was changed".to_owned()),
            }
        };
        if let Some(reason) = problem {
            broken = Some((e.seq, reason));
            break;
        }
        prev = e.entry_hash.clone();
        expected_seq += 1;
    }
    Ok(Verification {
        valid: broken.is_none(),
        entries_checked: if broken.is_some() {
            expected_seq - 1
        } else {
            entries.len() as i64
        },
        head: entries.last().map(|e| (e.seq, e.entry_hash.clone())),
        first_broken: broken,
        erased_payloads: erased,
    })
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
        self.write(|conn| {
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
            let unfiled: std::collections::BTreeSet<&str> = items
                .iter()
                .filter(|r| r.entry.case_id.is_none() && r.entry.subject_type == "report")
                .map(|r| r.entry.subject_id.as_str())
                .collect();
            let mut hidden = std::collections::HashSet::new();
            if !unfiled.is_empty() {
                let linked: Vec<(String, Option<String>)> = crate::schema::intake_reports::table
                    .filter(crate::schema::intake_reports::id.eq_any(unfiled))
                    .filter(crate::schema::intake_reports::case_id.is_not_null())
                    .select((
                        crate::schema::intake_reports::id,
                        crate::schema::intake_reports::case_id,
                    ))
                    .load(conn)?;
                for (report, case) in linked {
                    if !crate::visibility::visible_record(conn, caller, "", case.as_deref())? {
                        hidden.insert(report);
                    }
                }
            }
            items.retain(|r| {
                !(r.entry.case_id.is_none()
                    && r.entry.subject_type == "report"
                    && hidden.contains(&r.entry.subject_id))
            });
            // Reading the log is on the log: who looked for what, and how much they saw.
            append(
                conn,
                Entry {
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
                },
            )?;
            Ok(Page { items, next_cursor })
        })
    }

    /// Walks the whole chain (auditors; also `opora audit verify`).
    pub fn verify_audit(&self, caller: Option<&Caller>) -> StoreResult<Verification> {
        if let Some(caller) = caller {
            caller.require(Action::ReadAudit)?;
        }
        self.read(verify)
    }

    /// Erases one entry's payload, keeping its hash in the chain (data-subject erasure).
    pub fn erase_audit_payload(&self, seq: i64) -> StoreResult<()> {
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
    use opora_domain::{ClientKind, Role, UnitKind};

    use crate::clients::NewClient;
    use crate::directory::{NewUnit, StaffUpsert};

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
