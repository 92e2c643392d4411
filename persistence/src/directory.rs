//! Units and staff: the organisation tree (department → centre → district department → service
//! or sector) and staff members with roles and a unit. A caller sees their own unit's subtree.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use opora_domain::directory as rules;
use opora_domain::{Action, Actor, Role, UnitKind};

use crate::models::{StaffMember, StaffRow, Unit};
use crate::schema::{directory_version, staff, staff_roles, units};
use crate::{new_id, now, AnyConnection, Caller, Store, StoreError, StoreResult};

/// What the directory says of one staff id: the caller it stands for (none when inactive or
/// unknown) and when their sessions last ended.
#[derive(Debug, Clone)]
pub(crate) struct KnownCaller {
    caller: Option<Caller>,
    tokens_valid_from: Option<chrono::NaiveDateTime>,
}

/// Callers as the directory stood at one version (`directory_version`, bumped by triggers on
/// every change of units, staff and roles, whichever instance makes it). A request reads the
/// version, one row, instead of the staff row, the roles and the whole units table.
#[derive(Debug, Default)]
pub(crate) struct DirectoryCache {
    inner: std::sync::Mutex<(i64, std::collections::HashMap<String, KnownCaller>)>,
    /// The version last read from the database, and when: trusted for [`Self::FRESH`] unless
    /// this instance wrote meanwhile; and how many times this instance wrote (a version read
    /// before a write is not trusted after it, even when stored after it).
    fresh: std::sync::Mutex<(Option<(std::time::Instant, i64)>, u64)>,
}

impl DirectoryCache {
    /// At most this many staff ids are remembered; past it, the cache starts again.
    const CAPACITY: usize = 10_000;

    /// How long a version read stands for the database's without asking again. A change made by
    /// this instance ends it at once ([`Self::stale`]); one made by another instance is seen
    /// after at most this long.
    pub(crate) const FRESH: std::time::Duration = std::time::Duration::from_millis(50);

    /// The version, if read less than [`Self::FRESH`] ago and nothing was written since.
    fn fresh_version(&self) -> Option<i64> {
        let fresh = self.fresh.lock().ok()?;
        fresh
            .0
            .and_then(|(at, version)| (at.elapsed() < Self::FRESH).then_some(version))
    }

    /// How many writes this instance has made: take it before reading the version.
    fn writes(&self) -> u64 {
        self.fresh.lock().map_or(0, |fresh| fresh.1)
    }

    /// Trusts `version`, read after `writes` writes, unless this instance wrote since.
    fn read_version(&self, version: i64, writes: u64) {
        if let Ok(mut fresh) = self.fresh.lock() {
            if fresh.1 == writes {
                fresh.0 = Some((std::time::Instant::now(), version));
            }
        }
    }

    /// This instance wrote: the next caller reads the version again.
    pub(crate) fn stale(&self) {
        if let Ok(mut fresh) = self.fresh.lock() {
            *fresh = (None, fresh.1.wrapping_add(1));
        }
    }

    fn lookup(&self, version: i64, staff_id: &str) -> Option<KnownCaller> {
        let inner = self.inner.lock().ok()?;
        (inner.0 == version)
            .then(|| inner.1.get(staff_id).cloned())
            .flatten()
    }

    fn remember(&self, version: i64, staff_id: &str, known: KnownCaller) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if inner.0 != version || inner.1.len() >= Self::CAPACITY {
            *inner = (version, std::collections::HashMap::new());
        }
        inner.1.insert(staff_id.to_owned(), known);
    }
}

/// Whether the token stands for the caller: issued after their sessions last ended, of an active
/// member.
fn judge(
    known: KnownCaller,
    issued_at: Option<chrono::NaiveDateTime>,
) -> Result<Caller, &'static str> {
    opora_domain::sessions::check_issued_in_force(issued_at, known.tokens_valid_from)
        .map_err(|refusal| refusal.message())?;
    known
        .caller
        .ok_or("the token's subject is not an active staff member")
}

/// The ids of `root` and every unit below it.
fn subtree(conn: &mut AnyConnection, root: &str) -> StoreResult<Vec<String>> {
    let all: Vec<(String, Option<String>)> = units::table
        .select((units::id, units::parent_id))
        .load(conn)?;
    let mut children: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, parent) in &all {
        if let Some(parent) = parent {
            children
                .entry(parent.as_str())
                .or_default()
                .push(id.as_str());
        }
    }
    let mut seen = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(unit) = stack.pop() {
        if seen.insert(unit.to_owned()) {
            stack.extend(children.get(unit).into_iter().flatten().copied());
        }
    }
    Ok(seen.into_iter().collect())
}

/// Which of `ids` are active staff of the caller's units (one query): the fact the rules about
/// named staff judge (a restriction's names, an action's specialists).
pub(crate) fn active_in_scope<'a>(
    conn: &mut AnyConnection,
    caller: &Caller,
    ids: impl IntoIterator<Item = &'a String>,
) -> StoreResult<BTreeSet<String>> {
    let ids: Vec<&String> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(BTreeSet::new());
    }
    Ok(staff::table
        .filter(staff::id.eq_any(ids))
        .filter(staff::active.eq(true))
        .filter(staff::unit_id.eq_any(&caller.scope))
        .select(staff::id)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

pub(crate) fn roles_of(conn: &mut AnyConnection, staff_id: &str) -> StoreResult<Vec<Role>> {
    let codes: Vec<String> = staff_roles::table
        .filter(staff_roles::staff_id.eq(staff_id))
        .select(staff_roles::role)
        .order(staff_roles::role)
        .load(conn)?;
    codes
        .iter()
        .map(|c| Role::parse(c).ok_or_else(|| StoreError::Corrupt(format!("unknown role {c:?}"))))
        .collect()
}

fn member(conn: &mut AnyConnection, row: StaffRow) -> StoreResult<StaffMember> {
    let roles = roles_of(conn, &row.id)?;
    Ok(StaffMember {
        id: row.id,
        unit_id: row.unit_id,
        full_name: row.full_name,
        active: row.active,
        roles,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// A new staff member, or new roles and unit for an existing one.
#[derive(Debug, Clone)]
pub struct StaffUpsert {
    pub id: String,
    pub full_name: Option<String>,
    pub roles: Vec<Role>,
    /// `None` keeps the member's unit, or for a new member puts them in the root unit.
    pub unit_id: Option<String>,
    pub active: bool,
}

/// A new unit below `parent_id` (or a root unit).
#[derive(Debug, Clone)]
pub struct NewUnit {
    pub parent_id: Option<String>,
    pub kind: UnitKind,
    pub name: String,
}

impl Store {
    /// The caller a staff id stands for, for the `opora` commands and the demo: `None` when no
    /// active staff member has that id. Bearer tokens go through [`Store::authenticate_bearer`].
    pub fn authenticate(&self, staff_id: &str) -> StoreResult<Option<Caller>> {
        self.read(|conn| caller(conn, staff_id))
    }

    /// The caller a verified bearer token stands for, issued at `issued_at`: refused with the 401's
    /// words when no active staff member has that id or the member's sessions ended after the
    /// token was issued (logout, a reused refresh token, a password change, enabling or
    /// disabling).
    pub fn authenticate_bearer(
        &self,
        staff_id: &str,
        issued_at: Option<chrono::NaiveDateTime>,
    ) -> StoreResult<Result<Caller, &'static str>> {
        // One query on the hot path: the directory's version. The caller's roles, unit and scope
        // come from the cache while no unit, staff member or role changed (on any instance:
        // triggers bump the version, migration 000024).
        let writes = self.directory_cache.writes();
        let version: i64 = {
            let mut conn = self.conn()?;
            directory_version::table
                .find(1)
                .select(directory_version::version)
                .first(&mut *conn)?
        };
        self.directory_cache.read_version(version, writes);
        let known = self.directory_cache.lookup(version, staff_id);
        let known = match known {
            Some(known) => known,
            None => {
                let known = self.read(|conn| {
                    let valid_from: Option<Option<chrono::NaiveDateTime>> = staff::table
                        .find(staff_id)
                        .select(staff::tokens_valid_from)
                        .first(conn)
                        .optional()?;
                    Ok(KnownCaller {
                        caller: caller(conn, staff_id)?,
                        tokens_valid_from: valid_from.flatten(),
                    })
                })?;
                self.directory_cache
                    .remember(version, staff_id, known.clone());
                known
            }
        };
        Ok(judge(known, issued_at))
    }

    /// [`Store::authenticate_bearer`] from memory alone, when the directory's version was read
    /// less than `DirectoryCache::FRESH` ago, nothing was written since by this instance, and the
    /// caller is cached: no database, no blocking call. `None`: ask the database.
    pub fn authenticate_bearer_cached(
        &self,
        staff_id: &str,
        issued_at: Option<chrono::NaiveDateTime>,
    ) -> Option<Result<Caller, &'static str>> {
        let version = self.directory_cache.fresh_version()?;
        let known = self.directory_cache.lookup(version, staff_id)?;
        Some(judge(known, issued_at))
    }

    /// Adds a unit (set-up and admin use). The tree's shape is checked by the domain.
    pub fn create_unit(&self, new: NewUnit) -> StoreResult<Unit> {
        self.write(|conn| create_unit(conn, new))
    }

    /// Creates or updates a staff member (the `opora token` command and the demo).
    pub fn upsert_staff(&self, upsert: StaffUpsert) -> StoreResult<StaffMember> {
        self.write(|conn| upsert_staff(conn, upsert))
    }

    /// The units the caller sees.
    pub fn list_units(&self, caller: &Caller) -> StoreResult<Vec<Unit>> {
        caller.require(Action::ReadDirectory)?;
        self.read(|conn| {
            Ok(units::table
                .filter(units::id.eq_any(&caller.scope))
                .order(units::id)
                .select(Unit::as_select())
                .load(conn)?)
        })
    }

    /// The staff of the units the caller sees, optionally of one unit or with one role.
    pub fn list_staff(
        &self,
        caller: &Caller,
        unit_id: Option<&str>,
        role: Option<Role>,
    ) -> StoreResult<Vec<StaffMember>> {
        caller.require(Action::ReadDirectory)?;
        self.read(|conn| {
            let mut query = staff::table
                .filter(staff::unit_id.eq_any(&caller.scope))
                .order(staff::id)
                .select(StaffRow::as_select())
                .into_boxed();
            if let Some(unit_id) = unit_id {
                query = query.filter(staff::unit_id.eq(unit_id.to_owned()));
            }
            if let Some(role) = role {
                let with_role = staff_roles::table
                    .filter(staff_roles::role.eq(role.code()))
                    .select(staff_roles::staff_id);
                query = query.filter(staff::id.eq_any(with_role));
            }
            let rows = query.load(conn)?;
            rows.into_iter().map(|r| member(conn, r)).collect()
        })
    }

    /// One staff member the caller sees.
    pub fn get_staff(&self, caller: &Caller, id: &str) -> StoreResult<StaffMember> {
        self.read(|conn| {
            let row: StaffRow = staff::table
                .find(id)
                .select(StaffRow::as_select())
                .first(conn)?;
            caller.require_on(&row.unit_id, Action::ReadDirectory)?;
            member(conn, row)
        })
    }

    /// The first root unit, if any (where `opora token` puts members without a unit).
    pub fn root_unit(&self) -> StoreResult<Option<Unit>> {
        self.read(|conn| {
            Ok(units::table
                .filter(units::parent_id.is_null())
                .order(units::id)
                .select(Unit::as_select())
                .first(conn)
                .optional()?)
        })
    }
}

pub(crate) fn create_unit(conn: &mut AnyConnection, new: NewUnit) -> StoreResult<Unit> {
    if let Some(parent_id) = &new.parent_id {
        let parent: Option<Unit> = units::table
            .find(parent_id)
            .select(Unit::as_select())
            .first(conn)
            .optional()?;
        let parent_kind = parent
            .map(|p| {
                UnitKind::parse(&p.kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("unit kind {:?}", p.kind)))
            })
            .transpose()?;
        rules::check_placement(parent_kind, new.kind).map_err(StoreError::refused)?;
    }
    let unit = Unit {
        id: new_id(),
        parent_id: new.parent_id,
        kind: new.kind.code().to_owned(),
        name: new.name,
        created_at: now(),
    };
    diesel::insert_into(units::table)
        .values(&unit)
        .execute(conn)?;
    Ok(unit)
}

/// Ends every session of a member at `at`: access tokens issued before are refused from now on
/// (their refresh tokens are revoked by whoever calls this, where that is meant).
pub(crate) fn end_sessions(
    conn: &mut AnyConnection,
    staff_id: &str,
    at: chrono::NaiveDateTime,
) -> StoreResult<()> {
    diesel::update(staff::table.find(staff_id))
        .set(staff::tokens_valid_from.eq(Some(at)))
        .execute(conn)?;
    Ok(())
}

/// The active staff member `staff_id` as a caller: roles, unit and scope from the record.
fn caller(conn: &mut AnyConnection, staff_id: &str) -> StoreResult<Option<Caller>> {
    let row: Option<StaffRow> = staff::table
        .find(staff_id)
        .select(StaffRow::as_select())
        .first(conn)
        .optional()?;
    let Some(row) = row.filter(|r| r.active) else {
        return Ok(None);
    };
    let roles = roles_of(conn, &row.id)?;
    let scope = subtree(conn, &row.unit_id)?;
    Ok(Some(Caller {
        actor: Actor {
            staff_id: row.id,
            roles,
        },
        unit_id: row.unit_id,
        scope,
    }))
}

pub(crate) fn upsert_staff(
    conn: &mut AnyConnection,
    upsert: StaffUpsert,
) -> StoreResult<StaffMember> {
    let at = now();
    let existing: Option<StaffRow> = staff::table
        .find(&upsert.id)
        .select(StaffRow::as_select())
        .first(conn)
        .optional()?;
    let unit_id = match (&upsert.unit_id, &existing) {
        (Some(unit_id), _) => {
            let found: i64 = units::table
                .filter(units::id.eq(unit_id))
                .count()
                .get_result(conn)?;
            rules::check_staff_unit(unit_id, found > 0).map_err(StoreError::refused)?;
            unit_id.clone()
        }
        (None, Some(row)) => row.unit_id.clone(),
        (None, None) => rules::default_staff_unit(
            units::table
                .filter(units::parent_id.is_null())
                .order(units::id)
                .select(units::id)
                .first::<String>(conn)
                .optional()?,
        )
        .map_err(StoreError::refused)?,
    };
    match existing {
        Some(row) => {
            diesel::update(staff::table.find(&row.id))
                .set((
                    staff::unit_id.eq(&unit_id),
                    staff::full_name.eq(upsert.full_name.unwrap_or(row.full_name)),
                    staff::active.eq(upsert.active),
                    staff::updated_at.eq(at),
                ))
                .execute(conn)?;
            if row.active != upsert.active {
                // Enabled or disabled: tokens issued before do not come back to life.
                end_sessions(conn, &row.id, at)?;
            }
        }
        None => {
            let row = StaffRow {
                id: upsert.id.clone(),
                unit_id,
                full_name: upsert.full_name.unwrap_or_else(|| upsert.id.clone()),
                active: upsert.active,
                created_at: at,
                updated_at: at,
            };
            diesel::insert_into(staff::table)
                .values(&row)
                .execute(conn)?;
        }
    }
    diesel::delete(staff_roles::table.filter(staff_roles::staff_id.eq(&upsert.id)))
        .execute(conn)?;
    let mut roles = upsert.roles.clone();
    roles.sort();
    roles.dedup();
    for role in roles {
        diesel::insert_into(staff_roles::table)
            .values((
                staff_roles::staff_id.eq(&upsert.id),
                staff_roles::role.eq(role.code()),
            ))
            .execute(conn)?;
    }
    let row: StaffRow = staff::table
        .find(&upsert.id)
        .select(StaffRow::as_select())
        .first(conn)?;
    member(conn, row)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::testing::stores;

    #[test]
    fn a_caller_answered_from_memory_is_asked_of_the_database_again_once_this_instance_writes() {
        let (stores, _dir) = stores();
        for store in stores {
            let unit = store
                .create_unit(NewUnit {
                    parent_id: None,
                    kind: UnitKind::Department,
                    name: "D".into(),
                })
                .unwrap();
            let member = |active: bool| StaffUpsert {
                id: "w".into(),
                full_name: None,
                roles: vec![Role::CaseManager],
                unit_id: Some(unit.id.clone()),
                active,
            };
            store.upsert_staff(member(true)).unwrap();
            // Nothing read yet: memory does not answer.
            assert!(store.authenticate_bearer_cached("w", None).is_none());
            let asked = store.authenticate_bearer("w", None).unwrap();
            assert!(asked.is_ok());
            // Right after, memory may answer, and then as the database did.
            if let Some(remembered) = store.authenticate_bearer_cached("w", None) {
                assert_eq!(remembered, asked);
            }
            // The member is disabled here: memory no longer answers, the database refuses.
            store.upsert_staff(member(false)).unwrap();
            assert!(store.authenticate_bearer_cached("w", None).is_none());
            assert!(store.authenticate_bearer("w", None).unwrap().is_err());
        }
    }

    #[test]
    fn a_change_made_by_another_instance_reaches_this_ones_cache_through_the_version() {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::testing::postgres_url("dv")
            .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("dv.db").display()));
        let (here, there) = (Store::open(&url, 2).unwrap(), Store::open(&url, 2).unwrap());
        let unit = here
            .create_unit(NewUnit {
                parent_id: None,
                kind: UnitKind::Department,
                name: "D".into(),
            })
            .unwrap();
        let member = |roles: Vec<Role>| StaffUpsert {
            id: "w".into(),
            full_name: None,
            roles,
            unit_id: Some(unit.id.clone()),
            active: true,
        };
        here.upsert_staff(member(vec![Role::CaseManager])).unwrap();
        let roles = |store: &Store| {
            store
                .authenticate_bearer("w", None)
                .unwrap()
                .unwrap()
                .actor
                .roles
        };
        assert_eq!(roles(&here), vec![Role::CaseManager]);
        // The other instance changes the roles; a trigger bumps the version, so this instance's
        // cache (keyed by the version) does not answer with the old roles.
        there.upsert_staff(member(vec![Role::Auditor])).unwrap();
        assert_eq!(roles(&here), vec![Role::Auditor]);
    }
}
