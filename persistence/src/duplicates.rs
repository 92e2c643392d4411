//! The duplicate check (issue 3): before registering a client, staff search by name and date of
//! birth; after registering one, the API warns when it looks like someone already on record.
//!
//! Names are compared on their match keys (`opora_domain::names`): tolerant of case, spacing,
//! diacritics, Cyrillic/Latin transliteration and Ukrainian/Russian first-name forms. A candidate
//! is a client whose display name, or one of whose family members' names, matches the name
//! searched, and whose date of birth is unknown or equal to the one given (a known date that
//! differs rules the candidate out).
//!
//! Every search is on the audit record (`client.duplicate_search`), with the folded keys searched,
//! never the names. A match in a unit outside the caller's scope is reported only on the exact
//! name and the full date of birth (`names::reported_outside_scope`), as "a possible match in
//! unit X" to those who open cases and "a possible match elsewhere" to others
//! (`access::may_learn_unit_of_match`), nothing about the person; explicit searches are capped
//! per caller and hour (`Policy::duplicate_searches_per_hour`, 429 with `Retry-After`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;
use opora_domain::access::may_learn_unit_of_match;
use opora_domain::names::{
    index_keys, match_keys, name_key, probe_keys, reported_outside_scope, NameMatch,
};
use opora_domain::{Action, ClientKind};
use serde_json::json;

use crate::models::{Client, ClientRow, MemberRow};
use crate::schema::{client_members, client_name_words, clients, units};
use crate::{AnyConnection, Caller, Store, StoreResult};

/// At most this many visible candidates are returned, best first.
pub const MAX_CANDIDATES: usize = 50;

/// At most this many records are taken from the index per name searched (those sharing the most
/// blocking keys first). The index holds blocking keys (`names::index_keys`: the whole name, the
/// name less one word, one-edit variants of each word), not single words, and a search looks up
/// its `names::probe_keys`: it reads the people of nearly the same name, never every holder of a
/// common surname.
const PREFILTER_LIMIT: i64 = 500;

/// A record that may be the same person as the one searched for.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateCandidate {
    /// The unit that holds the record; `None` for a match outside the caller's scope when they
    /// may not learn where (`opora_domain::access::may_learn_unit_of_match`).
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
    /// Whether the caller may see the record; when not, `found` is `None` and the candidate says
    /// only that a possible match exists in that unit.
    pub visible: bool,
    pub found: Option<FoundRecord>,
}

/// What a visible candidate shows.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundRecord {
    pub client_id: String,
    pub client_kind: ClientKind,
    pub client_display_name: String,
    /// The family member whose name matched; `None` when the client's display name matched.
    pub member_id: Option<String>,
    /// The name that matched: the member's, or the client's display name.
    pub name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub name_match: NameMatch,
    /// Both dates of birth are known and equal (otherwise at least one is unknown).
    pub same_date_of_birth: bool,
}

/// One name to look for, with the date of birth that goes with it.
#[derive(Debug, Clone)]
struct Probe {
    key: String,
    date_of_birth: Option<NaiveDate>,
}

/// A stored name that matched a probe.
#[derive(Debug, Clone)]
struct Hit {
    client: ClientRow,
    member: Option<MemberRow>,
    name_match: NameMatch,
    same_date_of_birth: bool,
}

impl Hit {
    /// Lower is better: exact names before similar ones, equal dates before unknown ones.
    fn rank(&self) -> (u8, u8) {
        (
            match self.name_match {
                NameMatch::Exact => 0,
                NameMatch::Similar => 1,
            },
            u8::from(!self.same_date_of_birth),
        )
    }

    fn owner_id(&self) -> &str {
        self.member
            .as_ref()
            .map(|m| m.id.as_str())
            .unwrap_or(self.client.id.as_str())
    }
}

impl Store {
    /// The clients and family members who may be the person named (intake officers, case managers
    /// and supervisors, before registering a client).
    pub fn find_duplicates(
        &self,
        caller: &Caller,
        full_name: &str,
        date_of_birth: Option<NaiveDate>,
    ) -> StoreResult<Vec<DuplicateCandidate>> {
        caller.require(Action::EditClient)?;
        let probes = vec![Probe {
            key: name_key(full_name),
            date_of_birth,
        }];
        let per_hour = self.policy().duplicate_searches_per_hour;
        self.write(|conn| {
            let at = crate::now();
            let recent = crate::audit::recent_actions(
                conn,
                &caller.actor.staff_id,
                "client.duplicate_search",
                at - chrono::Duration::hours(1),
            )?;
            opora_domain::names::check_search_budget(&recent, at, per_hour)
                .map_err(|retry_after| crate::StoreError::Throttled { retry_after })?;
            search(conn, caller, &probes, None)
        })
    }

    /// The likely duplicates of a client just registered: other clients or members matching its
    /// display name or one of its members' names.
    pub fn duplicates_of_client(
        &self,
        caller: &Caller,
        client: &Client,
    ) -> StoreResult<Vec<DuplicateCandidate>> {
        caller.require(Action::EditClient)?;
        let mut probes = vec![Probe {
            key: client.client.name_key.clone(),
            date_of_birth: client.client.date_of_birth,
        }];
        probes.extend(client.members.iter().map(|m| Probe {
            key: m.name_key.clone(),
            date_of_birth: m.date_of_birth,
        }));
        self.write(|conn| search(conn, caller, &probes, Some(&client.client.id)))
    }

    /// Fills the match keys (and their word index) of rows written before the keys existed, or
    /// while a migration added them: the folding is Rust code, so SQL cannot. Run at every start;
    /// it reads only rows whose key is empty (an indexed lookup), in batches.
    pub fn backfill_name_keys(&self) -> StoreResult<usize> {
        const BATCH: i64 = 500;
        let mut filled = 0;
        let mut after = String::new();
        loop {
            let (done, last, n) = self.write(|conn| {
                let rows: Vec<(String, String, String)> = clients::table
                    .filter(clients::name_key.eq(""))
                    .filter(clients::id.gt(&after))
                    .order(clients::id)
                    .limit(BATCH)
                    .select((clients::id, clients::unit_id, clients::display_name))
                    .load(conn)?;
                let mut n = 0;
                for (id, unit_id, display_name) in &rows {
                    let key = name_key(display_name);
                    if key.is_empty() {
                        continue;
                    }
                    // Only if still empty: another instance starting at the same time may have
                    // filled it (it waits on our row lock, or we on its).
                    let updated = diesel::update(
                        clients::table
                            .filter(clients::id.eq(id))
                            .filter(clients::name_key.eq("")),
                    )
                    .set(clients::name_key.eq(&key))
                    .execute(conn)?;
                    if updated == 1 {
                        insert_words(conn, id, None, id, unit_id, &key)?;
                        n += 1;
                    }
                }
                Ok((
                    rows.len() < BATCH as usize,
                    rows.last().map(|r| r.0.clone()),
                    n,
                ))
            })?;
            filled += n;
            match last {
                Some(last) if !done => after = last,
                _ => break,
            }
        }
        let mut after = String::new();
        loop {
            let (done, last, n) = self.write(|conn| {
                let rows: Vec<(String, String, String, String)> = client_members::table
                    .filter(client_members::name_key.eq(""))
                    .filter(client_members::id.gt(&after))
                    .order(client_members::id)
                    .limit(BATCH)
                    .select((
                        client_members::id,
                        client_members::client_id,
                        client_members::unit_id,
                        client_members::full_name,
                    ))
                    .load(conn)?;
                let mut n = 0;
                for (id, client_id, unit_id, full_name) in &rows {
                    let key = name_key(full_name);
                    if key.is_empty() {
                        continue;
                    }
                    let updated = diesel::update(
                        client_members::table
                            .filter(client_members::id.eq(id))
                            .filter(client_members::name_key.eq("")),
                    )
                    .set(client_members::name_key.eq(&key))
                    .execute(conn)?;
                    if updated == 1 {
                        insert_words(conn, id, Some(id), client_id, unit_id, &key)?;
                        n += 1;
                    }
                }
                Ok((
                    rows.len() < BATCH as usize,
                    rows.last().map(|r| r.0.clone()),
                    n,
                ))
            })?;
            filled += n;
            match last {
                Some(last) if !done => after = last,
                _ => break,
            }
        }
        if filled > 0 {
            log::info!("filled the name keys of {filled} clients and family members");
        }
        Ok(filled)
    }
}

/// Replaces the word index of a client and its members (after a create or an update, in its
/// transaction).
pub(crate) fn write_name_words(conn: &mut AnyConnection, client: &Client) -> StoreResult<()> {
    let c = &client.client;
    diesel::delete(client_name_words::table.filter(client_name_words::client_id.eq(&c.id)))
        .execute(conn)?;
    insert_words(conn, &c.id, None, &c.id, &c.unit_id, &c.name_key)?;
    for m in &client.members {
        insert_words(conn, &m.id, Some(&m.id), &c.id, &c.unit_id, &m.name_key)?;
    }
    Ok(())
}

fn insert_words(
    conn: &mut AnyConnection,
    owner_id: &str,
    member_id: Option<&str>,
    client_id: &str,
    unit_id: &str,
    key: &str,
) -> StoreResult<()> {
    let rows: Vec<_> = index_keys(key)
        .into_iter()
        .map(|block| {
            (
                client_name_words::owner_id.eq(owner_id),
                client_name_words::word.eq(block),
                client_name_words::client_id.eq(client_id),
                client_name_words::member_id.eq(member_id),
                client_name_words::unit_id.eq(unit_id),
            )
        })
        .collect();
    for chunk in rows.chunks(100) {
        crate::db::batch_insert!(conn, client_name_words::table, chunk)?;
    }
    Ok(())
}

/// Looks every probe up, keeps the matches, shows only what the caller may see, and puts the
/// search on the audit record.
fn search(
    conn: &mut AnyConnection,
    caller: &Caller,
    probes: &[Probe],
    exclude_client: Option<&str>,
) -> StoreResult<Vec<DuplicateCandidate>> {
    // The best hit per record (a client's display name, or one member).
    let mut best: HashMap<String, Hit> = HashMap::new();
    for probe in probes {
        for hit in lookup(conn, probe)? {
            if Some(hit.client.id.as_str()) == exclude_client {
                continue;
            }
            let owner = hit.owner_id().to_owned();
            match best.get(&owner) {
                Some(kept) if kept.rank() <= hit.rank() => {}
                _ => {
                    best.insert(owner, hit);
                }
            }
        }
    }
    let mut visible: Vec<Hit> = Vec::new();
    let mut hidden_units: BTreeSet<String> = BTreeSet::new();
    for hit in best.into_values() {
        if caller.sees_unit(&hit.client.unit_id) {
            visible.push(hit);
        } else if reported_outside_scope(hit.name_match, hit.same_date_of_birth) {
            hidden_units.insert(hit.client.unit_id.clone());
        }
    }
    visible.sort_by(|a, b| {
        (
            a.rank(),
            &a.client.id,
            a.member.as_ref().map(|m| m.position),
        )
            .cmp(&(
                b.rank(),
                &b.client.id,
                b.member.as_ref().map(|m| m.position),
            ))
    });
    visible.truncate(MAX_CANDIDATES);

    let unit_ids: BTreeSet<&str> = visible
        .iter()
        .map(|h| h.client.unit_id.as_str())
        .chain(hidden_units.iter().map(String::as_str))
        .collect();
    let unit_names: BTreeMap<String, String> = units::table
        .filter(units::id.eq_any(unit_ids.iter().copied()))
        .select((units::id, units::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let unit_name = |id: &str| unit_names.get(id).cloned().unwrap_or_default();

    let mut candidates: Vec<DuplicateCandidate> = visible
        .into_iter()
        .map(|hit| {
            let client_kind =
                crate::error::stored("client kind", &hit.client.kind, ClientKind::parse)?;
            Ok(DuplicateCandidate {
                unit_name: Some(unit_name(&hit.client.unit_id)),
                unit_id: Some(hit.client.unit_id.clone()),
                visible: true,
                found: Some(FoundRecord {
                    name: hit
                        .member
                        .as_ref()
                        .map(|m| m.full_name.clone())
                        .unwrap_or_else(|| hit.client.display_name.clone()),
                    date_of_birth: match &hit.member {
                        Some(m) => m.date_of_birth,
                        None => hit.client.date_of_birth,
                    },
                    member_id: hit.member.map(|m| m.id),
                    client_id: hit.client.id,
                    client_kind,
                    client_display_name: hit.client.display_name,
                    name_match: hit.name_match,
                    same_date_of_birth: hit.same_date_of_birth,
                }),
            })
        })
        .collect::<StoreResult<_>>()?;
    let named = may_learn_unit_of_match(&caller.actor);
    let mut hidden: Vec<DuplicateCandidate> = hidden_units
        .iter()
        .map(|unit_id| DuplicateCandidate {
            unit_name: Some(unit_name(unit_id)),
            unit_id: Some(unit_id.clone()),
            visible: false,
            found: None,
        })
        .collect();
    hidden.sort_by(|a, b| (&a.unit_name, &a.unit_id).cmp(&(&b.unit_name, &b.unit_id)));
    if !named && !hidden.is_empty() {
        // One entry, whatever the number of units: that a match exists elsewhere, not where.
        hidden = vec![DuplicateCandidate {
            unit_name: None,
            unit_id: None,
            visible: false,
            found: None,
        }];
    }
    candidates.extend(hidden);

    let keys: Vec<&str> = probes
        .iter()
        .map(|p| p.key.as_str())
        .filter(|k| !k.is_empty())
        .collect();
    let shown: Vec<&str> = candidates
        .iter()
        .filter_map(|c| c.found.as_ref().map(|f| f.client_id.as_str()))
        .collect();
    let other_units: Vec<&str> = hidden_units.iter().map(String::as_str).collect();
    crate::audit::append(
        conn,
        crate::audit::Entry {
            actor_id: &caller.actor.staff_id,
            at: crate::now(),
            action: "client.duplicate_search",
            subject_type: "client",
            subject_id: exclude_client.unwrap_or("*"),
            unit_id: &caller.unit_id,
            case_id: None,
            purpose: None,
            legal_basis: None,
            // The folded keys, never the names as typed; whether dates were given, not the dates.
            payload: json!({
                "keys": keys,
                "date_of_birth_given": probes.iter().any(|p| p.date_of_birth.is_some()),
                "ids": shown,
                "other_units": other_units,
            }),
        },
    )?;
    Ok(candidates)
}

/// The stored names matching one probe.
///
/// Prefilter: a likely duplicate shares every word of its key but at most one with the name
/// searched (one word may differ by an edit, or one side may have a patronymic more), so the
/// records sharing at least `words - 1` words (and at least one) are found through the indexed
/// word table, without scanning every client; `match_keys` then decides on those few.
fn lookup(conn: &mut AnyConnection, probe: &Probe) -> StoreResult<Vec<Hit>> {
    let blocks: Vec<String> = probe_keys(&probe.key).into_iter().collect();
    if blocks.is_empty() {
        return Ok(Vec::new());
    }
    let owners: Vec<(String, String, Option<String>)> = client_name_words::table
        .filter(client_name_words::word.eq_any(&blocks))
        .group_by((
            client_name_words::owner_id,
            client_name_words::client_id,
            client_name_words::member_id,
        ))
        .order((
            diesel::dsl::count_star().desc(),
            client_name_words::owner_id,
        ))
        .limit(PREFILTER_LIMIT)
        .select((
            client_name_words::owner_id,
            client_name_words::client_id,
            client_name_words::member_id,
        ))
        .load(conn)?;
    if owners.is_empty() {
        return Ok(Vec::new());
    }
    let client_ids: BTreeSet<&str> = owners.iter().map(|o| o.1.as_str()).collect();
    let member_ids: Vec<&str> = owners.iter().filter_map(|o| o.2.as_deref()).collect();
    let client_rows: HashMap<String, ClientRow> = clients::table
        .filter(clients::id.eq_any(client_ids.iter().copied()))
        .select(ClientRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|c: ClientRow| (c.id.clone(), c))
        .collect();
    let member_rows: Vec<MemberRow> = if member_ids.is_empty() {
        Vec::new()
    } else {
        client_members::table
            .filter(client_members::id.eq_any(member_ids.iter().copied()))
            .select(MemberRow::as_select())
            .load(conn)?
    };
    let mut hits = Vec::new();
    let judge = |key: &str, date_of_birth: Option<NaiveDate>| -> Option<(NameMatch, bool)> {
        let name_match = match_keys(&probe.key, key)?;
        match (probe.date_of_birth, date_of_birth) {
            (Some(a), Some(b)) if a != b => None,
            (Some(_), Some(_)) => Some((name_match, true)),
            _ => Some((name_match, false)),
        }
    };
    // A row without a member is the client's display name.
    for (_, client_id, _) in owners.iter().filter(|o| o.2.is_none()) {
        let Some(client) = client_rows.get(client_id) else {
            continue;
        };
        if let Some((name_match, same)) = judge(&client.name_key, client.date_of_birth) {
            hits.push(Hit {
                client: client.clone(),
                member: None,
                name_match,
                same_date_of_birth: same,
            });
        }
    }
    for member in member_rows {
        let Some(client) = client_rows.get(&member.client_id) else {
            continue;
        };
        if let Some((name_match, same)) = judge(&member.name_key, member.date_of_birth) {
            hits.push(Hit {
                client: client.clone(),
                member: Some(member),
                name_match,
                same_date_of_birth: same,
            });
        }
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use diesel::connection::SimpleConnection;
    use opora_domain::{ClientKind, Role, UnitKind};

    use super::*;
    use crate::clients::{MemberInput, NewClient};
    use crate::directory::{NewUnit, StaffUpsert};

    /// A store (SQLite, or PostgreSQL when given) and its URL, with one unit and a case manager.
    fn store() -> (Store, String, Caller, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = match std::env::var("OPORA_TEST_DATABASE_URL") {
            Ok(base) if base.starts_with("postgres") => crate::db::postgres_schema_url(
                &base,
                &format!("d_{}", uuid::Uuid::now_v7().simple()),
            )
            .unwrap(),
            _ => format!("sqlite://{}", dir.path().join("dup.db").display()),
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
                roles: vec![Role::CaseManager],
                unit_id: Some(unit.id),
                active: true,
            })
            .unwrap();
        let caller = store.authenticate("w").unwrap().unwrap();
        (store, url, caller, dir)
    }

    fn family(store: &Store, caller: &Caller) -> Client {
        store
            .create_client(
                caller,
                NewClient {
                    unit_id: None,
                    kind: ClientKind::Family,
                    display_name: "Шевченко Олександр".into(),
                    date_of_birth: None,
                    sex: None,
                    phone: None,
                    address: None,
                    district: None,
                    members: vec![MemberInput {
                        full_name: "Дарина Шевченко".into(),
                        relation: opora_domain::FamilyRelation::Child,
                        date_of_birth: None,
                        sex: None,
                        is_child: true,
                        school: None,
                    }],
                },
            )
            .unwrap()
    }

    fn found(store: &Store, caller: &Caller, name: &str) -> Vec<(String, Option<String>)> {
        store
            .find_duplicates(caller, name, None)
            .unwrap()
            .into_iter()
            .filter_map(|c| c.found.map(|f| (f.client_id, f.member_id)))
            .collect()
    }

    #[test]
    fn keys_and_blocking_keys_are_written_with_the_client() {
        let (store, _url, caller, _dir) = store();
        let client = family(&store, &caller);
        assert_eq!(client.client.name_key, "oleksandr shevchenko");
        assert_eq!(client.members[0].name_key, "darina shevchenko");
        let mut conn = store.conn().unwrap();
        let words: Vec<(String, Option<String>)> = client_name_words::table
            .filter(client_name_words::client_id.eq(&client.client.id))
            .order((client_name_words::member_id, client_name_words::word))
            .select((client_name_words::word, client_name_words::member_id))
            .load(&mut *conn)
            .unwrap();
        // The pair, and for each word the other word with its one-letter deletions.
        let expected = |member: Option<String>, key: &str| -> Vec<(String, Option<String>)> {
            opora_domain::names::index_keys(key)
                .into_iter()
                .map(|k| (k, member.clone()))
                .collect()
        };
        let mut written = words.clone();
        written.sort();
        let mut wanted = expected(None, "oleksandr shevchenko");
        wanted.extend(expected(
            Some(client.members[0].id.clone()),
            "darina shevchenko",
        ));
        wanted.sort();
        assert_eq!(written, wanted);
        assert!(words.contains(&("f:oleksandr shevchenko".to_owned(), None)));
    }

    #[test]
    fn rows_without_keys_are_filled_when_the_store_opens() {
        let (store, url, caller, _dir) = store();
        let client = family(&store, &caller);
        // As a database migrated from before the keys existed looks.
        store
            .conn()
            .unwrap()
            .batch_execute(
                "DELETE FROM client_name_words; UPDATE clients SET name_key = ''; \
                 UPDATE client_members SET name_key = '';",
            )
            .unwrap();
        assert!(found(&store, &caller, "Aleksandr Shevchenko").is_empty());
        drop(store);

        let store = Store::open(&url, 2).unwrap();

        assert_eq!(
            found(&store, &caller, "Aleksandr Shevchenko"),
            vec![(client.client.id.clone(), None)]
        );
        assert_eq!(
            found(&store, &caller, "Daryna Shevchenko"),
            vec![(client.client.id.clone(), Some(client.members[0].id.clone()))]
        );
        // Nothing is left to fill.
        assert_eq!(store.backfill_name_keys().unwrap(), 0);
    }

    #[test]
    fn an_update_replaces_the_words() {
        let (store, _url, caller, _dir) = store();
        let client = family(&store, &caller);
        store
            .update_client(
                &caller,
                &client.client.id,
                1,
                crate::clients::ClientChanges {
                    display_name: Some("Коваленко родина".into()),
                    members: Some(Vec::new()),
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(found(&store, &caller, "Oleksandr Shevchenko").is_empty());
        assert!(found(&store, &caller, "Daryna Shevchenko").is_empty());
        assert_eq!(found(&store, &caller, "Kovalenko Rodyna").len(), 1);
    }

    #[test]
    fn only_those_who_register_clients_may_search() {
        let (store, _url, _caller, _dir) = store();
        let unit = store.root_unit().unwrap().unwrap();
        store
            .upsert_staff(StaffUpsert {
                id: "a".into(),
                full_name: None,
                roles: vec![Role::Auditor],
                unit_id: Some(unit.id),
                active: true,
            })
            .unwrap();
        let auditor = store.authenticate("a").unwrap().unwrap();
        assert!(matches!(
            store.find_duplicates(&auditor, "Oleksandr Shevchenko", None),
            Err(crate::StoreError::Forbidden(Action::EditClient))
        ));
    }
}
