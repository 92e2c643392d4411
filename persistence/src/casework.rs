//! The records of a case the guards look at: assessments, plan versions (goals and actions, the
//! client's agreement), agreements (service agreement, informed consent, contracts, termination)
//! and evaluations. Just enough for the guards now; the casework issue deepens them.
//!
//! Rules kept here: records are added only while the case is active; a completed assessment is
//! immutable (corrections go into a new one); a plan version becomes active only when the
//! client's agreement is recorded, and the version it replaces is kept, marked superseded.
//!
//! Depth (issue 3): an assessment has entries per life domain, conclusions, recommendations and
//! the child's own view; a draft is edited with its version (ETag). Goals and actions keep a
//! stable id across plan versions, and their execution state is stored apart from the versioned
//! wording (keyed by the stable id), so work recorded against an action survives a new version.
//! Specialists taking part in an action record their agreement; a supervisor may approve a
//! version. A version that loads the family with more than the policy's `family_weekly_load`
//! family tasks and planned appointments a week carries a `family_overload` warning.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;
use opora_domain::casework::agreement;
use opora_domain::casework::assessment::{AssessmentCommand, AssessmentStatus, NeedLevel};
use opora_domain::casework::execution::ExecutionStatus;
use opora_domain::casework::plan::{ApprovalDecision, PlanCommand, PlanStatus, ResponsibleKind};
use opora_domain::contacts::ContactStatus;
use opora_domain::events::EventKind;
use opora_domain::{Action, AgreementForm, AgreementKind};
use serde_json::json;

use crate::cases::{case_for, subject};
use crate::error::one_of;
use crate::events;
use crate::models::{
    ActionExecutionRow, ActionExecutionView, ActionRow, AgreementRow, Assessment,
    AssessmentDomainRow, AssessmentRow, CaseRow, EvaluationRow, GoalProgressRow, GoalRow, Plan,
    PlanApprovalRow, PlanRow, PlanWarning, SpecialistAgreementRow,
};
use crate::schema::{
    agreements, assessment_domains, assessments, contacts, evaluations, plan_action_execution,
    plan_actions, plan_approvals, plan_goal_progress, plan_goals, plan_specialist_agreements,
    plans,
};
use crate::{new_id, now, AnyConnection, Caller, Store, StoreError, StoreResult};

/// One life domain of an assessment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DomainEntry {
    /// A code of the `life_domains` list.
    pub domain: String,
    /// A [`NeedLevel`] code.
    pub need_level: String,
    pub strengths: String,
    pub risks: String,
    pub resources: String,
}

/// The child's own view, gathered from the child.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChildView {
    pub text: String,
    /// How it was gathered (conversation, drawing, …).
    pub method: String,
    pub gathered_on: NaiveDate,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewAssessment {
    /// `initial` or `re_assessment`.
    pub kind: String,
    pub summary: String,
    pub needs: String,
    pub strengths: String,
    pub risks: String,
    /// Complete it at once (it is then immutable).
    pub complete: bool,
    pub domains: Vec<DomainEntry>,
    /// Problems to work on.
    pub conclusions: Vec<String>,
    pub recommendations: String,
    pub child_view: Option<ChildView>,
    /// A re-assessment may name the completed assessment it corrects.
    pub corrects: Option<String>,
}

/// Changes to a draft assessment; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssessmentChanges {
    pub summary: Option<String>,
    pub needs: Option<String>,
    pub strengths: Option<String>,
    pub risks: Option<String>,
    /// Replaces every domain entry.
    pub domains: Option<Vec<DomainEntry>>,
    pub conclusions: Option<Vec<String>>,
    pub recommendations: Option<String>,
    pub child_view: Option<ChildView>,
    /// Complete it with these changes (it is then immutable).
    pub complete: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewGoal {
    /// The stable id of a goal of an earlier version to carry over (wording may change).
    pub id: Option<String>,
    pub description: String,
    pub expected_result: String,
    pub deadline: Option<NaiveDate>,
    /// `short` or `long`.
    pub term: Option<String>,
    /// `1`–`5` or `low`, `medium`, `high`.
    pub priority: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewAction {
    /// The stable id of an action of an earlier version to carry over (wording may change).
    pub id: Option<String>,
    /// Index into the plan's goals, if the action serves one.
    pub goal: Option<usize>,
    /// Or the stable id of a goal of this version.
    pub goal_id: Option<String>,
    pub description: String,
    pub responsible: String,
    pub due_on: Option<NaiveDate>,
    /// A [`ResponsibleKind`] code.
    pub responsible_kind: Option<String>,
    /// The responsible's staff id, name or organisation.
    pub responsible_ref: Option<String>,
    pub frequency: Option<String>,
    /// Staff ids of the specialists taking part (they record their agreement).
    pub specialists: Vec<String>,
}

/// Execution state of an action.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionExecution {
    /// An [`ExecutionStatus`] code.
    pub status: String,
    pub done_on: Option<NaiveDate>,
    pub result: Option<String>,
}

/// Progress of a goal.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalProgress {
    /// An [`ExecutionStatus`] code.
    pub status: String,
    /// 0–100.
    pub progress: i32,
    pub note: Option<String>,
}

/// A specialist's agreement to an action; `staff_id`, when given, must be the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecialistAgreement {
    pub staff_id: Option<String>,
    pub agreed: bool,
    pub comment: Option<String>,
}

/// A supervisor's approval of, or comment on, a plan version.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanApproval {
    /// An [`ApprovalDecision`] code.
    pub decision: String,
    pub comment: Option<String>,
}

/// The execution part of a case's plan: every action and goal by stable id.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanExecution {
    pub actions: Vec<ActionExecutionView>,
    pub goals: Vec<(GoalRow, i32, Option<GoalProgressRow>)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewPlan {
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub next_review_on: NaiveDate,
    pub goals: Vec<NewGoal>,
    pub actions: Vec<NewAction>,
    /// The services planned (service, provider, frequency).
    pub services: Vec<crate::approvals::NewService>,
}

/// The client's agreement to a plan version.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanAgreement {
    pub agreed_on: NaiveDate,
    /// Who signed (for a child, a person with parental responsibility).
    pub agreed_by: String,
    /// How: `signed`, `oral`, `electronic`.
    pub method: String,
    /// For a child: the person with parental responsibility who signed.
    pub signed_for_child_by: Option<String>,
    /// Their relation to the child (e.g. `mother`, `guardian`).
    pub signer_relation: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAgreement {
    pub kind: AgreementKind,
    /// `None`: as the domain defaults it (`opora_domain::casework::agreement::record`).
    pub form: Option<AgreementForm>,
    /// Who witnessed an oral agreement.
    pub witnessed_by: Option<String>,
    /// The day it was signed, or agreed orally.
    pub signed_on: NaiveDate,
    pub signed_by_client: bool,
    pub signed_by_service: bool,
    pub parties: String,
    pub notes: Option<String>,
    pub valid_until: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewEvaluation {
    /// `interim` or `final`.
    pub kind: String,
    pub summary: String,
    /// `achieved`, `partly_achieved`, `not_achieved`.
    pub outcome: String,
}

/// The case, if visible, the caller may record work on it, and it is active.
pub(crate) fn active_case(
    conn: &mut AnyConnection,
    caller: &Caller,
    case_id: &str,
) -> StoreResult<CaseRow> {
    let case = case_for(conn, caller, case_id, Action::RecordCaseWork)?;
    let active = opora_domain::LifecycleStage::parse(&case.lifecycle_stage)
        .is_some_and(opora_domain::LifecycleStage::is_active_case);
    if !active {
        return Err(StoreError::Conflict(format!(
            "the case is {}: records are added only while it is active",
            case.lifecycle_stage
        )));
    }
    Ok(case)
}

fn load_plan(conn: &mut AnyConnection, plan: PlanRow) -> StoreResult<Plan> {
    let goals = plan_goals::table
        .filter(plan_goals::plan_id.eq(&plan.id))
        .order(plan_goals::position)
        .select(GoalRow::as_select())
        .load(conn)?;
    let actions = plan_actions::table
        .filter(plan_actions::plan_id.eq(&plan.id))
        .order(plan_actions::position)
        .select(ActionRow::as_select())
        .load(conn)?;
    let specialist_agreements = plan_specialist_agreements::table
        .filter(plan_specialist_agreements::plan_id.eq(&plan.id))
        .order(plan_specialist_agreements::id)
        .select(SpecialistAgreementRow::as_select())
        .load(conn)?;
    let approvals = plan_approvals::table
        .filter(plan_approvals::plan_id.eq(&plan.id))
        .order(plan_approvals::id)
        .select(PlanApprovalRow::as_select())
        .load(conn)?;
    let (services, agreement_id) = crate::approvals::plan_extras(conn, &plan.id)?;
    Ok(Plan {
        plan,
        goals,
        actions,
        specialist_agreements,
        approvals,
        warnings: Vec::new(),
        services,
        agreement_id,
    })
}

fn load_domains(
    conn: &mut AnyConnection,
    rows: Vec<AssessmentRow>,
) -> StoreResult<Vec<Assessment>> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut domains: HashMap<String, Vec<AssessmentDomainRow>> = HashMap::new();
    for d in assessment_domains::table
        .filter(assessment_domains::assessment_id.eq_any(&ids))
        .order((
            assessment_domains::assessment_id,
            assessment_domains::position,
        ))
        .select(AssessmentDomainRow::as_select())
        .load(conn)?
    {
        domains.entry(d.assessment_id.clone()).or_default().push(d);
    }
    Ok(rows
        .into_iter()
        .map(|assessment| Assessment {
            domains: domains.remove(&assessment.id).unwrap_or_default(),
            assessment,
        })
        .collect())
}

fn load_assessment(
    conn: &mut AnyConnection,
    case: &CaseRow,
    assessment_id: &str,
) -> StoreResult<AssessmentRow> {
    Ok(assessments::table
        .filter(assessments::id.eq(assessment_id))
        .filter(assessments::case_id.eq(&case.id))
        .select(AssessmentRow::as_select())
        .first(conn)?)
}

/// Checks the life-domain codes against the `life_domains` classifier (built in, or added and
/// active); a deactivated code the draft already has (`assessment_id`) may stay.
fn check_domain_codes(
    conn: &mut AnyConnection,
    domains: &[DomainEntry],
    assessment_id: Option<&str>,
) -> StoreResult<()> {
    let kept: Vec<String> = match assessment_id {
        Some(id) => assessment_domains::table
            .filter(assessment_domains::assessment_id.eq(id))
            .select(assessment_domains::domain)
            .load(conn)?,
        None => Vec::new(),
    };
    for (i, d) in domains.iter().enumerate() {
        if !kept.contains(&d.domain) {
            crate::reference::check_code(
                conn,
                opora_domain::labels::ReferenceList::LifeDomains,
                &format!("domains[{i}].domain"),
                &d.domain,
            )?;
        }
    }
    Ok(())
}

fn check_domains(domains: &[DomainEntry]) -> StoreResult<()> {
    let mut seen = HashSet::new();
    for (i, d) in domains.iter().enumerate() {
        if NeedLevel::parse(&d.need_level).is_none() {
            return Err(StoreError::invalid(
                &format!("domains[{i}].need_level"),
                "unknown_code",
                format!("{:?} is not a need level", d.need_level),
            ));
        }
        if !seen.insert(d.domain.as_str()) {
            return Err(StoreError::invalid(
                &format!("domains[{i}].domain"),
                "duplicate",
                "each life domain appears once",
            ));
        }
    }
    Ok(())
}

fn write_domains(
    conn: &mut AnyConnection,
    row: &AssessmentRow,
    domains: Vec<DomainEntry>,
) -> StoreResult<()> {
    diesel::delete(assessment_domains::table.filter(assessment_domains::assessment_id.eq(&row.id)))
        .execute(conn)?;
    for (i, d) in domains.into_iter().enumerate() {
        diesel::insert_into(assessment_domains::table)
            .values(&AssessmentDomainRow {
                id: new_id(),
                assessment_id: row.id.clone(),
                case_id: row.case_id.clone(),
                unit_id: row.unit_id.clone(),
                position: position(i),
                domain: d.domain,
                need_level: d.need_level,
                strengths: d.strengths,
                risks: d.risks,
                resources: d.resources,
            })
            .execute(conn)?;
    }
    Ok(())
}

fn to_json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// The plan versions of a case, oldest first.
fn case_plans(conn: &mut AnyConnection, case: &CaseRow) -> StoreResult<Vec<PlanRow>> {
    Ok(plans::table
        .filter(plans::case_id.eq(&case.id))
        .order(plans::version_no)
        .select(PlanRow::as_select())
        .load(conn)?)
}

/// Rows of the case's plan versions, each with its version's number and status, in version
/// then position order.
fn tag_versions<R>(
    versions: &[PlanRow],
    rows: Vec<R>,
    plan_id: impl Fn(&R) -> &str,
    position: impl Fn(&R) -> i32,
) -> Vec<(R, i32, String)> {
    let mut out: Vec<(R, i32, String)> = rows
        .into_iter()
        .filter_map(|row| {
            let p = versions.iter().find(|p| p.id == plan_id(&row))?;
            let (version, status) = (p.version_no, p.status.clone());
            Some((row, version, status))
        })
        .collect();
    out.sort_by_key(|(row, v, _)| (*v, position(row)));
    out
}

/// The goals and actions of every plan version of the case (the versions read once).
type VersionedGoals = Vec<(GoalRow, i32, String)>;
type VersionedActions = Vec<(ActionRow, i32, String)>;

fn case_plan_items(
    conn: &mut AnyConnection,
    case: &CaseRow,
) -> StoreResult<(VersionedGoals, VersionedActions)> {
    let versions = case_plans(conn, case)?;
    let ids: Vec<&str> = versions.iter().map(|p| p.id.as_str()).collect();
    let goals: Vec<GoalRow> = plan_goals::table
        .filter(plan_goals::plan_id.eq_any(&ids))
        .select(GoalRow::as_select())
        .load(conn)?;
    let actions: Vec<ActionRow> = plan_actions::table
        .filter(plan_actions::plan_id.eq_any(&ids))
        .select(ActionRow::as_select())
        .load(conn)?;
    Ok((
        tag_versions(&versions, goals, |g| g.plan_id.as_str(), |g| g.position),
        tag_versions(&versions, actions, |a| a.plan_id.as_str(), |a| a.position),
    ))
}

/// A plan version of the case that is not superseded (agreements and approvals concern it).
fn current_version(
    conn: &mut AnyConnection,
    case: &CaseRow,
    plan_id: &str,
) -> StoreResult<PlanRow> {
    let plan: PlanRow = plans::table
        .filter(plans::id.eq(plan_id))
        .filter(plans::case_id.eq(&case.id))
        .select(PlanRow::as_select())
        .first(conn)?;
    plan.status()?
        .next(PlanCommand::Review)
        .map_err(|r| StoreError::Conflict(r.message_for_version(plan.version_no)))?;
    Ok(plan)
}

fn position(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

impl Store {
    pub fn record_assessment(
        &self,
        caller: &Caller,
        case_id: &str,
        new: NewAssessment,
    ) -> StoreResult<Assessment> {
        check_domains(&new.domains)?;
        if new.corrects.is_some() && new.kind != "re_assessment" {
            return Err(StoreError::invalid(
                "corrects",
                "not_a_re_assessment",
                "only a re-assessment corrects an earlier assessment",
            ));
        }
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            check_domain_codes(conn, &new.domains, None)?;
            if let Some(corrects) = &new.corrects {
                let earlier = load_assessment(conn, &case, corrects).map_err(|e| match e {
                    StoreError::NotFound => StoreError::invalid(
                        "corrects",
                        "unknown_assessment",
                        "no such assessment of this case",
                    ),
                    other => other,
                })?;
                earlier
                    .status()?
                    .next(AssessmentCommand::Correct)
                    .map_err(|r| StoreError::refused(r.at_field("corrects")))?;
            }
            let at = now();
            let child_view = new.child_view;
            let row = AssessmentRow {
                id: new_id(),
                case_id: case.id.clone(),
                unit_id: case.unit_id.clone(),
                cycle: case.cycle,
                kind: new.kind,
                summary: new.summary,
                needs: new.needs,
                strengths: new.strengths,
                risks: new.risks,
                status: AssessmentStatus::at_creation(new.complete).code().to_owned(),
                completed_at: new.complete.then_some(at),
                created_by: caller.actor.staff_id.clone(),
                created_at: at,
                version: 1,
                conclusions: to_json(&new.conclusions),
                recommendations: new.recommendations,
                child_view: child_view.as_ref().map(|c| c.text.clone()),
                child_view_method: child_view.as_ref().map(|c| c.method.clone()),
                child_view_on: child_view.as_ref().map(|c| c.gathered_on),
                corrects: new.corrects,
            };
            diesel::insert_into(assessments::table)
                .values(&row)
                .execute(conn)?;
            let domains = new.domains.len();
            write_domains(conn, &row, new.domains)?;
            events::record(
                conn,
                &subject(&case),
                if new.complete {
                    EventKind::AssessmentCompleted
                } else {
                    EventKind::AssessmentDrafted
                },
                &caller.actor.staff_id,
                at,
                None,
                json!({ "assessment_id": row.id, "kind": row.kind, "cycle": row.cycle, "domains": domains, "corrects": row.corrects, "child_view": row.child_view.is_some() }),
            )?;
            Ok(load_domains(conn, vec![row])?.remove(0))
        })
    }

    /// One assessment with its domain entries.
    pub fn get_assessment(
        &self,
        caller: &Caller,
        case_id: &str,
        assessment_id: &str,
    ) -> StoreResult<Assessment> {
        self.write(|conn| {
            let case = case_for(conn, caller, case_id, Action::ReadCaseRecords)?;
            let row = load_assessment(conn, &case, assessment_id)?;
            crate::audit::viewed(
                conn,
                caller,
                "case_assessment",
                &row.id,
                &case.unit_id,
                Some(case_id),
            )?;
            Ok(load_domains(conn, vec![row])?.remove(0))
        })
    }

    /// Changes a draft assessment based on version `expected` (a completed one is immutable).
    pub fn update_assessment(
        &self,
        caller: &Caller,
        case_id: &str,
        assessment_id: &str,
        expected: i64,
        changes: AssessmentChanges,
    ) -> StoreResult<Assessment> {
        if let Some(domains) = &changes.domains {
            check_domains(domains)?;
        }
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            let mut row = load_assessment(conn, &case, assessment_id)?;
            let edited = row
                .status()?
                .next(AssessmentCommand::Edit)
                .map_err(StoreError::refused)?;
            if row.version != expected {
                return Err(StoreError::VersionMismatch {
                    current: row.version,
                });
            }
            if let Some(domains) = &changes.domains {
                check_domain_codes(conn, domains, Some(&row.id))?;
            }
            let at = now();
            let mut changed: Vec<&str> = Vec::new();
            macro_rules! set {
                ($field:ident) => {
                    if let Some(v) = changes.$field {
                        row.$field = v;
                        changed.push(stringify!($field));
                    }
                };
            }
            set!(summary);
            set!(needs);
            set!(strengths);
            set!(risks);
            set!(recommendations);
            if let Some(c) = &changes.conclusions {
                row.conclusions = to_json(c);
                changed.push("conclusions");
            }
            if let Some(c) = changes.child_view {
                row.child_view = Some(c.text);
                row.child_view_method = Some(c.method);
                row.child_view_on = Some(c.gathered_on);
                changed.push("child_view");
            }
            if changes.complete {
                let completed = edited
                    .next(AssessmentCommand::Complete)
                    .map_err(StoreError::refused)?;
                row.status = completed.code().to_owned();
                row.completed_at = Some(at);
            }
            row.version += 1;
            let updated = diesel::update(
                assessments::table
                    .filter(assessments::id.eq(&row.id))
                    .filter(assessments::version.eq(expected)),
            )
            .set((
                assessments::summary.eq(&row.summary),
                assessments::needs.eq(&row.needs),
                assessments::strengths.eq(&row.strengths),
                assessments::risks.eq(&row.risks),
                assessments::recommendations.eq(&row.recommendations),
                assessments::conclusions.eq(&row.conclusions),
                assessments::child_view.eq(&row.child_view),
                assessments::child_view_method.eq(&row.child_view_method),
                assessments::child_view_on.eq(row.child_view_on),
                assessments::status.eq(&row.status),
                assessments::completed_at.eq(row.completed_at),
                assessments::version.eq(row.version),
            ))
            .execute(conn)?;
            crate::db::compare_and_set(updated, || {
                Ok(StoreError::VersionMismatch {
                    current: assessments::table
                        .find(&row.id)
                        .select(assessments::version)
                        .first(conn)?,
                })
            })?;
            if let Some(domains) = changes.domains {
                write_domains(conn, &row, domains)?;
                changed.push("domains");
            }
            events::record(
                conn,
                &subject(&case),
                EventKind::AssessmentUpdated,
                &caller.actor.staff_id,
                at,
                None,
                json!({ "assessment_id": row.id, "version": row.version, "changed": changed }),
            )?;
            if changes.complete {
                events::record(
                    conn,
                    &subject(&case),
                    EventKind::AssessmentCompleted,
                    &caller.actor.staff_id,
                    at,
                    None,
                    json!({ "assessment_id": row.id }),
                )?;
            }
            Ok(load_domains(conn, vec![row])?.remove(0))
        })
    }

    /// Completes a draft assessment; a completed one is immutable.
    pub fn complete_assessment(
        &self,
        caller: &Caller,
        case_id: &str,
        assessment_id: &str,
    ) -> StoreResult<Assessment> {
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            let mut row: AssessmentRow = assessments::table
                .filter(assessments::id.eq(assessment_id))
                .filter(assessments::case_id.eq(&case.id))
                .select(AssessmentRow::as_select())
                .first(conn)?;
            let completed = row
                .status()?
                .next(AssessmentCommand::Complete)
                .map_err(StoreError::refused)?;
            let at = now();
            let updated = diesel::update(
                assessments::table
                    .filter(assessments::id.eq(&row.id))
                    .filter(assessments::version.eq(row.version)),
            )
            .set((
                assessments::status.eq(completed.code()),
                assessments::completed_at.eq(at),
                assessments::version.eq(row.version + 1),
            ))
            .execute(conn)?;
            crate::db::compare_and_set(updated, || {
                Ok(StoreError::Conflict(
                    "the assessment was changed meanwhile; read it again".into(),
                ))
            })?;
            row.status = completed.code().to_owned();
            row.completed_at = Some(at);
            row.version += 1;
            events::record(
                conn,
                &subject(&case),
                EventKind::AssessmentCompleted,
                &caller.actor.staff_id,
                at,
                None,
                json!({ "assessment_id": row.id }),
            )?;
            Ok(load_domains(conn, vec![row])?.remove(0))
        })
    }

    pub fn list_assessments(&self, caller: &Caller, case_id: &str) -> StoreResult<Vec<Assessment>> {
        self.write(|conn| {
            let case = case_for(conn, caller, case_id, Action::ReadCaseRecords)?;
            crate::audit::viewed(
                conn,
                caller,
                "case_assessments",
                case_id,
                &case.unit_id,
                Some(case_id),
            )?;
            let rows = assessments::table
                .filter(assessments::case_id.eq(&case.id))
                .order(assessments::id)
                .select(AssessmentRow::as_select())
                .load(conn)?;
            load_domains(conn, rows)
        })
    }

    /// Drafts a new plan version (goals and actions in one transaction). Goals and actions may
    /// carry over the stable id of an earlier version's goal or action; the answer carries a
    /// `family_overload` warning when the family's weekly load exceeds the policy's
    /// `family_weekly_load`.
    pub fn create_plan(&self, caller: &Caller, case_id: &str, new: NewPlan) -> StoreResult<Plan> {
        if new.period_end < new.period_start {
            return Err(StoreError::invalid(
                "period_end",
                "before_start",
                "the period ends before it starts",
            ));
        }
        if let Some(i) = new
            .actions
            .iter()
            .position(|a| a.goal.is_some_and(|g| g >= new.goals.len()))
        {
            return Err(StoreError::invalid(
                &format!("actions[{i}].goal"),
                "unknown_goal",
                "the action names a goal index the plan does not have",
            ));
        }
        for (i, a) in new.actions.iter().enumerate() {
            if let Some(kind) = &a.responsible_kind {
                if ResponsibleKind::parse(kind).is_none() {
                    return Err(StoreError::invalid(
                        &format!("actions[{i}].responsible_kind"),
                        "unknown_code",
                        format!("{kind:?} is not one of: {}", one_of(ResponsibleKind::ALL)),
                    ));
                }
            }
            if a.goal.is_some() && a.goal_id.is_some() {
                return Err(StoreError::invalid(
                    &format!("actions[{i}].goal_id"),
                    "both_goal_and_goal_id",
                    "name the goal by index or by id, not both",
                ));
            }
        }
        let goal_fields: Vec<_> = new
            .goals
            .iter()
            .map(|g| (g.term.clone(), g.priority.clone()))
            .collect();
        crate::approvals::check_plan_fields(&goal_fields, &new.services)?;
        let limit = self.policy().family_weekly_load;
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            let at = now();
            // Stable ids of the case's earlier goals and actions, which a new version may carry.
            let (earlier_goals, earlier_actions) = case_plan_items(conn, &case)?;
            let known_goals: HashSet<String> = earlier_goals
                .into_iter()
                .map(|(g, _, _)| g.key().to_owned())
                .collect();
            let known_actions: HashSet<String> = earlier_actions
                .into_iter()
                .map(|(a, _, _)| a.key().to_owned())
                .collect();
            let mut seen = HashSet::new();
            for (i, g) in new.goals.iter().enumerate() {
                if let Some(id) = &g.id {
                    if !known_goals.contains(id) {
                        return Err(StoreError::invalid(
                            &format!("goals[{i}].id"),
                            "unknown_goal",
                            "no goal of an earlier plan version of this case has this id",
                        ));
                    }
                    if !seen.insert(id.clone()) {
                        return Err(StoreError::invalid(&format!("goals[{i}].id"), "duplicate", "a goal appears once per version"));
                    }
                }
            }
            for (i, a) in new.actions.iter().enumerate() {
                if let Some(id) = &a.id {
                    if !known_actions.contains(id) {
                        return Err(StoreError::invalid(
                            &format!("actions[{i}].id"),
                            "unknown_action",
                            "no action of an earlier plan version of this case has this id",
                        ));
                    }
                    if !seen.insert(id.clone()) {
                        return Err(StoreError::invalid(&format!("actions[{i}].id"), "duplicate", "an action appears once per version"));
                    }
                }
            }
            let last: Option<i32> = plans::table
                .filter(plans::case_id.eq(&case.id))
                .select(diesel::dsl::max(plans::version_no))
                .first(conn)?;
            let plan = PlanRow {
                id: new_id(),
                case_id: case.id.clone(),
                unit_id: case.unit_id.clone(),
                cycle: case.cycle,
                version_no: last.unwrap_or(0) + 1,
                period_start: new.period_start,
                period_end: new.period_end,
                next_review_on: new.next_review_on,
                status: PlanStatus::Draft.code().to_owned(),
                agreed_on: None,
                agreed_by: None,
                agreement_method: None,
                created_by: caller.actor.staff_id.clone(),
                created_at: at,
                agreed_at: None,
            };
            diesel::insert_into(plans::table).values(&plan).execute(conn)?;
            let goals: Vec<GoalRow> = new
                .goals
                .into_iter()
                .enumerate()
                .map(|(i, g)| {
                    let id = new_id();
                    GoalRow {
                        stable_id: Some(g.id.unwrap_or_else(|| id.clone())),
                        id,
                        plan_id: plan.id.clone(),
                        unit_id: case.unit_id.clone(),
                        position: position(i),
                        description: g.description,
                        expected_result: g.expected_result,
                        deadline: g.deadline,
                        term: g.term,
                        priority: g.priority,
                    }
                })
                .collect();
            let services = crate::approvals::insert_services(conn, &plan, new.services)?;
            for goal in &goals {
                diesel::insert_into(plan_goals::table).values(goal).execute(conn)?;
            }
            let mut actions = Vec::with_capacity(new.actions.len());
            for (i, a) in new.actions.into_iter().enumerate() {
                let goal_id = match (&a.goal, &a.goal_id) {
                    (Some(g), _) => goals.get(*g).map(|g| g.id.clone()),
                    (None, Some(key)) => Some(
                        goals
                            .iter()
                            .find(|g| g.key() == key)
                            .map(|g| g.id.clone())
                            .ok_or_else(|| {
                                StoreError::invalid(
                                    &format!("actions[{i}].goal_id"),
                                    "unknown_goal",
                                    "the action names a goal id this version does not have",
                                )
                            })?,
                    ),
                    (None, None) => None,
                };
                let id = new_id();
                actions.push(ActionRow {
                    stable_id: Some(a.id.unwrap_or_else(|| id.clone())),
                    id,
                    plan_id: plan.id.clone(),
                    unit_id: case.unit_id.clone(),
                    goal_id,
                    position: position(i),
                    description: a.description,
                    responsible: a.responsible,
                    due_on: a.due_on,
                    responsible_kind: a.responsible_kind,
                    responsible_ref: a.responsible_ref,
                    frequency: a.frequency,
                    specialists: to_json(&a.specialists),
                });
            }
            for action in &actions {
                diesel::insert_into(plan_actions::table).values(action).execute(conn)?;
            }
            // The family's weekly load: its own tasks plus the appointments planned for the
            // coming week.
            let family_tasks = actions
                .iter()
                .filter(|a| {
                    a.responsible_kind.as_deref() == Some(ResponsibleKind::FamilyMember.code())
                })
                .count();
            let planned: i64 = contacts::table
                .filter(contacts::case_id.eq(&case.id))
                .filter(contacts::status.eq(ContactStatus::Planned.code()))
                .filter(contacts::scheduled_at.ge(at))
                .filter(contacts::scheduled_at.lt(at + chrono::Duration::days(7)))
                .count()
                .get_result(conn)?;
            let load = family_tasks + usize::try_from(planned).unwrap_or(0);
            let mut warnings = Vec::new();
            if load > limit {
                warnings.push(PlanWarning {
                    code: "family_overload".into(),
                    detail: format!(
                        "the family would carry {load} tasks and appointments a week ({family_tasks} family actions, {planned} planned appointments in the next 7 days); the limit is {limit}"
                    ),
                });
            }
            let carried = goals.iter().filter(|g| g.stable_id.as_deref() != Some(&g.id)).count()
                + actions.iter().filter(|a| a.stable_id.as_deref() != Some(&a.id)).count();
            events::record(
                conn,
                &subject(&case),
                EventKind::PlanDrafted,
                &caller.actor.staff_id,
                at,
                None,
                json!({ "plan_id": plan.id, "version": plan.version_no, "goals": goals.len(), "actions": actions.len(), "carried_over": carried, "warnings": warnings.iter().map(|w| w.code.clone()).collect::<Vec<_>>() }),
            )?;
            Ok(Plan {
                plan,
                goals,
                actions,
                specialist_agreements: Vec::new(),
                approvals: Vec::new(),
                warnings,
                services,
                agreement_id: None,
            })
        })
    }

    /// Records the client's agreement: the version becomes active and the previous active one
    /// is superseded (kept readable).
    pub fn agree_plan(
        &self,
        caller: &Caller,
        case_id: &str,
        plan_id: &str,
        agreement: PlanAgreement,
    ) -> StoreResult<Plan> {
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            let mut plan: PlanRow = plans::table
                .filter(plans::id.eq(plan_id))
                .filter(plans::case_id.eq(&case.id))
                .select(PlanRow::as_select())
                .first(conn)?;
            let version_no = plan.version_no;
            let not_agreed = |r: opora_domain::casework::plan::PlanRefusal| {
                StoreError::Conflict(r.message_for_version(version_no))
            };
            let agreed = plan.status()?.next(PlanCommand::Agree).map_err(not_agreed)?;
            crate::approvals::check_plan_approval(conn, &case, &plan)?;
            let facts = crate::cases::facts_of(conn, &case)?;
            opora_domain::casework::plan::may_be_agreed(facts.assessment_completed)
                .map_err(StoreError::unmet)?;
            let at = now();
            // The version in force steps down first: at most one active version per case (a
            // unique index says so too).
            let superseded = PlanStatus::Active
                .next(PlanCommand::Supersede)
                .map_err(StoreError::refused)?;
            diesel::update(
                plans::table
                    .filter(plans::case_id.eq(&case.id))
                    .filter(plans::id.ne(&plan.id))
                    .filter(plans::status.eq(PlanStatus::Active.code())),
            )
            .set(plans::status.eq(superseded.code()))
            .execute(conn)?;
            // Compare-and-set on the draft status read: of parallel agreements one wins, the
            // others find the version no longer a draft and roll back.
            let updated = diesel::update(
                plans::table
                    .filter(plans::id.eq(&plan.id))
                    .filter(plans::status.eq(PlanStatus::Draft.code())),
            )
            .set((
                plans::status.eq(agreed.code()),
                plans::agreed_on.eq(agreement.agreed_on),
                plans::agreed_by.eq(&agreement.agreed_by),
                plans::agreement_method.eq(&agreement.method),
                plans::agreed_at.eq(Some(at)),
            ))
            .execute(conn)?;
            crate::db::compare_and_set(updated, || {
                let status: String = plans::table
                    .find(&plan.id)
                    .select(plans::status)
                    .first(conn)?;
                let now_is = crate::error::stored("plan status", &status, PlanStatus::parse)?;
                Ok(match now_is.next(PlanCommand::Agree) {
                    Err(r) => not_agreed(r),
                    Ok(_) => StoreError::Conflict(format!(
                        "plan version {version_no} was changed meanwhile; read it again"
                    )),
                })
            })?;
            crate::approvals::record_plan_agreement(conn, caller, &case, &plan, &agreement)?;
            plan.status = agreed.code().to_owned();
            plan.agreed_at = Some(at);
            plan.agreed_on = Some(agreement.agreed_on);
            plan.agreed_by = Some(agreement.agreed_by);
            plan.agreement_method = Some(agreement.method);
            events::record(
                conn,
                &subject(&case),
                EventKind::PlanAgreed,
                &caller.actor.staff_id,
                at,
                None,
                json!({ "plan_id": plan.id, "version": plan.version_no, "agreed_by": plan.agreed_by, "method": plan.agreement_method }),
            )?;
            load_plan(conn, plan)
        })
    }

    pub fn list_plans(&self, caller: &Caller, case_id: &str) -> StoreResult<Vec<Plan>> {
        self.write(|conn| {
            let case = case_for(conn, caller, case_id, Action::ReadCaseRecords)?;
            crate::audit::viewed(
                conn,
                caller,
                "case_plans",
                case_id,
                &case.unit_id,
                Some(case_id),
            )?;
            let rows: Vec<PlanRow> = plans::table
                .filter(plans::case_id.eq(&case.id))
                .order(plans::version_no)
                .select(PlanRow::as_select())
                .load(conn)?;
            rows.into_iter().map(|p| load_plan(conn, p)).collect()
        })
    }

    /// A specialist taking part in an action of a plan version records their agreement (or
    /// disagreement). Only the specialist themself: a `staff_id` other than the caller's is 403,
    /// and where the action names its specialists, only they may agree.
    pub fn agree_as_specialist(
        &self,
        caller: &Caller,
        case_id: &str,
        plan_id: &str,
        action_id: &str,
        agreement: SpecialistAgreement,
    ) -> StoreResult<Plan> {
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            let plan = current_version(conn, &case, plan_id)?;
            let actions: Vec<ActionRow> = plan_actions::table
                .filter(plan_actions::plan_id.eq(&plan.id))
                .select(ActionRow::as_select())
                .load(conn)?;
            let action = actions
                .iter()
                .find(|a| a.key() == action_id || a.id == action_id)
                .ok_or(StoreError::NotFound)?;
            let me = &caller.actor.staff_id;
            if agreement.staff_id.as_ref().is_some_and(|s| s != me) {
                return Err(StoreError::Forbidden(Action::RecordCaseWork));
            }
            let named: Vec<String> = serde_json::from_str(&action.specialists).unwrap_or_default();
            if !named.is_empty() && !named.contains(me) {
                return Err(StoreError::Forbidden(Action::RecordCaseWork));
            }
            let key = action.key().to_owned();
            let at = now();
            let existing: Option<SpecialistAgreementRow> = plan_specialist_agreements::table
                .filter(plan_specialist_agreements::plan_id.eq(&plan.id))
                .filter(plan_specialist_agreements::action_id.eq(&key))
                .filter(plan_specialist_agreements::staff_id.eq(me))
                .select(SpecialistAgreementRow::as_select())
                .first(conn)
                .optional()?;
            match existing {
                Some(row) => {
                    diesel::update(plan_specialist_agreements::table.find(&row.id))
                        .set((
                            plan_specialist_agreements::agreed.eq(agreement.agreed),
                            plan_specialist_agreements::comment.eq(&agreement.comment),
                            plan_specialist_agreements::recorded_at.eq(at),
                        ))
                        .execute(conn)?;
                }
                None => {
                    diesel::insert_into(plan_specialist_agreements::table)
                        .values(&SpecialistAgreementRow {
                            id: new_id(),
                            plan_id: plan.id.clone(),
                            action_id: key.clone(),
                            case_id: case.id.clone(),
                            unit_id: case.unit_id.clone(),
                            staff_id: me.clone(),
                            agreed: agreement.agreed,
                            comment: agreement.comment.clone(),
                            recorded_at: at,
                        })
                        .execute(conn)?;
                }
            }
            events::record(
                conn,
                &subject(&case),
                EventKind::PlanSpecialistAgreement,
                me,
                at,
                agreement.comment.clone(),
                json!({ "plan_id": plan.id, "version": plan.version_no, "action_id": key, "agreed": agreement.agreed }),
            )?;
            load_plan(conn, plan)
        })
    }

    /// A supervisor approves (or comments on) a plan version.
    pub fn approve_plan(
        &self,
        caller: &Caller,
        case_id: &str,
        plan_id: &str,
        approval: PlanApproval,
    ) -> StoreResult<Plan> {
        if ApprovalDecision::parse(&approval.decision).is_none() {
            return Err(StoreError::invalid(
                "decision",
                "unknown_code",
                format!(
                    "{:?} is not one of: {}",
                    approval.decision,
                    one_of(ApprovalDecision::ALL)
                ),
            ));
        }
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            caller.require(Action::ApprovePlan)?;
            let plan = current_version(conn, &case, plan_id)?;
            let at = now();
            diesel::insert_into(plan_approvals::table)
                .values(&PlanApprovalRow {
                    id: new_id(),
                    plan_id: plan.id.clone(),
                    case_id: case.id.clone(),
                    unit_id: case.unit_id.clone(),
                    decision: approval.decision.clone(),
                    comment: approval.comment.clone(),
                    supervisor_id: caller.actor.staff_id.clone(),
                    recorded_at: at,
                })
                .execute(conn)?;
            events::record(
                conn,
                &subject(&case),
                EventKind::PlanApproval,
                &caller.actor.staff_id,
                at,
                approval.comment,
                json!({ "plan_id": plan.id, "version": plan.version_no, "decision": approval.decision }),
            )?;
            load_plan(conn, plan)
        })
    }

    /// Records the execution state of an action (by its stable id); it survives new versions.
    pub fn record_action_execution(
        &self,
        caller: &Caller,
        case_id: &str,
        action_id: &str,
        execution: ActionExecution,
    ) -> StoreResult<ActionExecutionRow> {
        let Some(status) = ExecutionStatus::parse(&execution.status) else {
            return Err(StoreError::invalid(
                "status",
                "unknown_code",
                format!(
                    "{:?} is not one of: {}",
                    execution.status,
                    one_of(ExecutionStatus::ALL)
                ),
            ));
        };
        if execution.done_on.is_some() && !status.has_done_date() {
            return Err(StoreError::invalid(
                "done_on",
                "not_done",
                "only a done action has a done date",
            ));
        }
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            if !case_plan_items(conn, &case)?
                .1
                .iter()
                .any(|(a, _, _)| a.key() == action_id)
            {
                return Err(StoreError::NotFound);
            }
            let at = now();
            let row = ActionExecutionRow {
                action_id: action_id.to_owned(),
                case_id: case.id.clone(),
                unit_id: case.unit_id.clone(),
                done_on: status
                    .has_done_date()
                    .then(|| execution.done_on.unwrap_or(at.date())),
                status: execution.status,
                result: execution.result,
                updated_by: caller.actor.staff_id.clone(),
                updated_at: at,
            };
            // The state is one row per stable id, replaced whole (the event keeps the history).
            diesel::delete(plan_action_execution::table.find(action_id)).execute(conn)?;
            diesel::insert_into(plan_action_execution::table)
                .values(&row)
                .execute(conn)?;
            events::record(
                conn,
                &subject(&case),
                EventKind::PlanActionExecution,
                &caller.actor.staff_id,
                at,
                None,
                json!({ "action_id": row.action_id, "status": row.status, "done_on": row.done_on }),
            )?;
            Ok(row)
        })
    }

    /// Records the progress of a goal (by its stable id).
    pub fn record_goal_progress(
        &self,
        caller: &Caller,
        case_id: &str,
        goal_id: &str,
        progress: GoalProgress,
    ) -> StoreResult<GoalProgressRow> {
        if ExecutionStatus::parse(&progress.status).is_none() {
            return Err(StoreError::invalid(
                "status",
                "unknown_code",
                format!(
                    "{:?} is not one of: {}",
                    progress.status,
                    one_of(ExecutionStatus::ALL)
                ),
            ));
        }
        if !(0..=100).contains(&progress.progress) {
            return Err(StoreError::invalid("progress", "range", "0 to 100"));
        }
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            if !case_plan_items(conn, &case)?
                .0
                .iter()
                .any(|(g, _, _)| g.key() == goal_id)
            {
                return Err(StoreError::NotFound);
            }
            let at = now();
            let row = GoalProgressRow {
                goal_id: goal_id.to_owned(),
                case_id: case.id.clone(),
                unit_id: case.unit_id.clone(),
                status: progress.status,
                progress: progress.progress,
                note: progress.note,
                updated_by: caller.actor.staff_id.clone(),
                updated_at: at,
            };
            // One row per stable id, replaced whole (the event keeps the history).
            diesel::delete(plan_goal_progress::table.find(goal_id)).execute(conn)?;
            diesel::insert_into(plan_goal_progress::table)
                .values(&row)
                .execute(conn)?;
            events::record(
                conn,
                &subject(&case),
                EventKind::PlanGoalProgress,
                &caller.actor.staff_id,
                at,
                None,
                json!({ "goal_id": row.goal_id, "status": row.status, "progress": row.progress }),
            )?;
            Ok(row)
        })
    }

    /// The execution part of the case's plan: each action (and goal) by stable id, with its
    /// latest wording and its execution state.
    pub fn plan_execution(&self, caller: &Caller, case_id: &str) -> StoreResult<PlanExecution> {
        self.write(|conn| {
            let case = case_for(conn, caller, case_id, Action::ReadCaseRecords)?;
            crate::audit::viewed(
                conn,
                caller,
                "case_plan_execution",
                case_id,
                &case.unit_id,
                Some(case_id),
            )?;
            let (all_goals, all_actions) = case_plan_items(conn, &case)?;
            let mut latest: Vec<(ActionRow, i32, String)> = Vec::new();
            for (a, v, status) in all_actions {
                match latest.iter_mut().find(|(b, _, _)| b.key() == a.key()) {
                    Some(slot) => *slot = (a, v, status),
                    None => latest.push((a, v, status)),
                }
            }
            let mut goals: Vec<(GoalRow, i32, String)> = Vec::new();
            for (g, v, status) in all_goals {
                match goals.iter_mut().find(|(h, _, _)| h.key() == g.key()) {
                    Some(slot) => *slot = (g, v, status),
                    None => goals.push((g, v, status)),
                }
            }
            let mut executions: HashMap<String, ActionExecutionRow> = plan_action_execution::table
                .filter(plan_action_execution::case_id.eq(&case.id))
                .select(ActionExecutionRow::as_select())
                .load(conn)?
                .into_iter()
                .map(|e| (e.action_id.clone(), e))
                .collect();
            let mut progress: HashMap<String, GoalProgressRow> = plan_goal_progress::table
                .filter(plan_goal_progress::case_id.eq(&case.id))
                .select(GoalProgressRow::as_select())
                .load(conn)?
                .into_iter()
                .map(|e| (e.goal_id.clone(), e))
                .collect();
            Ok(PlanExecution {
                actions: latest
                    .into_iter()
                    .map(|(action, plan_version, plan_status)| ActionExecutionView {
                        execution: executions.remove(action.key()),
                        action,
                        plan_version,
                        plan_status,
                    })
                    .collect(),
                goals: goals
                    .into_iter()
                    .map(|(g, v, _)| {
                        let p = progress.remove(g.key());
                        (g, v, p)
                    })
                    .collect(),
            })
        })
    }

    pub fn record_agreement(
        &self,
        caller: &Caller,
        case_id: &str,
        new: NewAgreement,
    ) -> StoreResult<AgreementRow> {
        if new.kind == AgreementKind::PlanAgreement {
            return Err(StoreError::invalid(
                "kind",
                "recorded_with_the_plan",
                "a plan_agreement is recorded when a plan version is agreed (POST …/plans/{plan_id}/agreement)",
            ));
        }
        let recorded = agreement::record(agreement::Terms {
            kind: new.kind,
            form: new.form,
            witnessed_by: new.witnessed_by.as_deref(),
            signed_by_client: new.signed_by_client,
            signed_by_service: new.signed_by_service,
        })
        .map_err(|r| StoreError::invalid(r.field, r.code, r.message))?;
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            let at = now();
            let row = AgreementRow {
                id: new_id(),
                case_id: case.id.clone(),
                unit_id: case.unit_id.clone(),
                cycle: case.cycle,
                kind: new.kind.code().to_owned(),
                signed_on: new.signed_on,
                signed_by_client: recorded.client_agreed,
                signed_by_service: recorded.signed_by_service,
                parties: new.parties,
                notes: new.notes,
                valid_until: new.valid_until,
                terminated_on: None,
                created_by: caller.actor.staff_id.clone(),
                created_at: at,
                plan_id: None,
                method: None,
                signed_for_child_by: None,
                signer_relation: None,
                form: recorded.form.code().to_owned(),
                witnessed_by: recorded.witnessed_by,
            };
            diesel::insert_into(agreements::table)
                .values(&row)
                .execute(conn)?;
            events::record(
                conn,
                &subject(&case),
                EventKind::AgreementRecorded,
                &caller.actor.staff_id,
                at,
                None,
                json!({ "agreement_id": row.id, "kind": row.kind, "form": row.form, "signed_on": row.signed_on }),
            )?;
            Ok(row)
        })
    }

    pub fn list_agreements(
        &self,
        caller: &Caller,
        case_id: &str,
    ) -> StoreResult<Vec<AgreementRow>> {
        self.write(|conn| {
            let case = case_for(conn, caller, case_id, Action::ReadCaseRecords)?;
            crate::audit::viewed(
                conn,
                caller,
                "case_agreements",
                case_id,
                &case.unit_id,
                Some(case_id),
            )?;
            Ok(agreements::table
                .filter(agreements::case_id.eq(&case.id))
                .order(agreements::id)
                .select(AgreementRow::as_select())
                .load(conn)?)
        })
    }

    pub fn record_evaluation(
        &self,
        caller: &Caller,
        case_id: &str,
        new: NewEvaluation,
    ) -> StoreResult<EvaluationRow> {
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            let at = now();
            let row = EvaluationRow {
                id: new_id(),
                case_id: case.id.clone(),
                unit_id: case.unit_id.clone(),
                cycle: case.cycle,
                kind: new.kind,
                summary: new.summary,
                outcome: new.outcome,
                created_by: caller.actor.staff_id.clone(),
                created_at: at,
            };
            diesel::insert_into(evaluations::table)
                .values(&row)
                .execute(conn)?;
            events::record(
                conn,
                &subject(&case),
                EventKind::EvaluationRecorded,
                &caller.actor.staff_id,
                at,
                None,
                json!({ "evaluation_id": row.id, "kind": row.kind, "outcome": row.outcome }),
            )?;
            Ok(row)
        })
    }

    pub fn list_evaluations(
        &self,
        caller: &Caller,
        case_id: &str,
    ) -> StoreResult<Vec<EvaluationRow>> {
        self.write(|conn| {
            let case = case_for(conn, caller, case_id, Action::ReadCaseRecords)?;
            crate::audit::viewed(
                conn,
                caller,
                "case_evaluations",
                case_id,
                &case.unit_id,
                Some(case_id),
            )?;
            Ok(evaluations::table
                .filter(evaluations::case_id.eq(&case.id))
                .order(evaluations::id)
                .select(EvaluationRow::as_select())
                .load(conn)?)
        })
    }
}
