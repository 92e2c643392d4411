//! "My work": for a worker, what their cases and reports need next; for a supervisor, the same
//! across their units. Overdue first, then soonest due. A client's unilateral ending of the
//! service agreement (seed 003) is work too: `closure_or_renegotiation_due`.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use opora_persistence::work_queue::{QueueScope, WorkItem};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Authenticated;
use crate::dto::utc;
use crate::json::QueryParams;
use crate::problem::{responses, ApiError};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(work_queue);
}

fn kinds() -> utoipa::openapi::schema::Object {
    crate::dto::code_schema(
        [
            "report_due",
            "assessment_due",
            "safety_decision_due",
            "plan_review_due",
            "plan_awaiting_agreement",
            "action_due",
            "plan_awaiting_approval",
            "closure_awaiting_approval",
            "closure_or_renegotiation_due",
        ],
        "What needs doing. `closure_or_renegotiation_due`: the client ended the service agreement \
         (or the 12-stage concluded contract) unilaterally and none is in force since; close the \
         case or agree anew, by the policy's working days after the ending (default 10).",
    )
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkItemBody {
    #[schema(schema_with = kinds)]
    pub kind: String,
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
    pub report_id: Option<String>,
    pub case_id: Option<String>,
    /// The report, case, concern, plan version, plan action (its id across plan versions) or
    /// agreement (the one the client ended) concerned.
    pub record_id: String,
    pub summary: String,
}

impl From<WorkItem> for WorkItemBody {
    fn from(w: WorkItem) -> Self {
        WorkItemBody {
            kind: w.kind.to_owned(),
            due_at: w.due_at.map(utc),
            overdue: w.overdue,
            report_id: w.report_id,
            case_id: w.case_id,
            record_id: w.record_id,
            summary: w.summary,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// `mine` (default): the caller's cases and reports; `units`: everything in the caller's units
    /// (supervisors; others get their own).
    #[param(pattern = "^(mine|units)$")]
    pub scope: Option<String>,
}

/// What needs doing next, overdue first.
#[utoipa::path(
    tag = "work queue",
    operation_id = "work_queue",
    params(QueueQuery),
    responses((status = 200, description = "The work items", body = Vec<WorkItemBody>),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[get("/work-queue")]
pub async fn work_queue(
    auth: Authenticated,
    state: web::Data<AppState>,
    query: QueryParams<QueueQuery>,
) -> Result<HttpResponse, ApiError> {
    let scope = match query.0.scope.as_deref() {
        None | Some("mine") => QueueScope::Mine,
        Some("units") => QueueScope::Units,
        Some(other) => {
            return Err(ApiError::field(
                "scope",
                "unknown_code",
                format!("{other:?} is not mine or units"),
            ))
        }
    };
    let store = state.store.clone();
    let items = crate::blocking(move || store.work_queue(&auth.0, scope)).await?;
    Ok(HttpResponse::Ok().json(
        items
            .into_iter()
            .map(WorkItemBody::from)
            .collect::<Vec<_>>(),
    ))
}
