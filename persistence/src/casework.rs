//! The records of a case the guards look at: assessments, plan versions (goals and actions, the
//! client's agreement), agreements (service agreement, informed consent, contracts, termination)
//! and evaluations. Just enough for the guards now; the casework issue deepens them.
//!
//! Rules kept here: records are added only while the case is active; a completed assessment is
//! immutable (corrections go into a new one); a plan version becomes active only when the
//! client's agreement is recorded, and the version it replaces is kept, marked superseded.

use chrono::NaiveDate;
use diesel::prelude::*;
use opora_domain::{Action, AgreementKind};
use serde_json::json;

use crate::cases::{case_for, subject};
use crate::events;
use crate::models::{
    ActionRow, AgreementRow, AssessmentRow, CaseRow, EvaluationRow, GoalRow, Plan, PlanRow,
};
use crate::schema::{agreements, assessments, evaluations, plan_actions, plan_goals, plans};
use crate::{new_id, now, AnyConnection, Caller, Store, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct NewAssessment {
    /// `initial` or `re_assessment`.
    pub kind: String,
    pub summary: String,
    pub needs: String,
    pub strengths: String,
    pub risks: String,
    /// Complete it at once (it is then immutable).
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewGoal {
    pub description: String,
    pub expected_result: String,
    pub deadline: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAction {
    /// Index into the plan's goals, if the action serves one.
    pub goal: Option<usize>,
    pub description: String,
    pub responsible: String,
    pub due_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewPlan {
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub next_review_on: NaiveDate,
    pub goals: Vec<NewGoal>,
    pub actions: Vec<NewAction>,
}

/// The client's agreement to a plan version.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanAgreement {
    pub agreed_on: NaiveDate,
    /// Who signed (for a child, a person with parental responsibility).
    pub agreed_by: String,
    /// How: `signed`, `oral`, `electronic`.
    pub method: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAgreement {
    pub kind: AgreementKind,
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
    Ok(Plan {
        plan,
        goals,
        actions,
    })
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
    ) -> StoreResult<AssessmentRow> {
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            let at = now();
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
                status: if new.complete { "completed" } else { "draft" }.to_owned(),
                completed_at: new.complete.then_some(at),
                created_by: caller.actor.staff_id.clone(),
                created_at: at,
            };
            diesel::insert_into(assessments::table)
                .values(&row)
                .execute(conn)?;
            events::record(
                conn,
                &subject(&case),
                if new.complete {
                    "assessment.completed"
                } else {
                    "assessment.drafted"
                },
                &caller.actor.staff_id,
                at,
                None,
                json!({ "assessment_id": row.id, "kind": row.kind, "cycle": row.cycle }),
            )?;
            Ok(row)
        })
    }

    /// Completes a draft assessment; a completed one is immutable.
    pub fn complete_assessment(
        &self,
        caller: &Caller,
        case_id: &str,
        assessment_id: &str,
    ) -> StoreResult<AssessmentRow> {
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            let mut row: AssessmentRow = assessments::table
                .filter(assessments::id.eq(assessment_id))
                .filter(assessments::case_id.eq(&case.id))
                .select(AssessmentRow::as_select())
                .first(conn)?;
            if row.status == "completed" {
                return Err(StoreError::Conflict(
                    "the assessment is already completed; record corrections in a new one".into(),
                ));
            }
            let at = now();
            diesel::update(assessments::table.find(&row.id))
                .set((
                    assessments::status.eq("completed"),
                    assessments::completed_at.eq(at),
                ))
                .execute(conn)?;
            row.status = "completed".into();
            row.completed_at = Some(at);
            events::record(
                conn,
                &subject(&case),
                "assessment.completed",
                &caller.actor.staff_id,
                at,
                None,
                json!({ "assessment_id": row.id }),
            )?;
            Ok(row)
        })
    }

    pub fn list_assessments(
        &self,
        caller: &Caller,
        case_id: &str,
    ) -> StoreResult<Vec<AssessmentRow>> {
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
            Ok(assessments::table
                .filter(assessments::case_id.eq(&case.id))
                .order(assessments::id)
                .select(AssessmentRow::as_select())
                .load(conn)?)
        })
    }

    /// Drafts a new plan version (goals and actions in one transaction).
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
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            let at = now();
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
                status: "draft".into(),
                agreed_on: None,
                agreed_by: None,
                agreement_method: None,
                created_by: caller.actor.staff_id.clone(),
                created_at: at,
            };
            diesel::insert_into(plans::table).values(&plan).execute(conn)?;
            let goals: Vec<GoalRow> = new
                .goals
                .into_iter()
                .enumerate()
                .map(|(i, g)| GoalRow {
                    id: new_id(),
                    plan_id: plan.id.clone(),
                    unit_id: case.unit_id.clone(),
                    position: position(i),
                    description: g.description,
                    expected_result: g.expected_result,
                    deadline: g.deadline,
                })
                .collect();
            for goal in &goals {
                diesel::insert_into(plan_goals::table).values(goal).execute(conn)?;
            }
            let actions: Vec<ActionRow> = new
                .actions
                .into_iter()
                .enumerate()
                .map(|(i, a)| ActionRow {
                    id: new_id(),
                    plan_id: plan.id.clone(),
                    unit_id: case.unit_id.clone(),
                    goal_id: a.goal.and_then(|g| goals.get(g)).map(|g| g.id.clone()),
                    position: position(i),
                    description: a.description,
                    responsible: a.responsible,
                    due_on: a.due_on,
                })
                .collect();
            for action in &actions {
                diesel::insert_into(plan_actions::table).values(action).execute(conn)?;
            }
            events::record(
                conn,
                &subject(&case),
                "plan.drafted",
                &caller.actor.staff_id,
                at,
                None,
                json!({ "plan_id": plan.id, "version": plan.version_no, "goals": goals.len(), "actions": actions.len() }),
            )?;
            Ok(Plan { plan, goals, actions })
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
            if plan.status != "draft" {
                return Err(StoreError::Conflict(format!(
                    "plan version {} is {}; only a draft can be agreed",
                    plan.version_no, plan.status
                )));
            }
            let at = now();
            diesel::update(
                plans::table
                    .filter(plans::case_id.eq(&case.id))
                    .filter(plans::status.eq("active")),
            )
            .set(plans::status.eq("superseded"))
            .execute(conn)?;
            diesel::update(plans::table.find(&plan.id))
                .set((
                    plans::status.eq("active"),
                    plans::agreed_on.eq(agreement.agreed_on),
                    plans::agreed_by.eq(&agreement.agreed_by),
                    plans::agreement_method.eq(&agreement.method),
                ))
                .execute(conn)?;
            plan.status = "active".into();
            plan.agreed_on = Some(agreement.agreed_on);
            plan.agreed_by = Some(agreement.agreed_by);
            plan.agreement_method = Some(agreement.method);
            events::record(
                conn,
                &subject(&case),
                "plan.agreed",
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

    pub fn record_agreement(
        &self,
        caller: &Caller,
        case_id: &str,
        new: NewAgreement,
    ) -> StoreResult<AgreementRow> {
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
                signed_by_client: new.signed_by_client,
                signed_by_service: new.signed_by_service,
                parties: new.parties,
                notes: new.notes,
                valid_until: new.valid_until,
                terminated_on: None,
                created_by: caller.actor.staff_id.clone(),
                created_at: at,
            };
            diesel::insert_into(agreements::table)
                .values(&row)
                .execute(conn)?;
            events::record(
                conn,
                &subject(&case),
                "agreement.recorded",
                &caller.actor.staff_id,
                at,
                None,
                json!({ "agreement_id": row.id, "kind": row.kind, "signed_on": row.signed_on }),
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
                "evaluation.recorded",
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
