//! Four eyes on access (issue 9, finding 5): a role that reads case content, or admin, is granted
//! only when a second admin approves. An admin's change of roles holds at once what needs no
//! approval and files the rest here as a pending grant; another admin (not the one who asked, not
//! the one it grants) approves or rejects it (`opora_domain::accounts`). Every step is on the
//! audit chain.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use opora_domain::accounts::{decide_role_grant, RoleGrantStatus};
use opora_domain::{Action, Role};
use serde_json::json;

use crate::schema::staff_role_grants;
use crate::{audit, new_id, now, AnyConnection, Caller, Store, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = staff_role_grants)]
pub struct RoleGrantRow {
    pub id: String,
    pub staff_id: String,
    pub unit_id: String,
    /// The roles granted, comma-separated codes.
    pub roles: String,
    pub status: String,
    pub requested_by: String,
    pub requested_at: NaiveDateTime,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
}

impl RoleGrantRow {
    pub fn status(&self) -> StoreResult<RoleGrantStatus> {
        crate::error::stored("role grant status", &self.status, RoleGrantStatus::parse)
    }

    pub fn roles(&self) -> Vec<Role> {
        self.roles.split(',').filter_map(Role::parse).collect()
    }
}

fn entry(
    conn: &mut AnyConnection,
    caller: &Caller,
    grant: &RoleGrantRow,
    action: &str,
) -> StoreResult<()> {
    audit::append(
        conn,
        audit::Entry {
            actor_id: &caller.actor.staff_id,
            at: now(),
            action,
            subject_type: "staff",
            subject_id: &grant.staff_id,
            unit_id: &grant.unit_id,
            case_id: None,
            purpose: None,
            legal_basis: None,
            payload: json!({
                "grant_id": grant.id,
                "roles": grant.roles(),
                "requested_by": grant.requested_by,
                "status": grant.status,
            }),
        },
    )?;
    Ok(())
}

/// Files the roles that wait for a second admin (in the caller's transaction). One grant waits
/// per staff member at a time (409 `grant_pending` otherwise).
pub(crate) fn request(
    conn: &mut AnyConnection,
    caller: &Caller,
    staff_id: &str,
    unit_id: &str,
    roles: &[Role],
) -> StoreResult<RoleGrantRow> {
    let pending: i64 = staff_role_grants::table
        .filter(staff_role_grants::staff_id.eq(staff_id))
        .filter(staff_role_grants::status.eq(RoleGrantStatus::Pending.code()))
        .count()
        .get_result(conn)?;
    if pending > 0 {
        return Err(StoreError::RequirementUnmet {
            code: "grant_pending",
            message: format!(
                "a role grant for {staff_id} already waits for a second admin; decide it first"
            ),
        });
    }
    let grant = RoleGrantRow {
        id: new_id(),
        staff_id: staff_id.to_owned(),
        unit_id: unit_id.to_owned(),
        roles: roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(","),
        status: RoleGrantStatus::Pending.code().to_owned(),
        requested_by: caller.actor.staff_id.clone(),
        requested_at: now(),
        decided_by: None,
        decided_at: None,
        decision_note: None,
    };
    diesel::insert_into(staff_role_grants::table)
        .values(&grant)
        .execute(conn)?;
    entry(conn, caller, &grant, "staff.role_grant.requested")?;
    Ok(grant)
}

impl Store {
    /// The role grants of the caller's units, newest first; only those waiting if asked (admins).
    pub fn role_grants(
        &self,
        caller: &Caller,
        pending_only: bool,
    ) -> StoreResult<Vec<RoleGrantRow>> {
        caller.require(Action::ManageDirectory)?;
        self.read(|conn| {
            let mut query = staff_role_grants::table
                .filter(staff_role_grants::unit_id.eq_any(&caller.scope))
                .order(staff_role_grants::id.desc())
                .select(RoleGrantRow::as_select())
                .into_boxed();
            if pending_only {
                query = query.filter(staff_role_grants::status.eq(RoleGrantStatus::Pending.code()));
            }
            Ok(query.load(conn)?)
        })
    }

    /// The grant waiting for the staff member, if any.
    pub fn pending_role_grant(
        &self,
        caller: &Caller,
        staff_id: &str,
    ) -> StoreResult<Option<RoleGrantRow>> {
        self.read(|conn| {
            Ok(staff_role_grants::table
                .filter(staff_role_grants::staff_id.eq(staff_id))
                .filter(staff_role_grants::status.eq(RoleGrantStatus::Pending.code()))
                .filter(staff_role_grants::unit_id.eq_any(&caller.scope))
                .select(RoleGrantRow::as_select())
                .first(conn)
                .optional()?)
        })
    }

    /// A second admin approves (the roles are added to the account) or rejects a waiting grant.
    pub fn decide_role_grant(
        &self,
        caller: &Caller,
        grant_id: &str,
        approve: bool,
        note: Option<String>,
    ) -> StoreResult<RoleGrantRow> {
        self.write(|conn| {
            let grant: RoleGrantRow = staff_role_grants::table
                .find(grant_id)
                .select(RoleGrantRow::as_select())
                .first(conn)?;
            caller.require_on(&grant.unit_id, Action::ManageDirectory)?;
            let next = decide_role_grant(
                grant.status()?,
                approve,
                &caller.actor.staff_id,
                &grant.requested_by,
                &grant.staff_id,
            )
            .map_err(StoreError::refused)?;
            let at = now();
            let updated = diesel::update(
                staff_role_grants::table
                    .filter(staff_role_grants::id.eq(grant_id))
                    .filter(staff_role_grants::status.eq(RoleGrantStatus::Pending.code())),
            )
            .set((
                staff_role_grants::status.eq(next.code()),
                staff_role_grants::decided_by.eq(&caller.actor.staff_id),
                staff_role_grants::decided_at.eq(at),
                staff_role_grants::decision_note.eq(&note),
            ))
            .execute(conn)?;
            crate::db::compare_and_set(updated, || {
                Ok(StoreError::RequirementUnmet {
                    code: "grant_decided",
                    message: "the role grant was decided meanwhile".into(),
                })
            })?;
            if next == RoleGrantStatus::Approved {
                let mut roles = crate::directory::roles_of(conn, &grant.staff_id)?;
                for role in grant.roles() {
                    if !roles.contains(&role) {
                        roles.push(role);
                    }
                }
                let active: bool = crate::schema::staff::table
                    .find(&grant.staff_id)
                    .select(crate::schema::staff::active)
                    .first(conn)?;
                crate::directory::upsert_staff(
                    conn,
                    crate::directory::StaffUpsert {
                        id: grant.staff_id.clone(),
                        full_name: None,
                        roles,
                        unit_id: None,
                        active,
                    },
                )?;
            }
            let decided = RoleGrantRow {
                status: next.code().to_owned(),
                decided_by: Some(caller.actor.staff_id.clone()),
                decided_at: Some(at),
                decision_note: note,
                ..grant
            };
            entry(
                conn,
                caller,
                &decided,
                if approve {
                    "staff.role_grant.approved"
                } else {
                    "staff.role_grant.rejected"
                },
            )?;
            Ok(decided)
        })
    }
}
