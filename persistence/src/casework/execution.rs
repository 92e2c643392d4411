//! The execution part of a plan (seed 002, stage 4: implementation and monitoring): the state of
//! each action and the progress of each goal, stored by stable id apart from the versioned wording,
//! so that work recorded against an action survives a new plan version. The states are
//! `opora_domain::casework::execution`'s.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use opora_domain::casework::execution::{self, ExecutionStatus};
use opora_domain::events::DomainEvent;
use opora_domain::Action;

use super::plan::case_plan_items;
use crate::case_records::{active_case, case_for, subject};
use crate::events;
use crate::models::{ActionExecutionRow, ActionExecutionView, ActionRow, GoalProgressRow, GoalRow};
use crate::schema::{plan_action_execution, plan_goal_progress};
use crate::{now, Caller, Store, StoreError, StoreResult};

/// Execution state of an action.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionExecution {
    pub status: ExecutionStatus,
    pub done_on: Option<NaiveDate>,
    pub result: Option<String>,
}

/// Progress of a goal.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalProgress {
    pub status: ExecutionStatus,
    /// 0–100.
    pub progress: i32,
    pub note: Option<String>,
}

/// The execution part of a case's plan: every action and goal by stable id.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanExecution {
    pub actions: Vec<ActionExecutionView>,
    pub goals: Vec<(GoalRow, i32, Option<GoalProgressRow>)>,
}

impl Store {
    /// Records the execution state of an action (by its stable id); it survives new versions.
    pub fn record_action_execution(
        &self,
        caller: &Caller,
        case_id: &str,
        action_id: &str,
        execution: ActionExecution,
    ) -> StoreResult<ActionExecutionRow> {
        let status = execution.status;
        execution::check_done_date(status, execution.done_on).map_err(StoreError::refused)?;
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
                status: status.code().to_owned(),
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
                DomainEvent::PlanActionExecution {
                    action_id: row.action_id.clone(),
                    status: row.status.clone(),
                    done_on: row.done_on,
                },
                &caller.actor.staff_id,
                at,
                None,
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
        execution::check_progress(progress.progress).map_err(StoreError::refused)?;
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
                status: progress.status.code().to_owned(),
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
                DomainEvent::PlanGoalProgress {
                    goal_id: row.goal_id.clone(),
                    status: row.status.clone(),
                    progress: row.progress,
                },
                &caller.actor.staff_id,
                at,
                None,
            )?;
            Ok(row)
        })
    }

    /// The execution part of the case's plan: each action (and goal) by stable id, with its
    /// latest wording and its execution state.
    pub fn plan_execution(&self, caller: &Caller, case_id: &str) -> StoreResult<PlanExecution> {
        self.read_recorded(|conn, looks| {
            let case = case_for(conn, caller, case_id, Action::ReadCaseRecords)?;
            crate::audit::viewed(
                looks,
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
}
