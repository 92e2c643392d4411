//! Assignment (issue 3 item 2; seed 001: the urgency pre-assessment "spreads the load evenly over
//! specialists").
//!
//! - **Suggestions**: a unit's active case managers who are not on leave, ordered by their
//!   weighted caseload ([`opora_domain::caseload`]), best first; whoever leads the maximum number
//!   of families or more ranks last and is not suggested. The load counts every active case a
//!   member leads, in any unit and restricted ones included (only counts leave the store).
//! - **Maximum caseload**: assigning a key worker who would then lead more families than the
//!   policy's maximum is allowed, with a `caseload_over_maximum` warning ([`caseload_warning`]).
//! - **Leave**: admins and supervisors record a member's leave; a member on leave today gets no
//!   suggestion and no transferred case.
//! - **Transfers**: the key worker or a supervisor of the unit asks another case manager or
//!   supervisor to take the case over; only their acceptance changes `cases.key_worker_id` (and the
//!   case's version). They may decline; the requester or a supervisor may cancel. One pending
//!   transfer per case. A supervisor who must reassign without the new key worker's consent uses
//!   `update_case` (the case's `PATCH`), so nobody accepts on someone else's behalf. Every step is
//!   an event of the case, written with it in one transaction.
//!
//! Restricted cases: the target of a pending transfer may act on that transfer without being
//! named on the case; after acceptance they see the case as its key worker (see
//! [`crate::visibility::visible`]), and the former key worker no longer does unless named.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use opora_domain::assignment::{
    check_key_worker as check_key_worker_rule, check_leave, may_accept_transfer,
    may_request_transfer, Candidate as KeyWorkerCandidate, TransferCommand, TransferStatus,
};
use opora_domain::caseload::{Caseload, CaseloadPolicy, CaseloadWeights};
use opora_domain::events::{DomainEvent, KeyWorker, TransferRef};
use opora_domain::{access, Action, LifecycleStage, Role, Urgency, WorkModel};
use serde_json::json;

use crate::case_records::{case_for, load_case, subject};
use crate::events;
use crate::models::{CaseRow, StaffRow, Warning};
use crate::schema::{case_transfers, cases, staff, staff_leave, staff_roles, units};
use crate::visibility::visible;
use crate::{new_id, now, AnyConnection, Caller, Store, StoreError, StoreResult};

/// A period of leave of a staff member (both days included).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = staff_leave)]
pub struct LeaveRow {
    pub id: String,
    pub staff_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

/// A request to hand a case over to another key worker, and its outcome.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = case_transfers)]
pub struct TransferRow {
    pub id: String,
    pub case_id: String,
    pub unit_id: String,
    /// The key worker when the transfer was requested.
    pub from_staff_id: String,
    pub to_staff_id: String,
    /// A [`TransferStatus`] code (read it with [`TransferRow::status`]).
    pub status: String,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: NaiveDateTime,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    /// Why it was declined or cancelled.
    pub decision_note: Option<String>,
}

impl TransferRow {
    /// Where the transfer stands: pending, then accepted, declined or cancelled (final).
    pub fn status(&self) -> StoreResult<TransferStatus> {
        crate::error::stored("transfer status", &self.status, TransferStatus::parse)
    }

    /// The status `command` leads to, or the 409 saying the transfer is decided already.
    fn next(&self, command: TransferCommand) -> StoreResult<TransferStatus> {
        self.status()?.next(command).map_err(StoreError::refused)
    }
}

/// A case manager who could take the new case, with their current load.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub staff_id: String,
    pub full_name: String,
    pub caseload: Caseload,
    pub weighted_load: f64,
    /// The families they lead: distinct clients of their active cases.
    pub families: u32,
    /// Whether they lead fewer families than the maximum (otherwise ranked last, never suggested).
    pub has_room: bool,
}

/// A case manager of the unit left out because they are on leave today.
#[derive(Debug, Clone, PartialEq)]
pub struct Absent {
    pub staff_id: String,
    pub full_name: String,
    /// The last day of the leave that covers today.
    pub until: NaiveDate,
}

/// Who should lead a new case of this urgency and work model: candidates best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestions {
    pub unit_id: String,
    pub urgency: Urgency,
    pub work_model: WorkModel,
    pub weights: CaseloadWeights,
    /// The most families one key worker leads.
    pub max_families: u32,
    /// What the new case will weigh.
    pub case_weight: f64,
    /// Best first; the first is the suggestion.
    pub candidates: Vec<Candidate>,
    pub on_leave: Vec<Absent>,
}

/// A leave to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLeave {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub reason: String,
}

/// A transfer to request.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTransfer {
    pub to_staff_id: String,
    pub reason: String,
}

/// A transfer just requested or accepted, with what the answer warns about (not stored).
#[derive(Debug, Clone, PartialEq)]
pub struct TransferOutcome {
    pub transfer: TransferRow,
    pub warnings: Vec<Warning>,
}

/// The families `staff_id` would lead with a case of `client_id`: the distinct clients of their
/// active cases, that one counted once.
fn families_with(conn: &mut AnyConnection, staff_id: &str, client_id: &str) -> StoreResult<u32> {
    let clients: Vec<String> = cases::table
        .filter(cases::key_worker_id.eq(staff_id))
        .filter(cases::lifecycle_stage.eq_any(active_case_stages()))
        .select(cases::client_id)
        .load(conn)?;
    let families: HashSet<&str> = clients
        .iter()
        .map(String::as_str)
        .chain([client_id])
        .collect();
    Ok(u32::try_from(families.len()).unwrap_or(u32::MAX))
}

/// The `caseload_over_maximum` warning, when leading a case of `client_id` takes `staff_id` over
/// the policy's maximum caseload (the rule: [`CaseloadPolicy::assignment_warning`]). For every
/// use case that makes someone a case's key worker.
pub(crate) fn caseload_warning(
    conn: &mut AnyConnection,
    policy: &CaseloadPolicy,
    staff_id: &str,
    client_id: &str,
) -> StoreResult<Option<Warning>> {
    let families = families_with(conn, staff_id, client_id)?;
    Ok(policy.assignment_warning(families).map(|over| Warning {
        code: "caseload_over_maximum".into(),
        detail: format!(
            "{staff_id} would lead {} families; the maximum per key worker is {}",
            over.families, over.max_families
        ),
    }))
}

fn active_case_stages() -> Vec<&'static str> {
    LifecycleStage::ALL
        .iter()
        .filter(|s| s.is_active_case())
        .map(|s| s.code())
        .collect()
}

fn stage_of(case: &CaseRow) -> StoreResult<LifecycleStage> {
    LifecycleStage::parse(&case.lifecycle_stage)
        .ok_or_else(|| StoreError::Corrupt(format!("lifecycle stage {:?}", case.lifecycle_stage)))
}

/// The last day of the leave covering `day`, if the member is on leave then.
pub(crate) fn on_leave_until(
    conn: &mut AnyConnection,
    staff_id: &str,
    day: NaiveDate,
) -> StoreResult<Option<NaiveDate>> {
    let ends: Vec<NaiveDate> = staff_leave::table
        .filter(staff_leave::staff_id.eq(staff_id))
        .filter(staff_leave::starts_on.le(day))
        .filter(staff_leave::ends_on.ge(day))
        .select(staff_leave::ends_on)
        .load(conn)?;
    Ok(ends.into_iter().max())
}

/// `unit` and the units above it: whose staff see the unit's records.
fn unit_and_ancestors(conn: &mut AnyConnection, unit: &str) -> StoreResult<Vec<String>> {
    let mut chain = vec![unit.to_owned()];
    let mut current = unit.to_owned();
    // The tree is shallow (department → centre → district → service); the bound stops a cycle.
    for _ in 0..32 {
        let parent: Option<Option<String>> = units::table
            .find(&current)
            .select(units::parent_id)
            .first(conn)
            .optional()?;
        match parent.flatten() {
            Some(parent) if !chain.contains(&parent) => {
                chain.push(parent.clone());
                current = parent;
            }
            _ => break,
        }
    }
    Ok(chain)
}

fn leads_cases(conn: &mut AnyConnection, staff_id: &str) -> StoreResult<bool> {
    let leads: i64 = staff_roles::table
        .filter(staff_roles::staff_id.eq(staff_id))
        .filter(
            staff_roles::role.eq_any(Action::LeadCase.roles().map(Role::code).collect::<Vec<_>>()),
        )
        .count()
        .get_result(conn)?;
    Ok(leads > 0)
}

/// What the record says of a staff member proposed as key worker (of `case`, when a case is
/// handed over: then whether their unit sees the case's unit and whether they lead it already).
fn candidate(
    conn: &mut AnyConnection,
    caller: &Caller,
    staff_id: &str,
    case: Option<&CaseRow>,
) -> StoreResult<(KeyWorkerCandidate, Option<StaffRow>)> {
    let row: Option<StaffRow> = staff::table
        .find(staff_id)
        .select(StaffRow::as_select())
        .first(conn)
        .optional()?;
    let row = row.filter(|r| r.active && caller.sees_unit(&r.unit_id));
    let sees_case_unit = match (case, &row) {
        (Some(case), Some(r)) => unit_and_ancestors(conn, &case.unit_id)?.contains(&r.unit_id),
        (Some(_), None) => false,
        (None, _) => true,
    };
    let candidate = KeyWorkerCandidate {
        in_scope: row.is_some(),
        leads_cases: leads_cases(conn, staff_id)?,
        sees_case_unit,
        on_leave_until: on_leave_until(conn, staff_id, now().date())?,
        already_key_worker: case.is_some_and(|c| c.key_worker_id == staff_id),
    };
    Ok((candidate, row))
}

/// The new key worker of a transfer (`domain::assignment::check_key_worker`).
fn check_target(
    conn: &mut AnyConnection,
    caller: &Caller,
    case: &CaseRow,
    to_staff_id: &str,
) -> StoreResult<()> {
    let (candidate, _) = self::candidate(conn, caller, to_staff_id, Some(case))?;
    check_key_worker_rule("to_staff_id", &candidate).map_err(StoreError::refused)
}

fn load_transfer(
    conn: &mut AnyConnection,
    case_id: &str,
    transfer_id: &str,
) -> StoreResult<Option<TransferRow>> {
    Ok(case_transfers::table
        .filter(case_transfers::id.eq(transfer_id))
        .filter(case_transfers::case_id.eq(case_id))
        .select(TransferRow::as_select())
        .first(conn)
        .optional()?)
}

/// The case and the transfer, for the staff member it is addressed to. They act on it even on a
/// restricted case they are not named on (not yet its key worker); anyone else needs to see the
/// case (404 otherwise) and is refused (403).
fn for_target(
    conn: &mut AnyConnection,
    caller: &Caller,
    case_id: &str,
    transfer_id: &str,
) -> StoreResult<(CaseRow, TransferRow)> {
    let case = load_case(conn, case_id)?;
    let transfer = load_transfer(conn, case_id, transfer_id)?;
    let is_target = transfer
        .as_ref()
        .is_some_and(|t| access::may_decide_transfer(&caller.actor, &t.to_staff_id));
    let sees = caller.sees_unit(&case.unit_id) && (is_target || visible(conn, caller, &case)?);
    if !sees {
        return Err(StoreError::NotFound);
    }
    let transfer = transfer.ok_or(StoreError::NotFound)?;
    if !is_target {
        return Err(StoreError::Forbidden(Action::ManageCase));
    }
    caller.require(Action::ManageCase)?;
    Ok((case, transfer))
}

/// Closes a pending transfer with its outcome (guarded by its status, so two decisions cannot
/// both win).
fn decide(
    conn: &mut AnyConnection,
    caller: &Caller,
    transfer: &TransferRow,
    outcome: TransferStatus,
    note: Option<String>,
    at: NaiveDateTime,
) -> StoreResult<TransferRow> {
    let updated = diesel::update(
        case_transfers::table
            .filter(case_transfers::id.eq(&transfer.id))
            .filter(case_transfers::status.eq(TransferStatus::Pending.code())),
    )
    .set((
        case_transfers::status.eq(outcome.code()),
        case_transfers::decided_by.eq(Some(&caller.actor.staff_id)),
        case_transfers::decided_at.eq(Some(at)),
        case_transfers::decision_note.eq(&note),
    ))
    .execute(conn)?;
    crate::db::compare_and_set(updated, || {
        Ok(StoreError::Conflict(
            "the transfer was decided meanwhile; read it again".into(),
        ))
    })?;
    Ok(TransferRow {
        status: outcome.code().to_owned(),
        decided_by: Some(caller.actor.staff_id.clone()),
        decided_at: Some(at),
        decision_note: note,
        ..transfer.clone()
    })
}

fn transfer_ref(transfer: &TransferRow) -> TransferRef {
    TransferRef {
        transfer_id: transfer.id.clone(),
        from_staff_id: transfer.from_staff_id.clone(),
        to_staff_id: transfer.to_staff_id.clone(),
    }
}

/// A key worker: an active staff member in the caller's scope who may lead cases.
pub(crate) fn check_key_worker(
    conn: &mut AnyConnection,
    caller: &Caller,
    key_worker_id: &str,
) -> StoreResult<StaffRow> {
    let (candidate, row) = self::candidate(conn, caller, key_worker_id, None)?;
    check_key_worker_rule("key_worker_id", &candidate).map_err(StoreError::refused)?;
    row.ok_or(StoreError::NotFound)
}

impl Store {
    /// The unit's active case managers not on leave, by lowest weighted caseload, those at the
    /// maximum caseload last; for callers who may open cases in the unit.
    pub fn key_worker_suggestions(
        &self,
        caller: &Caller,
        unit_id: &str,
        urgency: Urgency,
        work_model: WorkModel,
    ) -> StoreResult<Suggestions> {
        caller.require_on(unit_id, Action::OpenCase)?;
        let policy = self.policy().caseload;
        let weights = &policy.weights;
        self.read(|conn| {
            let case_managers = staff_roles::table
                .filter(staff_roles::role.eq(Role::CaseManager.code()))
                .select(staff_roles::staff_id);
            let members: Vec<StaffRow> = staff::table
                .filter(staff::unit_id.eq(unit_id))
                .filter(staff::active.eq(true))
                .filter(staff::id.eq_any(case_managers))
                .order(staff::id)
                .select(StaffRow::as_select())
                .load(conn)?;
            let ids: Vec<&str> = members.iter().map(|m| m.id.as_str()).collect();
            let today = now().date();
            let leave: Vec<(String, NaiveDate)> = staff_leave::table
                .filter(staff_leave::staff_id.eq_any(&ids))
                .filter(staff_leave::starts_on.le(today))
                .filter(staff_leave::ends_on.ge(today))
                .select((staff_leave::staff_id, staff_leave::ends_on))
                .load(conn)?;
            let mut away: HashMap<String, NaiveDate> = HashMap::new();
            for (id, until) in leave {
                let entry = away.entry(id).or_insert(until);
                *entry = (*entry).max(until);
            }
            let open: Vec<(String, String, String, String)> = cases::table
                .filter(cases::key_worker_id.eq_any(&ids))
                .filter(cases::lifecycle_stage.eq_any(active_case_stages()))
                .select((
                    cases::key_worker_id,
                    cases::client_id,
                    cases::urgency,
                    cases::work_model,
                ))
                .load(conn)?;
            let mut loads: HashMap<String, Caseload> = HashMap::new();
            let mut families: HashMap<String, HashSet<String>> = HashMap::new();
            for (key_worker, client, urgency, model) in open {
                let urgency = Urgency::parse(&urgency)
                    .ok_or_else(|| StoreError::Corrupt(format!("urgency {urgency:?}")))?;
                let model = WorkModel::parse(&model)
                    .ok_or_else(|| StoreError::Corrupt(format!("work model {model:?}")))?;
                loads
                    .entry(key_worker.clone())
                    .or_default()
                    .add(urgency, model);
                families.entry(key_worker).or_default().insert(client);
            }
            let mut candidates = Vec::new();
            let mut on_leave = Vec::new();
            for member in members {
                if let Some(until) = away.get(&member.id) {
                    on_leave.push(Absent {
                        staff_id: member.id,
                        full_name: member.full_name,
                        until: *until,
                    });
                    continue;
                }
                let caseload = loads.get(&member.id).copied().unwrap_or_default();
                let led = families.get(&member.id).map_or(0, HashSet::len);
                let led = u32::try_from(led).unwrap_or(u32::MAX);
                candidates.push(Candidate {
                    weighted_load: caseload.weighted(weights),
                    staff_id: member.id,
                    full_name: member.full_name,
                    caseload,
                    families: led,
                    has_room: policy.has_room(led),
                });
            }
            policy.rank(&mut candidates, |c| (&c.caseload, c.families), urgency);
            Ok(Suggestions {
                unit_id: unit_id.to_owned(),
                urgency,
                work_model,
                weights: *weights,
                max_families: policy.max_families,
                case_weight: weights.case_weight(urgency, work_model),
                candidates,
                on_leave,
            })
        })
    }

    /// Records a period of leave of a staff member in scope (admins and supervisors). Periods of
    /// one member may not overlap.
    pub fn record_leave(
        &self,
        caller: &Caller,
        staff_id: &str,
        new: NewLeave,
    ) -> StoreResult<LeaveRow> {
        self.write(|conn| {
            let member: StaffRow = staff::table
                .find(staff_id)
                .select(StaffRow::as_select())
                .first(conn)?;
            if !caller.sees_unit(&member.unit_id) {
                return Err(StoreError::NotFound);
            }
            caller.require(Action::ManageLeave)?;
            let overlapping: Option<(NaiveDate, NaiveDate)> = staff_leave::table
                .filter(staff_leave::staff_id.eq(staff_id))
                .filter(staff_leave::starts_on.le(new.ends_on))
                .filter(staff_leave::ends_on.ge(new.starts_on))
                .select((staff_leave::starts_on, staff_leave::ends_on))
                .first(conn)
                .optional()?;
            check_leave(new.starts_on, new.ends_on, overlapping).map_err(StoreError::refused)?;
            let at = now();
            let row = LeaveRow {
                id: new_id(),
                staff_id: staff_id.to_owned(),
                starts_on: new.starts_on,
                ends_on: new.ends_on,
                reason: new.reason,
                recorded_by: caller.actor.staff_id.clone(),
                recorded_at: at,
            };
            diesel::insert_into(staff_leave::table)
                .values(&row)
                .execute(conn)?;
            // The reason stays in the leave record (it may touch health); the chain names the period.
            crate::audit::append(
                conn,
                crate::audit::Entry {
                    actor_id: &caller.actor.staff_id,
                    at,
                    action: "staff.leave_recorded",
                    subject_type: "staff",
                    subject_id: staff_id,
                    unit_id: &member.unit_id,
                    case_id: None,
                    purpose: None,
                    legal_basis: None,
                    payload: json!({
                        "leave_id": row.id,
                        "starts_on": row.starts_on,
                        "ends_on": row.ends_on,
                    }),
                },
            )?;
            Ok(row)
        })
    }

    /// A member's leave, earliest first (admins, supervisors, and the member).
    pub fn list_leave(&self, caller: &Caller, staff_id: &str) -> StoreResult<Vec<LeaveRow>> {
        self.read(|conn| {
            let unit: String = staff::table
                .find(staff_id)
                .select(staff::unit_id)
                .first(conn)?;
            if !caller.sees_unit(&unit) {
                return Err(StoreError::NotFound);
            }
            if !access::may_read_leave(&caller.actor, staff_id) {
                return Err(StoreError::Forbidden(Action::ManageLeave));
            }
            Ok(staff_leave::table
                .filter(staff_leave::staff_id.eq(staff_id))
                .order((staff_leave::starts_on, staff_leave::id))
                .select(LeaveRow::as_select())
                .load(conn)?)
        })
    }

    /// Asks `to_staff_id` to take the case over (its key worker, or a supervisor of the unit);
    /// warns when they would lead more families than the maximum.
    pub fn request_transfer(
        &self,
        caller: &Caller,
        case_id: &str,
        new: NewTransfer,
    ) -> StoreResult<TransferOutcome> {
        self.write(|conn| {
            let case = case_for(conn, caller, case_id, Action::ManageCase)?;
            if !access::may_request_transfer(&caller.actor, &case.key_worker_id) {
                return Err(StoreError::Forbidden(Action::ReassignCase));
            }
            check_target(conn, caller, &case, &new.to_staff_id)?;
            let pending: Option<(String, String)> = case_transfers::table
                .filter(case_transfers::case_id.eq(&case.id))
                .filter(case_transfers::status.eq(TransferStatus::Pending.code()))
                .select((case_transfers::id, case_transfers::to_staff_id))
                .first(conn)
                .optional()?;
            may_request_transfer(
                stage_of(&case)?,
                pending.as_ref().map(|(id, to)| (id.as_str(), to.as_str())),
            )
            .map_err(StoreError::refused)?;
            let at = now();
            let row = TransferRow {
                id: new_id(),
                case_id: case.id.clone(),
                unit_id: case.unit_id.clone(),
                from_staff_id: case.key_worker_id.clone(),
                to_staff_id: new.to_staff_id,
                status: TransferStatus::Pending.code().to_owned(),
                reason: new.reason,
                requested_by: caller.actor.staff_id.clone(),
                requested_at: at,
                decided_by: None,
                decided_at: None,
                decision_note: None,
            };
            diesel::insert_into(case_transfers::table)
                .values(&row)
                .execute(conn)?;
            events::record(
                conn,
                &subject(&case),
                DomainEvent::TransferRequested(transfer_ref(&row)),
                &caller.actor.staff_id,
                at,
                Some(row.reason.clone()),
            )?;
            let warnings = caseload_warning(
                conn,
                &self.policy().caseload,
                &row.to_staff_id,
                &case.client_id,
            )?;
            Ok(TransferOutcome {
                transfer: row,
                warnings: warnings.into_iter().collect(),
            })
        })
    }

    /// The new key worker takes the case over: the key worker changes and the case's version
    /// with it. Refused (409) when the transfer is not pending, the case is no longer active, its
    /// key worker changed since the request, or the caller is on leave. Warns when they now lead
    /// more families than the maximum.
    pub fn accept_transfer(
        &self,
        caller: &Caller,
        case_id: &str,
        transfer_id: &str,
    ) -> StoreResult<TransferOutcome> {
        self.write(|conn| {
            let (case, transfer) = for_target(conn, caller, case_id, transfer_id)?;
            let accepted = transfer.next(TransferCommand::Accept)?;
            let on_leave = on_leave_until(conn, &caller.actor.staff_id, now().date())?;
            may_accept_transfer(
                stage_of(&case)?,
                &case.key_worker_id,
                &transfer.from_staff_id,
                on_leave,
            )
            .map_err(StoreError::refused)?;
            let warnings = caseload_warning(
                conn,
                &self.policy().caseload,
                &transfer.to_staff_id,
                &case.client_id,
            )?;
            let at = now();
            let version = case.version + 1;
            let updated = diesel::update(
                cases::table
                    .filter(cases::id.eq(&case.id))
                    .filter(cases::version.eq(case.version)),
            )
            .set((
                cases::key_worker_id.eq(&transfer.to_staff_id),
                cases::version.eq(version),
                cases::updated_at.eq(at),
            ))
            .execute(conn)?;
            crate::db::compare_and_set(updated, || {
                Ok(StoreError::Conflict(
                    "the case changed meanwhile; try again".into(),
                ))
            })?;
            let decided = decide(conn, caller, &transfer, accepted, None, at)?;
            events::record(
                conn,
                &subject(&case),
                DomainEvent::TransferAccepted {
                    transfer: transfer_ref(&decided),
                    before: KeyWorker {
                        key_worker_id: case.key_worker_id.clone(),
                    },
                    after: KeyWorker {
                        key_worker_id: decided.to_staff_id.clone(),
                    },
                    version,
                },
                &caller.actor.staff_id,
                at,
                None,
            )?;
            Ok(TransferOutcome {
                transfer: decided,
                warnings: warnings.into_iter().collect(),
            })
        })
    }

    /// The proposed key worker declines, with a reason; the key worker stays.
    pub fn decline_transfer(
        &self,
        caller: &Caller,
        case_id: &str,
        transfer_id: &str,
        reason: String,
    ) -> StoreResult<TransferRow> {
        self.write(|conn| {
            let (case, transfer) = for_target(conn, caller, case_id, transfer_id)?;
            let declined = transfer.next(TransferCommand::Decline)?;
            let at = now();
            let decided = decide(conn, caller, &transfer, declined, Some(reason.clone()), at)?;
            events::record(
                conn,
                &subject(&case),
                DomainEvent::TransferDeclined(transfer_ref(&decided)),
                &caller.actor.staff_id,
                at,
                Some(reason),
            )?;
            Ok(decided)
        })
    }

    /// The requester or a supervisor of the unit withdraws a pending transfer.
    pub fn cancel_transfer(
        &self,
        caller: &Caller,
        case_id: &str,
        transfer_id: &str,
        reason: String,
    ) -> StoreResult<TransferRow> {
        self.write(|conn| {
            let case = case_for(conn, caller, case_id, Action::ManageCase)?;
            let transfer =
                load_transfer(conn, &case.id, transfer_id)?.ok_or(StoreError::NotFound)?;
            if !access::may_cancel_transfer(&caller.actor, &transfer.requested_by) {
                return Err(StoreError::Forbidden(Action::ReassignCase));
            }
            let cancelled = transfer.next(TransferCommand::Cancel)?;
            let at = now();
            let decided = decide(conn, caller, &transfer, cancelled, Some(reason.clone()), at)?;
            events::record(
                conn,
                &subject(&case),
                DomainEvent::TransferCancelled(transfer_ref(&decided)),
                &caller.actor.staff_id,
                at,
                Some(reason),
            )?;
            Ok(decided)
        })
    }

    /// Every transfer of the case, oldest first.
    pub fn list_transfers(&self, caller: &Caller, case_id: &str) -> StoreResult<Vec<TransferRow>> {
        self.read_recorded(|conn, looks| {
            let case = case_for(conn, caller, case_id, Action::ReadCaseRecords)?;
            crate::audit::viewed(
                looks,
                caller,
                "case_transfers",
                &case.id,
                &case.unit_id,
                Some(&case.id),
            )?;
            Ok(case_transfers::table
                .filter(case_transfers::case_id.eq(&case.id))
                .order(case_transfers::id)
                .select(TransferRow::as_select())
                .load(conn)?)
        })
    }

    /// The pending transfers addressed to the caller, oldest first: their inbox (restricted cases
    /// included: they are asked to take them over).
    pub fn incoming_transfers(&self, caller: &Caller) -> StoreResult<Vec<TransferRow>> {
        caller.require(Action::ReadCaseRecords)?;
        self.read_recorded(|conn, looks| {
            let rows: Vec<TransferRow> = case_transfers::table
                .filter(case_transfers::to_staff_id.eq(&caller.actor.staff_id))
                .filter(case_transfers::status.eq(TransferStatus::Pending.code()))
                .filter(case_transfers::unit_id.eq_any(&caller.scope))
                .order(case_transfers::id)
                .select(TransferRow::as_select())
                .load(conn)?;
            crate::audit::listed(
                looks,
                caller,
                "case_transfer",
                rows.iter().map(|t| t.id.as_str()).collect(),
            )?;
            Ok(rows)
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// Both tables read back through the shared schema, on SQLite and on PostgreSQL when given.
    #[test]
    fn the_assignment_tables_read_back_on_each_backend() {
        let (stores, _dir) = crate::testing::stores();
        for store in stores {
            let mut conn = store.conn().unwrap();
            staff_leave::table
                .select(LeaveRow::as_select())
                .load(&mut *conn)
                .unwrap();
            case_transfers::table
                .select(TransferRow::as_select())
                .load(&mut *conn)
                .unwrap();
        }
    }

    #[test]
    fn a_unit_chain_runs_up_to_the_root() {
        use opora_domain::UnitKind;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(
            &format!("sqlite://{}", dir.path().join("u.db").display()),
            2,
        )
        .unwrap();
        let unit = |parent: Option<&str>, kind| {
            store
                .create_unit(crate::directory::NewUnit {
                    parent_id: parent.map(str::to_owned),
                    kind,
                    name: "u".into(),
                })
                .unwrap()
                .id
        };
        let department = unit(None, UnitKind::Department);
        let centre = unit(Some(&department), UnitKind::Centre);
        let district = unit(Some(&centre), UnitKind::DistrictDepartment);
        let mut conn = store.conn().unwrap();
        assert_eq!(
            unit_and_ancestors(&mut conn, &district).unwrap(),
            [district.clone(), centre, department]
        );
    }
}
