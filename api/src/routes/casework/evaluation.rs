//! Evaluations of a case's results, per cycle; a final one is what closing as `goals_achieved`
//! needs. Implements seed 002, stage 5 (evaluation of results) and seed 000 (evaluation ends in
//! closure or a new plan); the closing guard is `opora_domain::guards` (`final_evaluation_recorded`).

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use opora_domain::{EvaluationKind, GoalOutcome};
use opora_persistence::casework::NewEvaluation;
use opora_persistence::models::EvaluationRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Authenticated;
use crate::dto::{codes, parse_code, utc};
use crate::json::JsonBody;
use crate::problem::{responses, ApiError};
use crate::AppState;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "final", "summary": "Night care in place; income stable; school attendance normal.", "outcome": "achieved"}))]
pub struct NewEvaluationBody {
    #[schema(schema_with = codes::evaluation_kind)]
    #[validate(custom(function = "crate::dto::codes::valid::evaluation_kind"))]
    pub kind: String,
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub summary: String,
    #[schema(schema_with = codes::goal_outcome)]
    #[validate(custom(function = "crate::dto::codes::valid::goal_outcome"))]
    pub outcome: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluationBody {
    pub id: String,
    pub case_id: String,
    pub cycle: i32,
    #[schema(schema_with = codes::evaluation_kind)]
    pub kind: String,
    pub summary: String,
    #[schema(schema_with = codes::goal_outcome)]
    pub outcome: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<EvaluationRow> for EvaluationBody {
    fn from(e: EvaluationRow) -> Self {
        EvaluationBody {
            id: e.id,
            case_id: e.case_id,
            cycle: e.cycle,
            kind: e.kind,
            summary: e.summary,
            outcome: e.outcome,
            created_by: e.created_by,
            created_at: utc(e.created_at),
        }
    }
}

/// Records an evaluation (the final one is needed to close as `goals_achieved`).
#[utoipa::path(
    tag = "casework",
    operation_id = "create_evaluation",
    params(("id" = String, Path, description = "Case id")),
    request_body = NewEvaluationBody,
    responses((status = 201, description = "Recorded", body = EvaluationBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/evaluations")]
pub async fn create_evaluation(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<NewEvaluationBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let new = NewEvaluation {
        kind: parse_code("kind", &body.kind, EvaluationKind::parse)?,
        summary: body.summary,
        outcome: parse_code("outcome", &body.outcome, GoalOutcome::parse)?,
    };
    let store = state.store.clone();
    let row = crate::blocking(move || store.record_evaluation(&auth.0, &id, new)).await?;
    Ok(HttpResponse::Created().json(EvaluationBody::from(row)))
}

/// The case's evaluations, oldest first.
#[utoipa::path(
    tag = "casework",
    operation_id = "list_evaluations",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, description = "Evaluations", body = Vec<EvaluationBody>),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/cases/{id}/evaluations")]
pub async fn list_evaluations(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let rows = crate::blocking(move || store.list_evaluations(&auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(EvaluationBody::from)
            .collect::<Vec<_>>(),
    ))
}
