//! Supervisor approvals and the unit settings that require them (issue 3, items 4 and 7), and the
//! plan version's agreement record and planned services.
//!
//! A unit may require a supervisor's approval of a plan version before the client's agreement is
//! recorded, and of the closure report before the case closes. The settings of the nearest unit
//! up the tree that has any apply; with none anywhere nothing is required.
//!
//! Agreeing a plan version also writes an `agreements` row of kind `plan_agreement` linked to the
//! version (`plan_id`): the agreements list shows it, and the plan shows its id.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use opora_domain::casework::plan::{self, ApprovalDecision, ProviderKind};
use opora_domain::events::DomainEvent;
use opora_domain::{Action, AgreementKind};
use serde_json::json;

use crate::case_records::{case_for, subject};
use crate::events;
use crate::facts::effective_settings;
pub use crate::facts::UnitSettings;
pub use crate::models::UnitSettingsRow;
use crate::models::{CaseRow, ClosureReportRow, PlanRow, PlanServiceRow};
use crate::schema::{
    agreements, closure_approvals, closure_reports, plan_approvals, plan_services, unit_settings,
};
use crate::{new_id, now, AnyConnection, Caller, Store, StoreError, StoreResult};

/// The code of the 409 when the unit requires a supervisor's approval before the agreement.
pub const SUPERVISOR_PLAN_APPROVAL: &str = plan::SUPERVISOR_PLAN_APPROVAL;

/// A service planned in a plan version.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewService {
    pub service: String,
    pub provider_kind: Option<ProviderKind>,
    /// The worker (staff id or name) or the partner organisation's name.
    pub provider: String,
    pub frequency: Option<String>,
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

/// Refuses the agreement (409 naming [`SUPERVISOR_PLAN_APPROVAL`]) when the case's unit requires
/// a supervisor's approval of the version and none is on record.
pub(crate) fn check_plan_approval(
    conn: &mut AnyConnection,
    case: &CaseRow,
    plan: &PlanRow,
) -> StoreResult<()> {
    let required = effective_settings(conn, &case.unit_id)?.requires_plan_approval;
    let approved = required && {
        let approvals: i64 = plan_approvals::table
            .filter(plan_approvals::plan_id.eq(&plan.id))
            .filter(plan_approvals::decision.eq(ApprovalDecision::Approved.code()))
            .count()
            .get_result(conn)?;
        approvals > 0
    };
    plan::check_supervisor_approval(required, approved, plan.version_no).map_err(|e| {
        // An unmet requirement of the record's state: a 409 naming its code.
        StoreError::RequirementUnmet {
            code: e.code(),
            message: e.message().to_owned(),
        }
    })
}

/// Checks the planned services of a new plan version.
pub(crate) fn check_plan_services(services: &[NewService]) -> StoreResult<()> {
    let drafts: Vec<plan::ServiceDraft<'_>> = services
        .iter()
        .map(|s| plan::ServiceDraft {
            service: &s.service,
            provider: &s.provider,
        })
        .collect();
    plan::check_services(&drafts).map_err(StoreError::refused)
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
            provider_kind: s.provider_kind.map(|k| k.code().to_owned()),
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
            let stage = crate::error::stored(
                "lifecycle stage",
                &case.lifecycle_stage,
                opora_domain::LifecycleStage::parse,
            )?;
            opora_domain::closure::check_report_not_frozen(stage).map_err(StoreError::refused)?;
            opora_domain::access::check_not_own_work(
                &caller.actor.staff_id,
                &[&report.created_by, &report.updated_by],
            )
            .map_err(StoreError::refused)?;
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
                DomainEvent::ClosureReportApproval {
                    report_id: report.id.clone(),
                    version: report.version,
                    approved,
                },
                &caller.actor.staff_id,
                row.recorded_at,
                comment,
            )?;
            Ok(row)
        })
    }
}
