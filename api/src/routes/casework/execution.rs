//! The execution part of a plan: an action's execution and a goal's progress, recorded by stable id
//! apart from the versioned wording so they survive a new plan version, and the view of it all.
//! Implements seed 002, stage 4 (implementation and monitoring) and seed 003 (the plan's execution
//! part); the rules are in `opora_domain::casework::execution`.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use opora_domain::casework::execution::ExecutionStatus;
use opora_persistence::casework::{ActionExecution, GoalProgress};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::lists;
use crate::auth::Authenticated;
use crate::dto::{parse_code, utc};
use crate::json::JsonBody;
use crate::problem::{responses, ApiError};
use crate::AppState;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "done", "done_on": "2026-12-18", "result": "Place in the night-care group from 2027-01-05."}))]
pub struct ActionExecutionBody {
    #[schema(schema_with = lists::execution_status)]
    #[validate(custom(function = "lists::valid_execution_status"))]
    pub status: String,
    /// Only for `done` (defaults to today).
    pub done_on: Option<NaiveDate>,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub result: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionExecutionState {
    #[schema(schema_with = lists::execution_status)]
    pub status: String,
    pub done_on: Option<NaiveDate>,
    pub result: Option<String>,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

/// Records the execution of an action (by its stable id); it survives new plan versions.
#[utoipa::path(
    tag = "casework",
    operation_id = "record_action_execution",
    params(("id" = String, Path, description = "Case id"), ("action_id" = String, Path, description = "Stable id of the action")),
    request_body = ActionExecutionBody,
    responses((status = 200, description = "Recorded", body = ActionExecutionState),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/plan-actions/{action_id}/execution")]
pub async fn record_action_execution(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: JsonBody<ActionExecutionBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, action_id) = path.into_inner();
    let body = body.0;
    let execution = ActionExecution {
        status: parse_code("status", &body.status, ExecutionStatus::parse)?,
        done_on: body.done_on,
        result: body.result,
    };
    let store = state.store.clone();
    let row =
        crate::blocking(move || store.record_action_execution(&auth.0, &id, &action_id, execution))
            .await?;
    Ok(HttpResponse::Ok().json(ActionExecutionState {
        status: row.status,
        done_on: row.done_on,
        result: row.result,
        updated_by: row.updated_by,
        updated_at: utc(row.updated_at),
    }))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "in_progress", "progress": 50, "note": "Night care three nights of five."}))]
pub struct GoalProgressBody {
    #[schema(schema_with = lists::execution_status)]
    #[validate(custom(function = "lists::valid_execution_status"))]
    pub status: String,
    /// Per cent, 0–100.
    #[validate(range(min = 0, max = 100))]
    #[schema(minimum = 0, maximum = 100)]
    pub progress: i32,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GoalProgressState {
    #[schema(schema_with = lists::execution_status)]
    pub status: String,
    pub progress: i32,
    pub note: Option<String>,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

/// Records the progress of a goal (by its stable id); it survives new plan versions.
#[utoipa::path(
    tag = "casework",
    operation_id = "record_goal_progress",
    params(("id" = String, Path, description = "Case id"), ("goal_id" = String, Path, description = "Stable id of the goal")),
    request_body = GoalProgressBody,
    responses((status = 200, description = "Recorded", body = GoalProgressState),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/plan-goals/{goal_id}/progress")]
pub async fn record_goal_progress(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: JsonBody<GoalProgressBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, goal_id) = path.into_inner();
    let body = body.0;
    let progress = GoalProgress {
        status: parse_code("status", &body.status, ExecutionStatus::parse)?,
        progress: body.progress,
        note: body.note,
    };
    let store = state.store.clone();
    let row = crate::blocking(move || store.record_goal_progress(&auth.0, &id, &goal_id, progress))
        .await?;
    Ok(HttpResponse::Ok().json(GoalProgressState {
        status: row.status,
        progress: row.progress,
        note: row.note,
        updated_by: row.updated_by,
        updated_at: utc(row.updated_at),
    }))
}

/// One action of the plan's execution part.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExecutionActionBody {
    /// Stable across plan versions.
    pub id: String,
    /// The wording of the newest version that names the action.
    pub description: String,
    pub plan_version: i32,
    /// The status of that version (`draft`, `active`, `superseded`).
    pub plan_status: String,
    pub responsible: String,
    #[schema(schema_with = lists::responsible_kind)]
    pub responsible_kind: Option<String>,
    pub responsible_ref: Option<String>,
    pub frequency: Option<String>,
    pub due_on: Option<NaiveDate>,
    /// `planned` until work is recorded.
    #[schema(schema_with = lists::execution_status)]
    pub status: String,
    pub done_on: Option<NaiveDate>,
    pub result: Option<String>,
}

/// One goal of the plan's execution part.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExecutionGoalBody {
    pub id: String,
    pub description: String,
    pub plan_version: i32,
    #[schema(schema_with = lists::execution_status)]
    pub status: String,
    pub progress: i32,
    pub note: Option<String>,
}

/// The execution part of a case's plan (seed 003).
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanExecutionBody {
    pub actions: Vec<ExecutionActionBody>,
    pub goals: Vec<ExecutionGoalBody>,
}

/// The execution part of the case's plan: every action (and goal) by stable id, with its latest
/// wording, responsible, due date and execution state.
#[utoipa::path(
    tag = "casework",
    operation_id = "get_plan_execution",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, description = "The execution part", body = PlanExecutionBody),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/cases/{id}/plan-execution")]
pub async fn get_plan_execution(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let view = crate::blocking(move || store.plan_execution(&auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(PlanExecutionBody {
        actions: view
            .actions
            .into_iter()
            .map(|v| {
                let (status, done_on, result) = match v.execution {
                    Some(e) => (e.status, e.done_on, e.result),
                    None => ("planned".to_owned(), None, None),
                };
                ExecutionActionBody {
                    id: v.action.key().to_owned(),
                    description: v.action.description,
                    plan_version: v.plan_version,
                    plan_status: v.plan_status,
                    responsible: v.action.responsible,
                    responsible_kind: v.action.responsible_kind,
                    responsible_ref: v.action.responsible_ref,
                    frequency: v.action.frequency,
                    due_on: v.action.due_on,
                    status,
                    done_on,
                    result,
                }
            })
            .collect(),
        goals: view
            .goals
            .into_iter()
            .map(|(g, plan_version, p)| {
                let (status, progress, note) = match p {
                    Some(p) => (p.status, p.progress, p.note),
                    None => ("planned".to_owned(), 0, None),
                };
                ExecutionGoalBody {
                    id: g.key().to_owned(),
                    description: g.description,
                    plan_version,
                    status,
                    progress,
                    note,
                }
            })
            .collect(),
    }))
}
