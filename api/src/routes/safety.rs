//! Child-safety concerns: raised on a report or a case at any time, shown at once to the unit's
//! supervisors (their work queue), decided by a supervisor within the emergency deadline.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use opora_domain::deadlines::SafetyDecision;
use opora_persistence::safety::{ConcernTarget, SafetyConcern};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::Authenticated;
use crate::dto::{codes, parse_code, utc};
use crate::json::{JsonBody, QueryParams};
use crate::problem::{responses, ApiError};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(raise_on_report)
        .service(raise_on_case)
        .service(list_concerns)
        .service(decide);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SafetyConcernBody {
    pub id: String,
    pub unit_id: String,
    pub report_id: Option<String>,
    pub case_id: Option<String>,
    pub description: String,
    pub raised_by: String,
    pub raised_at: DateTime<Utc>,
    /// Within the emergency deadline of raising it.
    pub decision_due_at: DateTime<Utc>,
    /// Undecided after `decision_due_at`.
    pub overdue: bool,
    #[schema(schema_with = codes::safety_decision::nullable)]
    pub decision: Option<String>,
    pub decision_note: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<SafetyConcern> for SafetyConcernBody {
    fn from(c: SafetyConcern) -> Self {
        let overdue = c.overdue(Utc::now().naive_utc());
        SafetyConcernBody {
            id: c.id,
            unit_id: c.unit_id,
            report_id: c.report_id,
            case_id: c.case_id,
            description: c.description,
            raised_by: c.raised_by,
            raised_at: utc(c.raised_at),
            decision_due_at: utc(c.decision_due_at),
            overdue,
            decision: c.decision,
            decision_note: c.decision_note,
            decided_by: c.decided_by,
            decided_at: c.decided_at.map(utc),
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"description": "Daryna (11) says her stepfather hits her when he drinks."}))]
pub struct RaiseBody {
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub description: String,
}

async fn raise(
    auth: Authenticated,
    state: web::Data<AppState>,
    target: ConcernTarget,
    body: RaiseBody,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let concern =
        crate::blocking(move || store.raise_safety_concern(&auth.0, target, body.description))
            .await?;
    Ok(HttpResponse::Created().json(SafetyConcernBody::from(concern)))
}

/// Raises a child-safety concern on an intake report.
#[utoipa::path(
    tag = "safety",
    operation_id = "raise_safety_concern_on_report",
    params(("id" = String, Path, description = "Report id")),
    request_body = RaiseBody,
    responses((status = 201, description = "Raised; the unit's supervisors see it at once", body = SafetyConcernBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/intake-reports/{id}/safety-concerns")]
pub async fn raise_on_report(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<RaiseBody>,
) -> Result<HttpResponse, ApiError> {
    raise(auth, state, ConcernTarget::Report(id.into_inner()), body.0).await
}

/// Raises a child-safety concern on a case.
#[utoipa::path(
    tag = "safety",
    operation_id = "raise_safety_concern_on_case",
    params(("id" = String, Path, description = "Case id")),
    request_body = RaiseBody,
    responses((status = 201, description = "Raised; the unit's supervisors see it at once", body = SafetyConcernBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/safety-concerns")]
pub async fn raise_on_case(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<RaiseBody>,
) -> Result<HttpResponse, ApiError> {
    raise(auth, state, ConcernTarget::Case(id.into_inner()), body.0).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConcernQuery {
    /// Only concerns still waiting for a decision.
    pub open: Option<bool>,
    /// Only the concerns of this case.
    #[param(max_length = 64)]
    pub case_id: Option<String>,
}

/// The child-safety concerns of the caller's units.
#[utoipa::path(
    tag = "safety",
    operation_id = "list_safety_concerns",
    params(ConcernQuery),
    responses((status = 200, description = "Concerns", body = Vec<SafetyConcernBody>),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::Internal),
    security(("bearer" = []))
)]
#[get("/safety-concerns")]
pub async fn list_concerns(
    auth: Authenticated,
    state: web::Data<AppState>,
    query: QueryParams<ConcernQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let store = state.store.clone();
    let rows = crate::blocking(move || {
        store.list_safety_concerns(
            &auth.0,
            query.open.unwrap_or(false),
            query.case_id.as_deref(),
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(SafetyConcernBody::from)
            .collect::<Vec<_>>(),
    ))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "child_protection_informed", "note": "Reported to the district child-protection service; home visit today with the police."}))]
pub struct DecisionBody {
    #[validate(custom(function = "crate::dto::codes::valid::safety_decision"))]
    #[schema(schema_with = codes::safety_decision)]
    pub decision: String,
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub note: String,
}

/// Records the safety decision (supervisors of the unit; once).
#[utoipa::path(
    tag = "safety",
    operation_id = "decide_safety_concern",
    params(("id" = String, Path, description = "Concern id")),
    request_body = DecisionBody,
    responses((status = 200, description = "Decided", body = SafetyConcernBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/safety-concerns/{id}/decision")]
pub async fn decide(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<DecisionBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let decision = parse_code("decision", &body.decision, SafetyDecision::parse)?;
    let store = state.store.clone();
    let concern =
        crate::blocking(move || store.decide_safety_concern(&auth.0, &id, decision, body.note))
            .await?;
    Ok(HttpResponse::Ok().json(SafetyConcernBody::from(concern)))
}
