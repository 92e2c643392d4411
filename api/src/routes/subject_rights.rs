//! Data-subject rights: the export of everything held about a client (GDPR art. 15), and the legal
//! hold that keeps records from retention's pseudonymisation (`opora retention`).

use actix_web::{get, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::Authenticated;
use crate::json::JsonBody;
use crate::problem::{responses, ApiError};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(export_subject)
        .service(get_legal_hold)
        .service(set_legal_hold);
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Export for this family member only: other members' names replaced, their details and the
    /// family's sensitive sections withheld.
    #[param(max_length = 64)]
    pub member_id: Option<String>,
}

/// Everything held about the client: the record and members, reports (reporter redacted), cases
/// with assessments, plans, agreements, evaluations and history, sensitive sections, consents,
/// disclosures and the reads outside the case team. Supervisors of the unit; the export is logged.
#[utoipa::path(
    tag = "data-subject rights",
    operation_id = "export_subject",
    params(("id" = String, Path, description = "Client id"), ExportQuery),
    responses((status = 200, description = "The export", body = Object),
        responses::BadRequest, responses::Unprocessable, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/clients/{id}/export")]
pub async fn export_subject(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: crate::json::QueryParams<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let member = query.0.member_id;
    let export =
        crate::blocking(move || store.export_subject(&auth.0, &id, member.as_deref())).await?;
    Ok(HttpResponse::Ok().json(export))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LegalHoldBody {
    pub hold: bool,
    pub reason: Option<String>,
}

/// Whether the client's records are under a legal hold.
#[utoipa::path(
    tag = "data-subject rights",
    operation_id = "get_legal_hold",
    params(("id" = String, Path, description = "Client id")),
    responses((status = 200, description = "The hold", body = LegalHoldBody),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/clients/{id}/legal-hold")]
pub async fn get_legal_hold(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let (hold, reason) = crate::blocking(move || store.legal_hold(&auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(LegalHoldBody { hold, reason }))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"hold": true, "reason": "Court proceedings on custody, case no. 522/1234/26"}))]
pub struct LegalHoldChangeBody {
    pub hold: bool,
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
}

/// Sets or lifts a legal hold (supervisors of the unit).
#[utoipa::path(
    tag = "data-subject rights",
    operation_id = "set_legal_hold",
    params(("id" = String, Path, description = "Client id")),
    request_body = LegalHoldChangeBody,
    responses((status = 200, description = "Changed", body = LegalHoldBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[put("/clients/{id}/legal-hold")]
pub async fn set_legal_hold(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<LegalHoldChangeBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let store = state.store.clone();
    let reason = body.reason.clone();
    crate::blocking(move || store.set_legal_hold(&auth.0, &id, body.hold, body.reason)).await?;
    Ok(HttpResponse::Ok().json(LegalHoldBody {
        hold: body.hold,
        reason: Some(reason),
    }))
}
