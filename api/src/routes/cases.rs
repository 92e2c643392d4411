//! Cases: read, list (filters, cursor pages), update of urgency and key worker with ETag /
//! If-Match, transitions of the lifecycle and the work model, and the full history. A case is
//! created by opening it from a recognised intake report.

use actix_web::{get, patch, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use opora_domain::{
    ClosureReason, LifecycleStage, Machine, ModelStage, Stage, TransitionRequest, Urgency,
    WorkModel,
};
use opora_persistence::cases::{CaseChanges, CaseFilter, CaseTransition, CaseView};
use opora_persistence::models::EventRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::Authenticated;
use crate::dto::{codes, parse_opt, utc, AllowedTransition, Page};
use crate::etag::{etag, if_match};
use crate::json::{JsonBody, QueryParams};
use crate::problem::{responses, ApiError};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_cases)
        .service(get_case)
        .service(update_case)
        .service(transition_case)
        .service(case_events)
        .service(get_restriction)
        .service(set_restriction);
}

/// A case, where it stands in both machines, and the transitions it allows now.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseBody {
    pub id: String,
    pub unit_id: String,
    pub client_id: String,
    /// The intake report that opened the case.
    pub report_id: String,
    #[schema(schema_with = codes::lifecycle_stage)]
    pub lifecycle_stage: String,
    #[schema(schema_with = codes::work_model)]
    pub work_model: String,
    #[schema(schema_with = codes::model_stage)]
    pub model_stage: String,
    #[schema(schema_with = codes::urgency)]
    pub urgency: String,
    pub key_worker_id: String,
    /// 1, plus one per reopening; assessments and plans count only in the current cycle.
    pub cycle: i32,
    #[schema(schema_with = codes::closure_reason::nullable)]
    pub closure_reason: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// When the needs assessment of this cycle is due.
    pub assessment_due_at: Option<DateTime<Utc>>,
    /// Due and no completed assessment in this cycle.
    pub assessment_overdue: bool,
    /// Visible only to named staff and the key worker.
    pub restricted: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Every move possible from here, each `ready` or with what it lacks.
    pub allowed_transitions: Vec<AllowedTransition>,
    /// Warnings about the change just made, which did not stop it (`caseload_over_maximum` when
    /// the new key worker now leads more families than the maximum); empty on reads.
    pub warnings: Vec<crate::routes::casework::WarningBody>,
}

impl From<CaseView> for CaseBody {
    fn from(v: CaseView) -> Self {
        let c = v.case;
        CaseBody {
            id: c.id,
            unit_id: c.unit_id,
            client_id: c.client_id,
            report_id: c.report_id,
            lifecycle_stage: c.lifecycle_stage,
            work_model: c.work_model,
            model_stage: c.model_stage,
            urgency: c.urgency,
            key_worker_id: c.key_worker_id,
            cycle: c.cycle,
            closure_reason: c.closure_reason,
            opened_at: utc(c.opened_at),
            closed_at: c.closed_at.map(utc),
            assessment_due_at: c.assessment_due_at.map(utc),
            assessment_overdue: v.assessment_overdue,
            restricted: c.restricted,
            version: c.version,
            created_at: utc(c.created_at),
            updated_at: utc(c.updated_at),
            allowed_transitions: v.available.iter().map(AllowedTransition::from).collect(),
            warnings: v
                .warnings
                .into_iter()
                .map(|w| crate::routes::casework::WarningBody {
                    code: w.code,
                    detail: w.detail,
                })
                .collect(),
        }
    }
}

fn with_etag(mut response: actix_web::HttpResponseBuilder, case: CaseView) -> HttpResponse {
    response.insert_header((actix_web::http::header::ETAG, etag(case.case.version)));
    response.json(CaseBody::from(case))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    #[param(schema_with = codes::lifecycle_stage)]
    pub lifecycle_stage: Option<String>,
    #[param(schema_with = codes::model_stage)]
    pub model_stage: Option<String>,
    #[param(schema_with = codes::work_model)]
    pub work_model: Option<String>,
    #[param(schema_with = codes::urgency)]
    pub urgency: Option<String>,
    #[param(max_length = 64)]
    pub key_worker_id: Option<String>,
    #[param(max_length = 64)]
    pub unit_id: Option<String>,
    #[param(max_length = 64)]
    pub client_id: Option<String>,
    /// Items per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 64)]
    pub cursor: Option<String>,
}

/// Lists the cases the caller sees, oldest first.
#[utoipa::path(
    tag = "cases",
    operation_id = "list_cases",
    params(CaseQuery),
    responses((status = 200, description = "One page of cases", body = Page<CaseBody>),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[get("/cases")]
pub async fn list_cases(
    auth: Authenticated,
    state: web::Data<AppState>,
    query: QueryParams<CaseQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let page = crate::dto::page(query.limit, query.cursor)?;
    let filter = CaseFilter {
        lifecycle_stage: parse_opt(
            "lifecycle_stage",
            query.lifecycle_stage.as_deref(),
            LifecycleStage::parse,
        )?,
        model_stage: parse_opt(
            "model_stage",
            query.model_stage.as_deref(),
            ModelStage::parse,
        )?,
        work_model: parse_opt("work_model", query.work_model.as_deref(), WorkModel::parse)?,
        urgency: parse_opt("urgency", query.urgency.as_deref(), Urgency::parse)?,
        key_worker_id: query.key_worker_id,
        unit_id: query.unit_id,
        client_id: query.client_id,
    };
    let store = state.store.clone();
    let cases = crate::blocking(move || store.list_cases(&auth.0, &filter, &page)).await?;
    Ok(HttpResponse::Ok().json(Page::from(cases, CaseBody::from)))
}

/// One case with the transitions it allows now; `ETag` names its version.
#[utoipa::path(
    tag = "cases",
    operation_id = "get_case",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, description = "The case", body = CaseBody, headers(("ETag" = String))),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/cases/{id}")]
pub async fn get_case(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let case = crate::blocking(move || store.get_case(&auth.0, &id)).await?;
    Ok(with_etag(HttpResponse::Ok(), case))
}

/// Changes to a case's administrative fields.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"urgency": "emergency", "reason": "New police report: violence at home."}))]
pub struct CasePatchBody {
    #[schema(schema_with = codes::urgency::nullable)]
    #[validate(custom(function = "crate::dto::codes::valid::urgency"))]
    pub urgency: Option<String>,
    /// A case manager or supervisor of the unit.
    #[validate(length(max = 64))]
    #[schema(max_length = 64)]
    pub key_worker_id: Option<String>,
    /// Why, recorded with the event.
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// Changes urgency or key worker. Needs `If-Match`: 428 without it, 412 when stale.
#[utoipa::path(
    tag = "cases",
    operation_id = "update_case",
    params(
        ("id" = String, Path, description = "Case id"),
        ("If-Match" = String, Header, description = "The ETag of the version the change is based on")
    ),
    request_body = CasePatchBody,
    responses((status = 200, description = "Updated; `ETag` names the new version", body = CaseBody, headers(("ETag" = String))),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::PreconditionFailed,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::PreconditionRequired, responses::Internal),
    security(("bearer" = []))
)]
#[patch("/cases/{id}")]
pub async fn update_case(
    auth: Authenticated,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<CasePatchBody>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let body = body.0;
    let changes = CaseChanges {
        urgency: parse_opt("urgency", body.urgency.as_deref(), Urgency::parse)?,
        key_worker_id: body.key_worker_id,
        reason: body.reason,
    };
    let store = state.store.clone();
    let case = crate::blocking(move || store.update_case(&auth.0, &id, expected, changes)).await?;
    Ok(with_etag(HttpResponse::Ok(), case))
}

/// A move of the lifecycle or of the work model. `from` is the stage of that machine the caller
/// saw: if the case has moved meanwhile the answer is 409 and nothing changes.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"machine": "lifecycle", "from": "monitoring", "to": "closed", "closure_reason": "goals_achieved", "reason": "Plan goals met; family stable for three months."}))]
pub struct CaseTransitionBody {
    /// Which machine moves. Needed only where a code names stages of two machines (`planning`
    /// is both a lifecycle stage and a 6-stage model stage); otherwise taken from `to`.
    #[schema(schema_with = codes::machine::nullable)]
    #[validate(custom(function = "crate::dto::codes::valid::machine"))]
    pub machine: Option<String>,
    #[schema(schema_with = codes::any_stage)]
    #[validate(custom(function = "crate::dto::codes::valid::any_stage"))]
    pub from: String,
    /// A lifecycle stage (`planning`, `implementation`, `monitoring`, `closed`, `opened` to
    /// reopen) or a stage of the case's work model.
    #[schema(schema_with = codes::any_stage)]
    #[validate(custom(function = "crate::dto::codes::valid::any_stage"))]
    pub to: String,
    /// Required for steps back, plan correction and reopening.
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
    /// Required to close.
    #[schema(schema_with = codes::closure_reason::nullable)]
    #[validate(custom(function = "crate::dto::codes::valid::closure_reason"))]
    pub closure_reason: Option<String>,
}

/// The stage `code` names in `machine`, or in whichever machine has a stage of that code.
pub fn parse_stage(field: &str, machine: Option<Machine>, code: &str) -> Result<Stage, ApiError> {
    let lifecycle = LifecycleStage::parse(code).map(Stage::Lifecycle);
    let model = ModelStage::parse(code).map(Stage::Model);
    let stage = match machine {
        Some(Machine::Lifecycle) => lifecycle,
        Some(machine) => model.filter(|s| s.machine() == machine),
        None => match (lifecycle, model) {
            (Some(_), Some(_)) => {
                return Err(ApiError::field(
                    "machine",
                    "ambiguous_stage",
                    format!(
                        "{code:?} is a stage of the lifecycle and of a work model: give `machine`"
                    ),
                ))
            }
            (one, other) => one.or(other),
        },
    };
    stage.ok_or_else(|| {
        ApiError::field(
            field,
            "unknown_code",
            format!("{code:?} is not a stage of that machine"),
        )
    })
}

/// Moves the case. A refused move is 409 naming each unmet requirement and listing the moves
/// allowed now; reopening is for supervisors (403 otherwise).
#[utoipa::path(
    tag = "cases",
    operation_id = "transition_case",
    params(("id" = String, Path, description = "Case id")),
    request_body = CaseTransitionBody,
    responses((status = 200, description = "Moved; the case as it stands now", body = CaseBody, headers(("ETag" = String))),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/transitions")]
pub async fn transition_case(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<CaseTransitionBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let machine = parse_opt("machine", body.machine.as_deref(), Machine::parse)?;
    let target = parse_stage("to", machine, &body.to)?;
    parse_stage("from", Some(target.machine()), &body.from)?;
    let transition = CaseTransition {
        from: body.from,
        request: TransitionRequest {
            target,
            reason: body.reason,
            closure_reason: parse_opt(
                "closure_reason",
                body.closure_reason.as_deref(),
                ClosureReason::parse,
            )?,
            rejection_reason: None,
            work_model: None,
        },
    };
    let store = state.store.clone();
    let case = crate::blocking(move || store.transition_case(&auth.0, &id, transition)).await?;
    Ok(with_etag(HttpResponse::Ok(), case))
}

fn event_kind() -> utoipa::openapi::schema::Object {
    crate::dto::code_schema(
        opora_domain::events::EventKind::ALL
            .iter()
            .map(|k| k.code()),
        "What happened: the stable name of the event's kind.",
    )
}

/// One recorded change: who, when, what, from, to, why.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventBody {
    pub id: String,
    /// The event's stable name: `transition`, `report.registered`, `case.updated`,
    /// `assessment.completed`, `plan.agreed`, … (the closed list of the domain's event kinds).
    #[schema(schema_with = event_kind)]
    pub action: String,
    /// The version of the shape of `details` for this kind of event.
    #[schema(example = 1, minimum = 1)]
    pub schema_version: i32,
    #[schema(schema_with = codes::machine::nullable)]
    pub machine: Option<String>,
    #[schema(schema_with = codes::move_kind::nullable)]
    pub kind: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// The closure or rejection reason's code.
    pub reason_code: Option<String>,
    pub reason: Option<String>,
    /// What changed, for changes other than transitions (before and after).
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
    /// The staff member who acted.
    pub actor_id: String,
    pub at: DateTime<Utc>,
    pub report_id: Option<String>,
    pub case_id: Option<String>,
}

impl From<EventRow> for EventBody {
    fn from(e: EventRow) -> Self {
        EventBody {
            id: e.id,
            action: e.action,
            schema_version: e.schema_version,
            machine: e.machine,
            kind: e.move_kind,
            from: e.from_stage,
            to: e.to_stage,
            reason_code: e.reason_code,
            reason: e.reason,
            details: e.details.and_then(|d| serde_json::from_str(&d).ok()),
            actor_id: e.actor_id,
            at: utc(e.at),
            report_id: e.report_id,
            case_id: e.case_id,
        }
    }
}

/// The case's full history, its intake report's included, oldest first.
#[utoipa::path(
    tag = "cases",
    operation_id = "list_case_events",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, description = "Every recorded change", body = Vec<EventBody>),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/cases/{id}/events")]
pub async fn case_events(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let events = crate::blocking(move || store.case_events(&auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(events.into_iter().map(EventBody::from).collect::<Vec<_>>()))
}

/// Who may see a case: everyone in scope, or only the named staff and the key worker.
#[derive(Debug, Serialize, ToSchema)]
pub struct RestrictionBody {
    pub restricted: bool,
    /// Staff named on a restricted case (always including a supervisor).
    pub named_staff: Vec<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"restricted": true, "named_staff": ["iryna", "olena"], "reason": "The mother's partner works in this department"}))]
pub struct RestrictionChangeBody {
    pub restricted: bool,
    /// Who may see the case besides the key worker; must include the caller (a supervisor).
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    #[serde(default)]
    pub named_staff: Vec<String>,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Who may see the case.
#[utoipa::path(
    tag = "cases",
    operation_id = "get_case_restriction",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, description = "The restriction", body = RestrictionBody),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/cases/{id}/restriction")]
pub async fn get_restriction(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let r = crate::blocking(move || store.get_restriction(&auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(RestrictionBody {
        restricted: r.restricted,
        named_staff: r.named,
    }))
}

/// Restricts the case to named staff (violence, a staff member in the family, …) or lifts the
/// restriction; supervisors only. Everyone not named then gets 404 for the case and does not
/// see it in lists.
#[utoipa::path(
    tag = "cases",
    operation_id = "set_case_restriction",
    params(("id" = String, Path, description = "Case id")),
    request_body = RestrictionChangeBody,
    responses((status = 200, description = "Changed", body = RestrictionBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[put("/cases/{id}/restriction")]
pub async fn set_restriction(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<RestrictionChangeBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let store = state.store.clone();
    let r = crate::blocking(move || {
        store.set_restriction(&auth.0, &id, body.restricted, body.named_staff, body.reason)
    })
    .await?;
    Ok(HttpResponse::Ok().json(RestrictionBody {
        restricted: r.restricted,
        named_staff: r.named,
    }))
}
