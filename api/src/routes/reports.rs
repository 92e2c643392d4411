//! Intake reports: lifecycle stages 1–3. Registered with source and urgency, then verified,
//! recognised as needing help, and either rejected with a reason, attached to an open case of the
//! same client, or turned into a case (stage 4) with a key worker and a work model.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use opora_domain::{LifecycleStage, RejectionReason, Urgency, WorkModel};
use opora_persistence::reports::{NewReport, ReportFilter, ReportTransition, ReportView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::Authenticated;
use crate::dto::{codes, parse_code, parse_opt, utc, AllowedTransition, Page};
use crate::json::{JsonBody, QueryParams};
use crate::problem::{responses, ApiError};
use crate::routes::cases::CaseBody;
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_report)
        .service(list_reports)
        .service(get_report)
        .service(transition_report);
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "source": "hotline",
    "urgency": "urgent",
    "description": "A neighbour reports that two children are often left alone at night.",
    "reporter": "Neighbour (name withheld on request)"
}))]
pub struct NewReportBody {
    /// The owning unit; default: the caller's unit.
    #[validate(length(max = 64))]
    #[schema(max_length = 64)]
    pub unit_id: Option<String>,
    /// The client, if already known.
    #[validate(length(max = 64))]
    #[schema(max_length = 64)]
    pub client_id: Option<String>,
    #[schema(schema_with = codes::report_source)]
    #[validate(custom(function = "crate::dto::codes::classifier_code"))]
    pub source: String,
    #[schema(schema_with = codes::urgency)]
    #[validate(custom(function = "crate::dto::codes::valid::urgency"))]
    pub urgency: String,
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub description: String,
    /// Who reported; omit for anonymous reports.
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub reporter: Option<String>,
    /// When the report came in; default: now.
    pub received_at: Option<DateTime<Utc>>,
}

/// A report and the transitions it allows now.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportBody {
    pub id: String,
    pub unit_id: String,
    pub client_id: Option<String>,
    #[schema(schema_with = codes::report_source)]
    pub source: String,
    #[schema(schema_with = codes::urgency)]
    pub urgency: String,
    pub description: String,
    pub reporter: Option<String>,
    pub received_at: DateTime<Utc>,
    /// When the needs assessment is due (urgency class and holiday calendar).
    pub due_at: Option<DateTime<Utc>>,
    /// Still at intake, verification or need recognition after `due_at`.
    pub overdue: bool,
    #[schema(schema_with = codes::lifecycle_stage)]
    pub stage: String,
    #[schema(schema_with = codes::rejection_reason::nullable)]
    pub rejection_reason: Option<String>,
    /// The reason given with the report's last move.
    pub outcome_note: Option<String>,
    /// The case the report opened or joined.
    pub case_id: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub allowed_transitions: Vec<AllowedTransition>,
}

impl From<ReportView> for ReportBody {
    fn from(v: ReportView) -> Self {
        let r = v.report;
        ReportBody {
            id: r.id,
            unit_id: r.unit_id,
            client_id: r.client_id,
            source: r.source,
            urgency: r.urgency,
            description: r.description,
            reporter: r.reporter,
            received_at: utc(r.received_at),
            due_at: r.due_at.map(utc),
            overdue: v.overdue,
            stage: r.stage,
            rejection_reason: r.rejection_reason,
            outcome_note: r.outcome_note,
            case_id: r.case_id,
            version: r.version,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
            allowed_transitions: v.available.iter().map(AllowedTransition::from).collect(),
        }
    }
}

/// Registers an intake report (stage 1).
#[utoipa::path(
    tag = "intake reports",
    operation_id = "create_report",
    request_body = NewReportBody,
    responses((status = 201, description = "Registered at stage `intake`", body = ReportBody, headers(("Location" = String))),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::UnsupportedMediaType,
        responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/intake-reports")]
pub async fn create_report(
    auth: Authenticated,
    state: web::Data<AppState>,
    body: JsonBody<NewReportBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let new = NewReport {
        unit_id: body.unit_id,
        client_id: body.client_id,
        source: body.source,
        urgency: parse_code("urgency", &body.urgency, Urgency::parse)?,
        description: body.description,
        reporter: body.reporter,
        received_at: body.received_at.map(|t| t.naive_utc()),
    };
    let store = state.store.clone();
    let report = crate::blocking(move || store.create_report(&auth.0, new)).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/intake-reports/{}", report.report.id),
        ))
        .json(ReportBody::from(report)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    #[param(schema_with = codes::lifecycle_stage)]
    pub stage: Option<String>,
    #[param(schema_with = codes::urgency)]
    pub urgency: Option<String>,
    #[param(schema_with = codes::report_source)]
    pub source: Option<String>,
    #[param(max_length = 64)]
    pub client_id: Option<String>,
    #[param(max_length = 64)]
    pub unit_id: Option<String>,
    /// Items per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 64)]
    pub cursor: Option<String>,
}

/// Lists the reports the caller sees, oldest first.
#[utoipa::path(
    tag = "intake reports",
    operation_id = "list_reports",
    params(ReportQuery),
    responses((status = 200, description = "One page of reports", body = Page<ReportBody>),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[get("/intake-reports")]
pub async fn list_reports(
    auth: Authenticated,
    state: web::Data<AppState>,
    query: QueryParams<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let page = crate::dto::page(query.limit, query.cursor)?;
    let filter = ReportFilter {
        stage: parse_opt("stage", query.stage.as_deref(), LifecycleStage::parse)?,
        urgency: parse_opt("urgency", query.urgency.as_deref(), Urgency::parse)?,
        source: query.source,
        client_id: query.client_id,
        unit_id: query.unit_id,
    };
    let store = state.store.clone();
    let reports = crate::blocking(move || store.list_reports(&auth.0, &filter, &page)).await?;
    Ok(HttpResponse::Ok().json(Page::from(reports, ReportBody::from)))
}

/// One report with the transitions it allows now.
#[utoipa::path(
    tag = "intake reports",
    operation_id = "get_report",
    params(("id" = String, Path, description = "Report id")),
    responses((status = 200, description = "The report", body = ReportBody),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/intake-reports/{id}")]
pub async fn get_report(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let report = crate::blocking(move || store.get_report(&auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(ReportBody::from(report)))
}

/// A move of a report. `from` is the stage the caller saw (409 if it has moved meanwhile).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "from": "need_recognition",
    "to": "opened",
    "reason": "Children left without care at night; the family agrees to work with us.",
    "work_model": "case_management",
    "key_worker_id": "0193a1c2-0000-7000-8000-000000000002"
}))]
pub struct ReportTransitionBody {
    #[schema(schema_with = codes::lifecycle_stage)]
    #[validate(custom(function = "crate::dto::codes::valid::lifecycle_stage"))]
    pub from: String,
    /// `verification`, `need_recognition`, `rejected`, `attached` or `opened`.
    #[schema(schema_with = codes::lifecycle_stage)]
    #[validate(custom(function = "crate::dto::codes::valid::lifecycle_stage"))]
    pub to: String,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
    /// Required to reject.
    #[schema(schema_with = codes::rejection_reason::nullable)]
    #[validate(custom(function = "crate::dto::codes::valid::rejection_reason"))]
    pub rejection_reason: Option<String>,
    /// Required to attach: the open case of the same client.
    #[validate(length(max = 64))]
    #[schema(max_length = 64)]
    pub case_id: Option<String>,
    /// Required to open.
    #[schema(schema_with = codes::work_model::nullable)]
    #[validate(custom(function = "crate::dto::codes::valid::work_model"))]
    pub work_model: Option<String>,
    /// Required to open: a case manager or supervisor of the unit.
    #[validate(length(max = 64))]
    #[schema(max_length = 64)]
    pub key_worker_id: Option<String>,
    /// To open a report that names no client yet.
    #[validate(length(max = 64))]
    #[schema(max_length = 64)]
    pub client_id: Option<String>,
}

/// The report after its move, and the case it opened (when `to` is `opened`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportTransitionResult {
    pub report: ReportBody,
    pub case: Option<CaseBody>,
    /// Warnings about the move, which did not stop it (`caseload_over_maximum` when the key
    /// worker of the case opened now leads more families than the maximum).
    pub warnings: Vec<crate::routes::casework::WarningBody>,
}

/// Moves a report: verification, need recognition, rejection, attachment to an open case, or
/// opening a case. A refused move is 409 naming each unmet requirement and the moves allowed now.
#[utoipa::path(
    tag = "intake reports",
    operation_id = "transition_report",
    params(("id" = String, Path, description = "Report id")),
    request_body = ReportTransitionBody,
    responses((status = 200, description = "Moved; the case is given when one was opened", body = ReportTransitionResult),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/intake-reports/{id}/transitions")]
pub async fn transition_report(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<ReportTransitionBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let transition = ReportTransition {
        from: parse_code("from", &body.from, LifecycleStage::parse)?,
        to: parse_code("to", &body.to, LifecycleStage::parse)?,
        reason: body.reason,
        rejection_reason: parse_opt(
            "rejection_reason",
            body.rejection_reason.as_deref(),
            RejectionReason::parse,
        )?,
        case_id: body.case_id,
        work_model: parse_opt("work_model", body.work_model.as_deref(), WorkModel::parse)?,
        key_worker_id: body.key_worker_id,
        client_id: body.client_id,
    };
    let store = state.store.clone();
    let caller = auth.0;
    let (report, case, warnings) = crate::blocking(move || {
        let outcome = store.transition_report(&caller, &id, transition)?;
        let case = match &outcome.case {
            Some(case) => Some(store.get_case(&caller, &case.id)?),
            None => None,
        };
        Ok((outcome.report, case, outcome.warnings))
    })
    .await?;
    Ok(HttpResponse::Ok().json(ReportTransitionResult {
        report: report.into(),
        case: case.map(CaseBody::from),
        warnings: warnings
            .into_iter()
            .map(|w| crate::routes::casework::WarningBody {
                code: w.code,
                detail: w.detail,
            })
            .collect(),
    }))
}
