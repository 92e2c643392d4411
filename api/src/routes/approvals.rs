//! Per-unit requirements of supervisor approvals (issue 3, item 7): a unit's settings (set by an
//! admin, inherited down the tree), and a supervisor's approval of a closure report. The plan
//! version's approval is `POST /cases/{id}/plans/{plan_id}/approval` (casework).

use actix_web::{get, post, put, web, HttpResponse};
use chrono::{DateTime, Utc};
use opora_persistence::approvals::{ClosureApprovalRow, UnitSettings};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::Authenticated;
use crate::dto::utc;
use crate::json::JsonBody;
use crate::problem::{responses, ApiError};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_unit_settings)
        .service(put_unit_settings)
        .service(approve_closure_report);
}

/// A unit's settings as they apply to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitSettingsBody {
    pub unit_id: String,
    /// A supervisor must approve a plan version before the client's agreement is recorded.
    pub requires_plan_approval: bool,
    /// A supervisor must approve the closure report before the case closes.
    pub requires_closure_approval: bool,
    /// The unit whose settings apply: this one, or the nearest one up the tree with settings;
    /// `null` when none is set (nothing is required).
    pub set_on: Option<String>,
}

impl From<UnitSettings> for UnitSettingsBody {
    fn from(s: UnitSettings) -> Self {
        UnitSettingsBody {
            unit_id: s.unit_id,
            requires_plan_approval: s.requires_plan_approval,
            requires_closure_approval: s.requires_closure_approval,
            set_on: s.set_on,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"requires_plan_approval": true, "requires_closure_approval": false}))]
pub struct UnitSettingsInput {
    pub requires_plan_approval: bool,
    pub requires_closure_approval: bool,
}

/// The settings that apply to a unit (its own, or inherited from the nearest unit up the tree).
#[utoipa::path(
    tag = "directory",
    operation_id = "get_unit_settings",
    params(("id" = String, Path, description = "Unit id")),
    responses((status = 200, description = "The settings that apply", body = UnitSettingsBody),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/units/{id}/settings")]
pub async fn get_unit_settings(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let settings = crate::blocking(move || store.unit_settings(&auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(UnitSettingsBody::from(settings)))
}

/// Sets a unit's own settings (admins only); units below without their own inherit them.
#[utoipa::path(
    tag = "accounts",
    operation_id = "put_unit_settings",
    params(("id" = String, Path, description = "Unit id")),
    request_body = UnitSettingsInput,
    responses((status = 200, description = "The settings that apply now", body = UnitSettingsBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[put("/units/{id}/settings")]
pub async fn put_unit_settings(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<UnitSettingsInput>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let store = state.store.clone();
    let settings = crate::blocking(move || {
        store.put_unit_settings(
            &auth.0,
            &id,
            body.requires_plan_approval,
            body.requires_closure_approval,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(UnitSettingsBody::from(settings)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"approved": true, "comment": "Goals evaluated; the family was told."}))]
pub struct ClosureApprovalInput {
    /// Approves the report as it stands (false: refuses, with a comment).
    pub approved: bool,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
}

/// A supervisor's decision on a closure report, at the report's version.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosureApprovalBody {
    pub id: String,
    pub case_id: String,
    pub report_id: String,
    /// The report's version approved: a later edit needs a new approval.
    pub report_version: i64,
    pub approved: bool,
    pub comment: Option<String>,
    pub supervisor_id: String,
    pub recorded_at: DateTime<Utc>,
}

impl From<ClosureApprovalRow> for ClosureApprovalBody {
    fn from(r: ClosureApprovalRow) -> Self {
        ClosureApprovalBody {
            id: r.id,
            case_id: r.case_id,
            report_id: r.report_id,
            report_version: r.report_version,
            approved: r.approved,
            comment: r.comment,
            supervisor_id: r.supervisor_id,
            recorded_at: utc(r.recorded_at),
        }
    }
}

/// A supervisor approves (or refuses) the closure report of the case's current cycle as it
/// stands (supervisors only: 403 otherwise). Where the case's unit requires it, the case closes
/// only with an approval of the report's current version (`closure_approved`).
#[utoipa::path(
    tag = "closure",
    operation_id = "approve_closure_report",
    params(("id" = String, Path, description = "Case id")),
    request_body = ClosureApprovalInput,
    responses((status = 201, description = "Recorded", body = ClosureApprovalBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/closure-report/approval")]
pub async fn approve_closure_report(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<ClosureApprovalInput>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let store = state.store.clone();
    let row = crate::blocking(move || {
        store.approve_closure_report(&auth.0, &id, body.approved, body.comment)
    })
    .await?;
    Ok(HttpResponse::Created().json(ClosureApprovalBody::from(row)))
}
