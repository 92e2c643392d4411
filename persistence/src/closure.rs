//! Closure (lifecycle stage 8, seed 000's standardised closing procedure) and the unilateral
//! endings of agreements (seed 003).
//!
//! A case has at most one closure report per cycle: a draft, edited with a version (ETag) while
//! the case is active, frozen once the case is closed (it is then the report the case was closed
//! with; a reopening starts a new cycle without one). A report that evaluates every goal of the
//! cycle's active plan counts as the final evaluation the `goals_achieved` closure needs (see
//! [`complete_reports`], read by `cases::facts_for`).
//!
//! An agreement ends early when the client ends it unilaterally or the service refuses further
//! help for a stated reason; its `terminated_on` is set, so the guards stop counting it.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use opora_domain::casework::agreement::{self, EndedBy, ServiceRefusalReason};
use opora_domain::closure::{
    InformedHow, NotInformedReason, OpinionDraft, OpinionSource, ReportContext, ReportDraft,
};
use opora_domain::events::{ClosureReportSummary, DomainEvent};
use opora_domain::{Action, ClosureReason, GoalOutcome, LifecycleStage};

use crate::case_records::{case_for, subject};
use crate::events;
use crate::facts::active_goals;
pub use crate::models::ClosureReportRow;
use crate::models::{AgreementRow, CaseRow};
use crate::schema::{
    agreement_terminations, agreements, closure_goal_evaluations, closure_opinions,
    closure_reports, staff,
};
use crate::{new_id, now, AnyConnection, Caller, Store, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = closure_goal_evaluations)]
pub struct GoalEvaluationRow {
    pub report_id: String,
    pub position: i32,
    pub unit_id: String,
    pub goal_id: String,
    pub outcome: String,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = closure_opinions)]
pub struct OpinionRow {
    pub report_id: String,
    pub position: i32,
    pub unit_id: String,
    pub source: String,
    pub staff_id: Option<String>,
    pub author: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = agreement_terminations)]
pub struct TerminationRow {
    pub id: String,
    pub agreement_id: String,
    pub case_id: String,
    pub unit_id: String,
    pub ended_by: String,
    pub reason_code: Option<String>,
    pub reason: Option<String>,
    pub terminated_on: NaiveDate,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

/// The final evaluation of one goal of the active plan.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalEvaluation {
    pub goal_id: String,
    pub outcome: GoalOutcome,
    pub comment: Option<String>,
}

/// An opinion: of a specialist (by staff id), of the family, or of an independent expert.
#[derive(Debug, Clone, PartialEq)]
pub struct Opinion {
    pub source: OpinionSource,
    pub staff_id: Option<String>,
    /// Who, for the family and independent experts.
    pub author: Option<String>,
    pub text: String,
}

/// When and how the family was told why the case ends.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyInformed {
    pub on: NaiveDate,
    pub how: InformedHow,
    pub by: String,
    pub note: Option<String>,
}

/// The whole closure report as written (a PUT replaces it).
#[derive(Debug, Clone, PartialEq)]
pub struct ClosureReportInput {
    pub closure_reason: ClosureReason,
    pub goal_evaluations: Vec<GoalEvaluation>,
    pub opinions: Vec<Opinion>,
    pub satisfaction_score: Option<i32>,
    pub satisfaction_comment: Option<String>,
    pub recommendations: Option<String>,
    pub family_informed: Option<FamilyInformed>,
    /// Why the family could not be told, instead of `family_informed`.
    pub family_not_informed: Option<NotInformedReason>,
}

/// A closure report with its parts and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct ClosureReport {
    pub report: ClosureReportRow,
    pub goal_evaluations: Vec<GoalEvaluationRow>,
    pub opinions: Vec<OpinionRow>,
    /// The case is closed: this is the report it was closed with, and it no longer changes.
    pub frozen: bool,
    /// Goals of the active plan the report does not evaluate yet.
    pub goals_not_evaluated: Vec<String>,
    /// Every goal of the active plan is evaluated: the report counts as the final evaluation.
    pub complete: bool,
}

/// What a PUT of the closure report did.
#[derive(Debug, Clone, PartialEq)]
pub enum ClosureReportSaved {
    Created(ClosureReport),
    Updated(ClosureReport),
    /// A report exists and the request named no version (If-Match).
    VersionRequired,
}

/// An agreement ended unilaterally.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTermination {
    pub ended_by: EndedBy,
    /// For the service.
    pub reason_code: Option<ServiceRefusalReason>,
    /// Optional for the client; required for the service's `other`.
    pub reason: Option<String>,
    pub terminated_on: NaiveDate,
}

fn position(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

fn is_closed(case: &CaseRow) -> bool {
    case.lifecycle_stage == LifecycleStage::Closed.code()
}

/// The case's stage, as the domain's enum.
fn stage_of(case: &CaseRow) -> StoreResult<LifecycleStage> {
    crate::error::stored(
        "lifecycle stage",
        &case.lifecycle_stage,
        LifecycleStage::parse,
    )
}

fn current_report(
    conn: &mut AnyConnection,
    case: &CaseRow,
) -> StoreResult<Option<ClosureReportRow>> {
    Ok(closure_reports::table
        .filter(closure_reports::case_id.eq(&case.id))
        .filter(closure_reports::cycle.eq(case.cycle))
        .select(ClosureReportRow::as_select())
        .first(conn)
        .optional()?)
}

fn load_report(
    conn: &mut AnyConnection,
    case: &CaseRow,
    report: ClosureReportRow,
) -> StoreResult<ClosureReport> {
    let goal_evaluations: Vec<GoalEvaluationRow> = closure_goal_evaluations::table
        .filter(closure_goal_evaluations::report_id.eq(&report.id))
        .order(closure_goal_evaluations::position)
        .select(GoalEvaluationRow::as_select())
        .load(conn)?;
    let opinions = closure_opinions::table
        .filter(closure_opinions::report_id.eq(&report.id))
        .order(closure_opinions::position)
        .select(OpinionRow::as_select())
        .load(conn)?;
    let goals = active_goals(conn, &[case.id.as_str()])?
        .remove(&(case.id.clone(), report.cycle))
        .unwrap_or_default();
    let goals_not_evaluated: Vec<String> = goals
        .iter()
        .filter(|g| !goal_evaluations.iter().any(|e| &e.goal_id == *g))
        .cloned()
        .collect();
    Ok(ClosureReport {
        frozen: is_closed(case) || report.cycle != case.cycle,
        complete: !goals.is_empty() && goals_not_evaluated.is_empty(),
        goals_not_evaluated,
        report,
        goal_evaluations,
        opinions,
    })
}

/// The checks that need the database: goals of the active plan, specialists in scope.
fn check_input(
    conn: &mut AnyConnection,
    caller: &Caller,
    case: &CaseRow,
    input: &ClosureReportInput,
) -> StoreResult<()> {
    let active_goals = active_goals(conn, &[case.id.as_str()])?
        .remove(&(case.id.clone(), case.cycle))
        .unwrap_or_default();
    let mut opinions = Vec::with_capacity(input.opinions.len());
    for o in &input.opinions {
        opinions.push(OpinionDraft {
            source: o.source,
            staff_id: o.staff_id.as_deref(),
            author: o.author.as_deref(),
        });
    }
    // The units of the specialists named, loaded once; the rule decides.
    let named: Vec<&str> = opinions.iter().filter_map(|o| o.staff_id).collect();
    let units: Vec<(String, String)> = staff::table
        .filter(staff::id.eq_any(&named))
        .select((staff::id, staff::unit_id))
        .load(conn)?;
    let staff_in_scope = |id: &str| {
        units
            .iter()
            .any(|(staff_id, unit)| staff_id == id && caller.sees_unit(unit))
    };
    let report = ReportDraft {
        evaluated_goals: input
            .goal_evaluations
            .iter()
            .map(|e| e.goal_id.as_str())
            .collect(),
        opinions,
        informed_on: input.family_informed.as_ref().map(|i| i.on),
        not_informed: input.family_not_informed.is_some(),
    };
    let context = ReportContext {
        active_goals: &active_goals,
        staff_in_scope: &staff_in_scope,
        today: now().date(),
    };
    opora_domain::closure::check_report(&report, &context).map_err(StoreError::refused)
}

impl Store {
    /// The closure report of the case's current cycle (404 if none is written).
    pub fn get_closure_report(&self, caller: &Caller, case_id: &str) -> StoreResult<ClosureReport> {
        self.read_recorded(|conn, looks| {
            let case = case_for(conn, caller, case_id, Action::ReadCaseRecords)?;
            crate::audit::viewed(
                looks,
                caller,
                "case_closure_report",
                case_id,
                &case.unit_id,
                Some(case_id),
            )?;
            let report = current_report(conn, &case)?.ok_or(StoreError::NotFound)?;
            load_report(conn, &case, report)
        })
    }

    /// Writes the closure report of the current cycle (creates it, or replaces it at
    /// `expected_version`). Frozen (409) once the case is closed.
    pub fn put_closure_report(
        &self,
        caller: &Caller,
        case_id: &str,
        expected_version: Option<i64>,
        input: ClosureReportInput,
    ) -> StoreResult<ClosureReportSaved> {
        self.write(|conn| {
            let case = case_for(conn, caller, case_id, Action::ManageCase)?;
            if !opora_domain::access::may_write_closure_report(&caller.actor, &case.key_worker_id) {
                return Err(StoreError::Forbidden(Action::SuperviseUnit));
            }
            opora_domain::closure::check_report_writable(stage_of(&case)?)
                .map_err(StoreError::refused)?;
            let existing = current_report(conn, &case)?;
            match (&existing, expected_version) {
                (Some(_), None) => return Ok(ClosureReportSaved::VersionRequired),
                (Some(r), Some(v)) if r.version != v => {
                    return Err(StoreError::VersionMismatch { current: r.version })
                }
                // A version named for a report that does not exist cannot match.
                (None, Some(_)) => return Err(StoreError::VersionMismatch { current: 0 }),
                _ => {}
            }
            check_input(conn, caller, &case, &input)?;
            let at = now();
            let informed = input.family_informed.clone();
            let created = existing.is_none();
            let row = ClosureReportRow {
                id: existing.as_ref().map_or_else(new_id, |r| r.id.clone()),
                case_id: case.id.clone(),
                unit_id: case.unit_id.clone(),
                cycle: case.cycle,
                closure_reason: input.closure_reason.code().to_owned(),
                satisfaction_score: input.satisfaction_score,
                satisfaction_comment: input.satisfaction_comment,
                recommendations: input.recommendations,
                informed_on: informed.as_ref().map(|i| i.on),
                informed_how: informed.as_ref().map(|i| i.how.code().to_owned()),
                informed_by: informed.as_ref().map(|i| i.by.clone()),
                informed_note: informed.and_then(|i| i.note),
                version: existing.as_ref().map_or(1, |r| r.version + 1),
                created_by: existing
                    .as_ref()
                    .map_or_else(|| caller.actor.staff_id.clone(), |r| r.created_by.clone()),
                created_at: existing.as_ref().map_or(at, |r| r.created_at),
                updated_by: caller.actor.staff_id.clone(),
                updated_at: at,
                not_informed_reason: input.family_not_informed.map(|r| r.code().to_owned()),
            };
            if let Some(before) = &existing {
                diesel::delete(
                    closure_goal_evaluations::table
                        .filter(closure_goal_evaluations::report_id.eq(&before.id)),
                )
                .execute(conn)?;
                diesel::delete(
                    closure_opinions::table.filter(closure_opinions::report_id.eq(&before.id)),
                )
                .execute(conn)?;
                // Guarded by the version too, so a concurrent write cannot be lost.
                let updated = diesel::update(
                    closure_reports::table
                        .filter(closure_reports::id.eq(&before.id))
                        .filter(closure_reports::version.eq(before.version)),
                )
                .set((
                    closure_reports::closure_reason.eq(&row.closure_reason),
                    closure_reports::satisfaction_score.eq(row.satisfaction_score),
                    closure_reports::satisfaction_comment.eq(&row.satisfaction_comment),
                    closure_reports::recommendations.eq(&row.recommendations),
                    closure_reports::informed_on.eq(row.informed_on),
                    closure_reports::informed_how.eq(&row.informed_how),
                    closure_reports::informed_by.eq(&row.informed_by),
                    closure_reports::informed_note.eq(&row.informed_note),
                    closure_reports::not_informed_reason.eq(&row.not_informed_reason),
                    closure_reports::version.eq(row.version),
                    closure_reports::updated_by.eq(&row.updated_by),
                    closure_reports::updated_at.eq(at),
                ))
                .execute(conn)?;
                crate::db::compare_and_set(updated, || {
                    Ok(StoreError::VersionMismatch {
                        current: closure_reports::table
                            .find(&before.id)
                            .select(closure_reports::version)
                            .first(conn)?,
                    })
                })?;
            } else {
                diesel::insert_into(closure_reports::table)
                    .values(&row)
                    .execute(conn)?;
            }
            for (i, e) in input.goal_evaluations.into_iter().enumerate() {
                diesel::insert_into(closure_goal_evaluations::table)
                    .values(GoalEvaluationRow {
                        report_id: row.id.clone(),
                        position: position(i),
                        unit_id: case.unit_id.clone(),
                        goal_id: e.goal_id,
                        outcome: e.outcome.code().to_owned(),
                        comment: e.comment,
                    })
                    .execute(conn)?;
            }
            for (i, o) in input.opinions.into_iter().enumerate() {
                diesel::insert_into(closure_opinions::table)
                    .values(OpinionRow {
                        report_id: row.id.clone(),
                        position: position(i),
                        unit_id: case.unit_id.clone(),
                        source: o.source.code().to_owned(),
                        staff_id: o.staff_id,
                        author: o.author,
                        text: o.text,
                    })
                    .execute(conn)?;
            }
            let report = load_report(conn, &case, row)?;
            events::record(
                conn,
                &subject(&case),
                {
                    let saved = ClosureReportSummary {
                        closure_report_id: report.report.id.clone(),
                        cycle: report.report.cycle,
                        version: report.report.version,
                        closure_reason: report.report.closure_reason.clone(),
                        goals_evaluated: report.goal_evaluations.len(),
                        complete: report.complete,
                    };
                    if created {
                        DomainEvent::ClosureReportDrafted(saved)
                    } else {
                        DomainEvent::ClosureReportUpdated(saved)
                    }
                },
                &caller.actor.staff_id,
                at,
                None,
            )?;
            Ok(if created {
                ClosureReportSaved::Created(report)
            } else {
                ClosureReportSaved::Updated(report)
            })
        })
    }

    /// Records that an agreement ended unilaterally: by the client, or by the service refusing
    /// further help for a stated reason. The agreement stops counting for the guards.
    pub fn terminate_agreement(
        &self,
        caller: &Caller,
        case_id: &str,
        agreement_id: &str,
        new: NewTermination,
    ) -> StoreResult<(TerminationRow, AgreementRow)> {
        agreement::check_termination_reason(new.ended_by, new.reason_code, new.reason.as_deref())
            .map_err(StoreError::refused)?;
        self.write(|conn| {
            let case = case_for(conn, caller, case_id, Action::RecordCaseWork)?;
            let mut agreement: AgreementRow = agreements::table
                .filter(agreements::id.eq(agreement_id))
                .filter(agreements::case_id.eq(&case.id))
                .select(AgreementRow::as_select())
                .first(conn)?;
            agreement::check_may_end(stage_of(&case)?, agreement.terminated_on)
                .map_err(StoreError::refused)?;
            agreement::check_termination_date(new.terminated_on, agreement.signed_on, now().date())
                .map_err(StoreError::refused)?;
            let at = now();
            let row = TerminationRow {
                id: new_id(),
                agreement_id: agreement.id.clone(),
                case_id: case.id.clone(),
                unit_id: case.unit_id.clone(),
                ended_by: new.ended_by.code().to_owned(),
                reason_code: new.reason_code.map(|r| r.code().to_owned()),
                reason: new.reason,
                terminated_on: new.terminated_on,
                created_by: caller.actor.staff_id.clone(),
                created_at: at,
            };
            diesel::insert_into(agreement_terminations::table)
                .values(&row)
                .execute(conn)?;
            // Compare-and-set: an agreement ends once.
            let updated = diesel::update(
                agreements::table
                    .filter(agreements::id.eq(&agreement.id))
                    .filter(agreements::terminated_on.is_null()),
            )
            .set(agreements::terminated_on.eq(row.terminated_on))
            .execute(conn)?;
            crate::db::compare_and_set(updated, || {
                Ok(StoreError::Conflict(
                    "the agreement was terminated meanwhile".into(),
                ))
            })?;
            agreement.terminated_on = Some(row.terminated_on);
            events::record(
                conn,
                &subject(&case),
                DomainEvent::AgreementTerminated {
                    agreement_id: agreement.id.clone(),
                    kind: agreement.kind.clone(),
                    ended_by: row.ended_by.clone(),
                    reason_code: row.reason_code.clone(),
                    terminated_on: row.terminated_on,
                },
                &caller.actor.staff_id,
                at,
                row.reason.clone(),
            )?;
            Ok((row, agreement))
        })
    }
}
