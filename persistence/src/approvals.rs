//! Supervisor approvals and the unit settings that require them (issue 3, items 4 and 7), and the
//! plan version's agreement record and planned services.
//!
//! A unit may require a supervisor's approval of a plan version before the client's agreement is
//! recorded, and of the closure report before the case closes. The settings of the nearest unit
//! up the tree that has any apply; with none anywhere nothing is required.
//!
//! Agreeing a plan version also writes an `agreements` row of kind `plan_agreement` linked to the
//! version (`plan_id`): the agreements list shows it, and the plan shows its id.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use opora_domain::casework::agreement::form_of_plan_agreement;
use opora_domain::casework::plan::{ApprovalDecision, GoalPriority, GoalTerm, ProviderKind};
use opora_domain::events::EventKind;
use opora_domain::{Action, AgreementForm, AgreementKind};
use serde_json::json;

use crate::cases::{case_for, subject};
use crate::casework::PlanAgreement;
use crate::closure::ClosureReportRow;
use crate::error::one_of;
use crate::events;
use crate::models::{AgreementRow, CaseRow, PlanRow, PlanServiceRow};
use crate::schema::{
    agreements, closure_approvals, closure_reports, plan_approvals, plan_services, unit_settings,
    units,
};
use crate::{new_id, now, AnyConnection, Caller, Store, StoreError, StoreResult};

/// The code of the 409 when the unit requires a supervisor's approval before the agreement.
pub const SUPERVISOR_PLAN_APPROVAL: &str = "supervisor_plan_approval";

/// A service planned in a plan version.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewService {
    pub service: String,
    /// A [`ProviderKind`] code.
    pub provider_kind: Option<String>,
    /// The worker (staff id or name) or the partner organisation's name.
    pub provider: String,
    pub frequency: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = unit_settings)]
pub struct UnitSettingsRow {
    pub unit_id: String,
    pub requires_plan_approval: bool,
    pub requires_closure_approval: bool,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
}

/// The settings that apply to a unit, and where they come from.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitSettings {
    pub unit_id: String,
    pub requires_plan_approval: bool,
    pub requires_closure_approval: bool,
    /// The unit whose settings apply (this one or one up the tree); `None`: nobody set any.
    pub set_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = closure_approvals)]
pub struct ClosureApprovalRow {
    pub id: String,
    pub report_id: String,
    pub case_id: String,
    pub unit_id: String,
    /// The report's version the decision concerns: an edit afterwards needs a new approval.
    pub report_version: i64,
    pub approved: bool,
    pub comment: Option<String>,
    pub supervisor_id: String,
    pub recorded_at: NaiveDateTime,
}

/// The settings of the nearest unit up the tree (the unit itself first) that has any.
pub(crate) fn effective_settings(
    conn: &mut AnyConnection,
    unit_id: &str,
) -> StoreResult<UnitSettings> {
    let mut current = Some(unit_id.to_owned());
    let mut hops = 0;
    while let Some(unit) = current {
        if let Some(row) = unit_settings::table
            .find(&unit)
            .select(UnitSettingsRow::as_select())
            .first(conn)
            .optional()?
        {
            return Ok(UnitSettings {
                unit_id: unit_id.to_owned(),
                requires_plan_approval: row.requires_plan_approval,
                requires_closure_approval: row.requires_closure_approval,
                set_on: Some(row.unit_id),
            });
        }
        hops += 1;
        if hops > 64 {
            break;
        }
        current = units::table
            .find(&unit)
            .select(units::parent_id)
            .first::<Option<String>>(conn)
            .optional()?
            .flatten();
    }
    Ok(UnitSettings {
        unit_id: unit_id.to_owned(),
        requires_plan_approval: false,
        requires_closure_approval: false,
        set_on: None,
    })
}

/// Per case: whether its unit requires the closure approval, and whether the current cycle's
/// closure report is approved as it stands (read by `cases::facts_for`).
pub(crate) fn closure_approval_facts(
    conn: &mut AnyConnection,
    cases: &[CaseRow],
) -> StoreResult<HashMap<String, (bool, bool)>> {
    let mut required_by_unit: HashMap<String, bool> = HashMap::new();
    let mut out = HashMap::new();
    for case in cases {
        let required = match required_by_unit.get(&case.unit_id) {
            Some(r) => *r,
            None => {
                let r = effective_settings(conn, &case.unit_id)?.requires_closure_approval;
                required_by_unit.insert(case.unit_id.clone(), r);
                r
            }
        };
        let approved = required && closure_approved(conn, case)?;
        out.insert(case.id.clone(), (required, approved));
    }
    Ok(out)
}

/// The latest decision on the current cycle's report approves it at its current version.
fn closure_approved(conn: &mut AnyConnection, case: &CaseRow) -> StoreResult<bool> {
    let report: Option<(String, i64)> = closure_reports::table
        .filter(closure_reports::case_id.eq(&case.id))
        .filter(closure_reports::cycle.eq(case.cycle))
        .select((closure_reports::id, closure_reports::version))
        .first(conn)
        .optional()?;
    let Some((report_id, version)) = report else {
        return Ok(false);
    };
    let latest: Option<(bool, i64)> = closure_approvals::table
        .filter(closure_approvals::report_id.eq(&report_id))
        .order((
            closure_approvals::recorded_at.desc(),
            closure_approvals::id.desc(),
        ))
        .select((
            closure_approvals::approved,
            closure_approvals::report_version,
        ))
        .first(conn)
        .optional()?;
    Ok(latest.is_some_and(|(approved, at)| approved && at == version))
}

/// Refuses the agreement (409 naming [`SUPERVISOR_PLAN_APPROVAL`]) when the case's unit requires
/// a supervisor's approval of the version and none is on record.
pub(crate) fn check_plan_approval(
    conn: &mut AnyConnection,
    case: &CaseRow,
    plan: &PlanRow,
) -> StoreResult<()> {
    if !effective_settings(conn, &case.unit_id)?.requires_plan_approval {
        return Ok(());
    }
    let approved: i64 = plan_approvals::table
        .filter(plan_approvals::plan_id.eq(&plan.id))
        .filter(plan_approvals::decision.eq(ApprovalDecision::Approved.code()))
        .count()
        .get_result(conn)?;
    if approved == 0 {
        return Err(StoreError::RequirementUnmet {
            code: SUPERVISOR_PLAN_APPROVAL,
            message: format!(
                "the unit requires a supervisor's approval of plan version {} before the client's agreement",
                plan.version_no
            ),
        });
    }
    Ok(())
}

/// Checks the optional goal fields and the planned services of a new plan version.
pub(crate) fn check_plan_fields(
    goals: &[(Option<String>, Option<String>)],
    services: &[NewService],
) -> StoreResult<()> {
    for (i, (term, priority)) in goals.iter().enumerate() {
        if let Some(t) = term {
            if GoalTerm::parse(t).is_none() {
                return Err(StoreError::invalid(
                    &format!("goals[{i}].term"),
                    "unknown_code",
                    format!("{t:?} is not one of: {}", one_of(GoalTerm::ALL)),
                ));
            }
        }
        if let Some(p) = priority {
            if GoalPriority::parse(p).is_none() {
                return Err(StoreError::invalid(
                    &format!("goals[{i}].priority"),
                    "unknown_code",
                    format!("{p:?} is not one of: {}", one_of(GoalPriority::ALL)),
                ));
            }
        }
    }
    for (i, s) in services.iter().enumerate() {
        if s.service.trim().is_empty() {
            return Err(StoreError::invalid(
                &format!("services[{i}].service"),
                "required",
                "name the service",
            ));
        }
        if s.provider.trim().is_empty() {
            return Err(StoreError::invalid(
                &format!("services[{i}].provider"),
                "required",
                "name the worker or the partner organisation",
            ));
        }
        if let Some(kind) = &s.provider_kind {
            if ProviderKind::parse(kind).is_none() {
                return Err(StoreError::invalid(
                    &format!("services[{i}].provider_kind"),
                    "unknown_code",
                    format!("{kind:?} is not one of: {}", one_of(ProviderKind::ALL)),
                ));
            }
        }
    }
    Ok(())
}

/// Writes the services planned in a new plan version.
pub(crate) fn insert_services(
    conn: &mut AnyConnection,
    plan: &PlanRow,
    services: Vec<NewService>,
) -> StoreResult<Vec<PlanServiceRow>> {
    let rows: Vec<PlanServiceRow> = services
        .into_iter()
        .enumerate()
        .map(|(i, s)| PlanServiceRow {
            id: new_id(),
            plan_id: plan.id.clone(),
            unit_id: plan.unit_id.clone(),
            position: i32::try_from(i).unwrap_or(i32::MAX),
            service: s.service,
            provider_kind: s.provider_kind,
            provider: s.provider,
            frequency: s.frequency,
        })
        .collect();
    for row in &rows {
        diesel::insert_into(plan_services::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(rows)
}

/// The services of a plan version and the id of its agreement record, if agreed.
pub(crate) fn plan_extras(
    conn: &mut AnyConnection,
    plan_id: &str,
) -> StoreResult<(Vec<PlanServiceRow>, Option<String>)> {
    let services = plan_services::table
        .filter(plan_services::plan_id.eq(plan_id))
        .order(plan_services::position)
        .select(PlanServiceRow::as_select())
        .load(conn)?;
    let agreement = agreements::table
        .filter(agreements::plan_id.eq(plan_id))
        .filter(agreements::kind.eq(AgreementKind::PlanAgreement.code()))
        .order(agreements::id.desc())
        .select(agreements::id)
        .first(conn)
        .optional()?;
    Ok((services, agreement))
}

/// The agreement record of the client's agreement to a plan version (same transaction).
pub(crate) fn record_plan_agreement(
    conn: &mut AnyConnection,
    caller: &Caller,
    case: &CaseRow,
    plan: &PlanRow,
    agreement: &PlanAgreement,
) -> StoreResult<String> {
    let row = AgreementRow {
        id: new_id(),
        case_id: case.id.clone(),
        unit_id: case.unit_id.clone(),
        cycle: case.cycle,
        kind: AgreementKind::PlanAgreement.code().to_owned(),
        signed_on: agreement.agreed_on,
        signed_by_client: true,
        signed_by_service: false,
        parties: agreement.agreed_by.clone(),
        notes: None,
        valid_until: None,
        terminated_on: None,
        created_by: caller.actor.staff_id.clone(),
        created_at: now(),
        plan_id: Some(plan.id.clone()),
        method: Some(agreement.method.clone()),
        signed_for_child_by: agreement.signed_for_child_by.clone(),
        signer_relation: agreement.signer_relation.clone(),
        // The API admits only the methods of the closed list; an electronic one is written.
        form: opora_domain::AgreementMethod::parse(&agreement.method)
            .map_or(AgreementForm::Written, form_of_plan_agreement)
            .code()
            .to_owned(),
        witnessed_by: None,
    };
    diesel::insert_into(agreements::table)
        .values(&row)
        .execute(conn)?;
    Ok(row.id)
}

impl Store {
    /// The settings that apply to a unit in the caller's scope.
    pub fn unit_settings(&self, caller: &Caller, unit_id: &str) -> StoreResult<UnitSettings> {
        if !caller.sees_unit(unit_id) {
            return Err(StoreError::NotFound);
        }
        caller.require(Action::ReadDirectory)?;
        self.read(|conn| effective_settings(conn, unit_id))
    }

    /// Sets a unit's own settings (admins of the unit's tree).
    pub fn put_unit_settings(
        &self,
        caller: &Caller,
        unit_id: &str,
        requires_plan_approval: bool,
        requires_closure_approval: bool,
    ) -> StoreResult<UnitSettings> {
        if !caller.sees_unit(unit_id) {
            return Err(StoreError::NotFound);
        }
        caller.require(Action::ManageDirectory)?;
        self.write(|conn| {
            let row = UnitSettingsRow {
                unit_id: unit_id.to_owned(),
                requires_plan_approval,
                requires_closure_approval,
                updated_by: caller.actor.staff_id.clone(),
                updated_at: now(),
            };
            diesel::delete(unit_settings::table.find(unit_id)).execute(conn)?;
            diesel::insert_into(unit_settings::table)
                .values(&row)
                .execute(conn)?;
            crate::audit::append(
                conn,
                crate::audit::Entry {
                    actor_id: &caller.actor.staff_id,
                    at: row.updated_at,
                    action: "unit.settings",
                    subject_type: "unit",
                    subject_id: unit_id,
                    unit_id,
                    case_id: None,
                    purpose: None,
                    legal_basis: None,
                    payload: json!({ "requires_plan_approval": requires_plan_approval, "requires_closure_approval": requires_closure_approval }),
                },
            )?;
            effective_settings(conn, unit_id)
        })
    }

    /// A supervisor approves (or refuses) the closure report of the case's current cycle, as it
    /// stands now.
    pub fn approve_closure_report(
        &self,
        caller: &Caller,
        case_id: &str,
        approved: bool,
        comment: Option<String>,
    ) -> StoreResult<ClosureApprovalRow> {
        self.write(|conn| {
            let case = case_for(conn, caller, case_id, Action::ReadCaseRecords)?;
            caller.require(Action::ApproveClosure)?;
            let report: ClosureReportRow = closure_reports::table
                .filter(closure_reports::case_id.eq(&case.id))
                .filter(closure_reports::cycle.eq(case.cycle))
                .select(ClosureReportRow::as_select())
                .first(conn)
                .optional()?
                .ok_or(StoreError::NotFound)?;
            if case.lifecycle_stage == opora_domain::LifecycleStage::Closed.code() {
                return Err(StoreError::Conflict(
                    "the case is closed: its closure report is frozen".into(),
                ));
            }
            let row = ClosureApprovalRow {
                id: new_id(),
                report_id: report.id.clone(),
                case_id: case.id.clone(),
                unit_id: case.unit_id.clone(),
                report_version: report.version,
                approved,
                comment: comment.clone(),
                supervisor_id: caller.actor.staff_id.clone(),
                recorded_at: now(),
            };
            diesel::insert_into(closure_approvals::table)
                .values(&row)
                .execute(conn)?;
            events::record(
                conn,
                &subject(&case),
                EventKind::ClosureReportApproval,
                &caller.actor.staff_id,
                row.recorded_at,
                comment,
                json!({ "report_id": report.id, "version": report.version, "approved": approved }),
            )?;
            Ok(row)
        })
    }
}
