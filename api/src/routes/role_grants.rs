//! Four eyes on access (issue 9, finding 5): roles that read case content, or admin, wait for a
//! second admin. Admins list the grants of their units and approve or reject those they neither
//! asked for nor receive (`opora_domain::accounts::decide_role_grant`).

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use opora_persistence::role_grants::RoleGrantRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::Authenticated;
use crate::dto::{codes, utc};
use crate::json::{JsonBody, QueryParams};
use crate::problem::{responses, ApiError};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_role_grants).service(decide_role_grant);
}

fn role_list() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::Array::new(codes::role())
}

fn grant_status() -> utoipa::openapi::schema::Object {
    crate::dto::code_schema(
        opora_domain::accounts::RoleGrantStatus::ALL
            .iter()
            .map(|s| s.code()),
        "`pending` until a second admin decides; then `approved` (the roles are on the account) or `rejected`.",
    )
}

/// Roles asked for a staff member that wait for (or got) a second admin's decision.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1c2-0000-7000-8000-0000000000f1", "staff_id": "o.kovalenko",
    "unit_id": "0193a1c2-0000-7000-8000-000000000001", "roles": ["supervisor"], "status": "pending",
    "requested_by": "admin-1", "requested_at": "2026-12-02T10:00:00Z", "decided_by": null,
    "decided_at": null, "decision_note": null}))]
pub struct RoleGrantBody {
    pub id: String,
    pub staff_id: String,
    pub unit_id: String,
    #[schema(schema_with = role_list)]
    pub roles: Vec<String>,
    #[schema(schema_with = grant_status)]
    pub status: String,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
}

impl From<RoleGrantRow> for RoleGrantBody {
    fn from(g: RoleGrantRow) -> Self {
        RoleGrantBody {
            roles: g.roles().iter().map(|r| r.code().to_owned()).collect(),
            id: g.id,
            staff_id: g.staff_id,
            unit_id: g.unit_id,
            status: g.status,
            requested_by: g.requested_by,
            requested_at: utc(g.requested_at),
            decided_by: g.decided_by,
            decided_at: g.decided_at.map(utc),
            decision_note: g.decision_note,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoleGrantQuery {
    /// Only the grants still waiting for a decision.
    pub pending: Option<bool>,
}

/// The role grants of the admin's units, newest first.
#[utoipa::path(
    tag = "accounts",
    operation_id = "list_role_grants",
    params(RoleGrantQuery),
    responses((status = 200, description = "Role grants", body = Vec<RoleGrantBody>),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::Internal),
    security(("bearer" = []))
)]
#[get("/role-grants")]
pub async fn list_role_grants(
    auth: Authenticated,
    state: web::Data<AppState>,
    query: QueryParams<RoleGrantQuery>,
) -> Result<HttpResponse, ApiError> {
    let pending = query.0.pending.unwrap_or(false);
    let store = state.store.clone();
    let rows = crate::blocking(move || store.role_grants(&auth.0, pending)).await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(RoleGrantBody::from)
            .collect::<Vec<_>>(),
    ))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"approve": true, "note": "Appointed supervisor by order no. 14"}))]
pub struct RoleGrantDecisionBody {
    pub approve: bool,
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// A second admin approves (the roles are added to the account at once) or rejects a waiting
/// grant; not one they asked for, nor one that would grant them (409 `own_request`); a decided
/// grant stays decided (409 `grant_decided`).
#[utoipa::path(
    tag = "accounts",
    operation_id = "decide_role_grant",
    params(("id" = String, Path, description = "Role grant id")),
    request_body = RoleGrantDecisionBody,
    responses((status = 200, description = "Decided", body = RoleGrantBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/role-grants/{id}/decision")]
pub async fn decide_role_grant(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<RoleGrantDecisionBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let store = state.store.clone();
    let row =
        crate::blocking(move || store.decide_role_grant(&auth.0, &id, body.approve, body.note))
            .await?;
    Ok(HttpResponse::Ok().json(RoleGrantBody::from(row)))
}
