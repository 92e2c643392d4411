//! Assignment: key-worker suggestions by weighted caseload, staff leave, and the transfer of a case
//! to another key worker (requested; accepted, declined or cancelled). The rules are in
//! `opora_persistence::assignment`; the weights and the maximum caseload in
//! `opora_domain::caseload`, configured in the store's `Policy`.

use std::collections::BTreeMap;

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use opora_domain::assignment::TransferStatus;
use opora_domain::{Urgency, WorkModel};
use opora_persistence::assignment::{
    Absent, Candidate, LeaveRow, NewLeave, NewTransfer, Suggestions, TransferOutcome, TransferRow,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::Authenticated;
use crate::dto::{codes, parse_code, utc};
use crate::json::{JsonBody, QueryParams};
use crate::problem::{responses, ApiError};
use crate::routes::casework::WarningBody;
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(key_worker_suggestions)
        .service(record_leave)
        .service(list_leave)
        .service(list_transfers)
        .service(request_transfer)
        .service(accept_transfer)
        .service(decline_transfer)
        .service(cancel_transfer)
        .service(incoming_transfers);
}

/// A refusal (403) worded for the rule that refused, instead of the generic role message.
fn refused(e: ApiError, why: &str) -> ApiError {
    match e {
        ApiError::Forbidden(_) => ApiError::Forbidden(why.to_owned()),
        other => other,
    }
}

fn transfer_status() -> utoipa::openapi::schema::Object {
    crate::dto::code_schema(
        TransferStatus::ALL.iter().map(|c| c.code()),
        "Where a transfer stands: `pending` until the proposed key worker accepts or declines it or the requester (or a supervisor) cancels it.",
    )
}

// ---- suggestions -------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct SuggestionQuery {
    pub urgency: String,
    pub work_model: String,
}

// By hand: utoipa drops `required` and descriptions of parameters given by `schema_with`.
impl IntoParams for SuggestionQuery {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::Required;
        let param = |name: &str, description: &str, schema: utoipa::openapi::schema::Object| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(Required::True)
                .description(Some(description))
                .schema(Some(schema))
                .build()
        };
        vec![
            param("urgency", "The new case's urgency.", codes::urgency()),
            param(
                "work_model",
                "The new case's work model.",
                codes::work_model(),
            ),
        ]
    }
}

/// Active cases of one urgency.
#[derive(Debug, Serialize, ToSchema)]
pub struct UrgencyCount {
    #[schema(schema_with = codes::urgency)]
    pub urgency: String,
    pub active_cases: u32,
}

/// Active cases of one work model.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkModelCount {
    #[schema(schema_with = codes::work_model)]
    pub work_model: String,
    pub active_cases: u32,
}

/// A case manager who could lead the new case, with their caseload.
#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateBody {
    pub staff_id: String,
    #[schema(example = "Olena Kovalenko")]
    pub full_name: String,
    /// True for the first candidate only, the least loaded, unless they are at the maximum
    /// caseload (then nobody is suggested).
    pub suggested: bool,
    /// Active cases they lead (opened, planning, implementation, monitoring), in any unit.
    #[schema(example = 3)]
    pub active_cases: u32,
    /// Active cases per urgency, every urgency listed.
    pub by_urgency: Vec<UrgencyCount>,
    /// Active cases per work model, every model listed.
    pub by_work_model: Vec<WorkModelCount>,
    /// The sum of their active cases' weights (urgency weight × work-model factor).
    #[schema(example = 4.5)]
    pub weighted_load: f64,
    /// `weighted_load` plus the new case's weight.
    #[schema(example = 7.5)]
    pub projected_load: f64,
    /// The families they lead: distinct clients of their active cases.
    #[schema(example = 3)]
    pub families: u32,
    /// They lead the maximum number of families or more (`OPORA_MAX_CASELOAD`): ranked after
    /// everyone else, never suggested; a transfer to them answers with a warning.
    pub at_maximum: bool,
}

impl CandidateBody {
    fn from(c: Candidate, suggested: bool, case_weight: f64) -> Self {
        CandidateBody {
            staff_id: c.staff_id,
            full_name: c.full_name,
            suggested: suggested && c.has_room,
            active_cases: c.caseload.cases(),
            by_urgency: Urgency::ALL
                .iter()
                .map(|u| UrgencyCount {
                    urgency: u.code().to_owned(),
                    active_cases: c.caseload.with_urgency(*u),
                })
                .collect(),
            by_work_model: WorkModel::ALL
                .iter()
                .map(|m| WorkModelCount {
                    work_model: m.code().to_owned(),
                    active_cases: c.caseload.with_model(*m),
                })
                .collect(),
            weighted_load: c.weighted_load,
            projected_load: c.weighted_load + case_weight,
            families: c.families,
            at_maximum: !c.has_room,
        }
    }
}

/// A case manager of the unit left out because they are on leave today.
#[derive(Debug, Serialize, ToSchema)]
pub struct AbsentBody {
    pub staff_id: String,
    pub full_name: String,
    /// The last day of their leave.
    pub until: NaiveDate,
}

impl From<Absent> for AbsentBody {
    fn from(a: Absent) -> Self {
        AbsentBody {
            staff_id: a.staff_id,
            full_name: a.full_name,
            until: a.until,
        }
    }
}

/// Who should lead a new case: the unit's active case managers not on leave, least loaded first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionsBody {
    pub unit_id: String,
    #[schema(schema_with = codes::urgency)]
    pub urgency: String,
    #[schema(schema_with = codes::work_model)]
    pub work_model: String,
    /// What the new case weighs: its urgency's weight × its work model's factor.
    #[schema(example = 4.5)]
    pub case_weight: f64,
    /// The weights in force, by urgency and work-model code (`OPORA_CASELOAD_WEIGHTS`).
    #[schema(example = json!({"emergency": 3.0, "urgent": 2.0, "routine": 1.0, "case_management": 1.5, "individual": 1.0}))]
    pub weights: BTreeMap<String, f64>,
    /// The most families one key worker leads (`OPORA_MAX_CASELOAD`).
    #[schema(example = 80)]
    pub max_families: u32,
    /// Those below the maximum caseload first, then those at it; within each, least weighted
    /// load first; ties go to fewer active cases of the new case's urgency, then fewer active
    /// cases, then staff id. Empty when nobody is available.
    pub candidates: Vec<CandidateBody>,
    /// Case managers of the unit on leave today (not candidates).
    pub on_leave: Vec<AbsentBody>,
}

impl From<Suggestions> for SuggestionsBody {
    fn from(s: Suggestions) -> Self {
        let case_weight = s.case_weight;
        SuggestionsBody {
            unit_id: s.unit_id,
            urgency: s.urgency.code().to_owned(),
            work_model: s.work_model.code().to_owned(),
            case_weight,
            weights: s
                .weights
                .by_code()
                .into_iter()
                .map(|(code, w)| (code.to_owned(), w))
                .collect(),
            max_families: s.max_families,
            candidates: s
                .candidates
                .into_iter()
                .enumerate()
                .map(|(i, c)| CandidateBody::from(c, i == 0, case_weight))
                .collect(),
            on_leave: s.on_leave.into_iter().map(AbsentBody::from).collect(),
        }
    }
}

/// Suggests a key worker for a new case of the unit: its active case managers who are not on
/// leave, ordered by their weighted caseload (those at the maximum caseload last), the first
/// marked `suggested` unless they are at the maximum. For callers who may open cases (case
/// managers, supervisors); the unit must be in scope.
#[utoipa::path(
    tag = "assignment",
    operation_id = "get_key_worker_suggestions",
    params(("id" = String, Path, description = "Unit id"), SuggestionQuery),
    responses((status = 200, description = "Candidates, least loaded first", body = SuggestionsBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound,
        responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[get("/units/{id}/key-worker-suggestions")]
pub async fn key_worker_suggestions(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: QueryParams<SuggestionQuery>,
) -> Result<HttpResponse, ApiError> {
    let urgency = parse_code("urgency", &query.0.urgency, Urgency::parse)?;
    let work_model = parse_code("work_model", &query.0.work_model, WorkModel::parse)?;
    let store = state.store.clone();
    let suggestions =
        crate::blocking(move || store.key_worker_suggestions(&auth.0, &id, urgency, work_model))
            .await?;
    Ok(HttpResponse::Ok().json(SuggestionsBody::from(suggestions)))
}

// ---- leave -------------------------------------------------------------------------------------

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_on": "2026-12-22", "ends_on": "2027-01-09", "reason": "Annual leave"}))]
pub struct NewLeaveBody {
    /// First day of leave.
    pub starts_on: NaiveDate,
    /// Last day of leave (not before `starts_on`).
    pub ends_on: NaiveDate,
    /// Kept with the record; read by admins, supervisors and the member. Name the kind of leave,
    /// not health details.
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// A period of leave (both days included).
#[derive(Debug, Serialize, ToSchema)]
pub struct LeaveBody {
    pub id: String,
    pub staff_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[schema(example = "Annual leave")]
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

impl From<LeaveRow> for LeaveBody {
    fn from(l: LeaveRow) -> Self {
        LeaveBody {
            id: l.id,
            staff_id: l.staff_id,
            starts_on: l.starts_on,
            ends_on: l.ends_on,
            reason: l.reason,
            recorded_by: l.recorded_by,
            recorded_at: utc(l.recorded_at),
        }
    }
}

/// Records a member's leave (admins and supervisors, for staff in their units). While on leave a
/// member gets no key-worker suggestion and no transferred case. 409 when it overlaps a leave on
/// record.
#[utoipa::path(
    tag = "assignment",
    operation_id = "record_staff_leave",
    params(("id" = String, Path, description = "Staff member id")),
    request_body = NewLeaveBody,
    responses((status = 201, description = "Recorded", body = LeaveBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/staff/{id}/leave")]
pub async fn record_leave(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<NewLeaveBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let new = NewLeave {
        starts_on: body.starts_on,
        ends_on: body.ends_on,
        reason: body.reason,
    };
    let store = state.store.clone();
    let row = crate::blocking(move || store.record_leave(&auth.0, &id, new))
        .await
        .map_err(|e| refused(e, "only admins and supervisors record leave"))?;
    Ok(HttpResponse::Created().json(LeaveBody::from(row)))
}

/// A member's leave, earliest first (admins, supervisors, and the member).
#[utoipa::path(
    tag = "assignment",
    operation_id = "list_staff_leave",
    params(("id" = String, Path, description = "Staff member id")),
    responses((status = 200, description = "Leave on record", body = Vec<LeaveBody>),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/staff/{id}/leave")]
pub async fn list_leave(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let rows = crate::blocking(move || store.list_leave(&auth.0, &id))
        .await
        .map_err(|e| {
            refused(
                e,
                "only admins, supervisors and the member read their leave",
            )
        })?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(LeaveBody::from).collect::<Vec<_>>()))
}

// ---- transfers ---------------------------------------------------------------------------------

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to_staff_id": "olena", "reason": "Caseload: Iryna takes over the district's emergency rota"}))]
pub struct NewTransferBody {
    /// The proposed key worker: an active case manager or supervisor in your units whose unit sees
    /// the case, not on leave.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub to_staff_id: String,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "My caseload is full until March"}))]
pub struct TransferReasonBody {
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// A request to hand a case over to another key worker, and its outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransferBody {
    pub id: String,
    pub case_id: String,
    pub unit_id: String,
    /// The key worker when the transfer was requested.
    pub from_staff_id: String,
    /// The proposed key worker.
    pub to_staff_id: String,
    #[schema(schema_with = transfer_status)]
    pub status: String,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was declined or cancelled.
    pub decision_note: Option<String>,
    /// Found when the transfer was requested or accepted (`caseload_over_maximum`: the proposed
    /// key worker would lead more families than the maximum); empty elsewhere.
    pub warnings: Vec<WarningBody>,
}

impl From<TransferOutcome> for TransferBody {
    fn from(outcome: TransferOutcome) -> Self {
        TransferBody {
            warnings: outcome
                .warnings
                .into_iter()
                .map(|w| WarningBody {
                    code: w.code,
                    detail: w.detail,
                })
                .collect(),
            ..TransferBody::from(outcome.transfer)
        }
    }
}

impl From<TransferRow> for TransferBody {
    fn from(t: TransferRow) -> Self {
        TransferBody {
            id: t.id,
            case_id: t.case_id,
            unit_id: t.unit_id,
            from_staff_id: t.from_staff_id,
            to_staff_id: t.to_staff_id,
            status: t.status,
            reason: t.reason,
            requested_by: t.requested_by,
            requested_at: utc(t.requested_at),
            decided_by: t.decided_by,
            decided_at: t.decided_at.map(utc),
            decision_note: t.decision_note,
            warnings: Vec::new(),
        }
    }
}

fn transfers(rows: Vec<TransferRow>) -> HttpResponse {
    HttpResponse::Ok().json(rows.into_iter().map(TransferBody::from).collect::<Vec<_>>())
}

/// Every transfer of the case, oldest first: requests and their outcomes.
#[utoipa::path(
    tag = "assignment",
    operation_id = "list_case_transfers",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, description = "The case's transfers", body = Vec<TransferBody>),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/cases/{id}/transfers")]
pub async fn list_transfers(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let rows = crate::blocking(move || store.list_transfers(&auth.0, &id)).await?;
    Ok(transfers(rows))
}

/// Asks another case manager or supervisor to take the case over (its key worker, or a
/// supervisor of the unit). Nothing changes on the case until they accept. One pending transfer
/// per case (409 otherwise); 409 too for a closed case; 422 naming `to_staff_id` when the proposed
/// key worker does not qualify (not a case manager or supervisor, inactive, outside your units or
/// the case's, on leave, or the key worker already). When they would lead more families than the
/// maximum caseload the request is made all the same, with a `caseload_over_maximum` warning.
#[utoipa::path(
    tag = "assignment",
    operation_id = "request_case_transfer",
    params(("id" = String, Path, description = "Case id")),
    request_body = NewTransferBody,
    responses((status = 201, description = "Pending until the proposed key worker decides", body = TransferBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/transfers")]
pub async fn request_transfer(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<NewTransferBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let new = NewTransfer {
        to_staff_id: body.to_staff_id,
        reason: body.reason,
    };
    let store = state.store.clone();
    let row = crate::blocking(move || store.request_transfer(&auth.0, &id, new))
        .await
        .map_err(|e| {
            refused(
                e,
                "only the case's key worker or a supervisor of its unit may request a transfer",
            )
        })?;
    Ok(HttpResponse::Created().json(TransferBody::from(row)))
}

const TARGET_ONLY: &str = "only the proposed key worker accepts or declines a transfer; a supervisor who must reassign the case without them changes its key worker with PATCH /api/v1/cases/{id}";

/// The proposed key worker takes the case over: only now does the case's key worker change (and
/// its version, so its `ETag`). Nobody accepts on someone else's behalf (403). 409 when the
/// transfer is no longer pending, the case is closed, its key worker changed since the request,
/// or you are on leave. Over the maximum caseload it is accepted with a `caseload_over_maximum`
/// warning.
#[utoipa::path(
    tag = "assignment",
    operation_id = "accept_case_transfer",
    params(("id" = String, Path, description = "Case id"), ("transfer_id" = String, Path, description = "Transfer id")),
    responses((status = 200, description = "Accepted; you are the case's key worker", body = TransferBody),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/transfers/{transfer_id}/acceptance")]
pub async fn accept_transfer(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, transfer_id) = path.into_inner();
    let store = state.store.clone();
    let row = crate::blocking(move || store.accept_transfer(&auth.0, &id, &transfer_id))
        .await
        .map_err(|e| refused(e, TARGET_ONLY))?;
    Ok(HttpResponse::Ok().json(TransferBody::from(row)))
}

/// The proposed key worker declines, with a reason; the key worker stays.
#[utoipa::path(
    tag = "assignment",
    operation_id = "decline_case_transfer",
    params(("id" = String, Path, description = "Case id"), ("transfer_id" = String, Path, description = "Transfer id")),
    request_body = TransferReasonBody,
    responses((status = 200, description = "Declined", body = TransferBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/transfers/{transfer_id}/decline")]
pub async fn decline_transfer(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: JsonBody<TransferReasonBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, transfer_id) = path.into_inner();
    let reason = body.0.reason;
    let store = state.store.clone();
    let row = crate::blocking(move || store.decline_transfer(&auth.0, &id, &transfer_id, reason))
        .await
        .map_err(|e| refused(e, TARGET_ONLY))?;
    Ok(HttpResponse::Ok().json(TransferBody::from(row)))
}

/// The requester, or a supervisor of the unit, withdraws a pending transfer.
#[utoipa::path(
    tag = "assignment",
    operation_id = "cancel_case_transfer",
    params(("id" = String, Path, description = "Case id"), ("transfer_id" = String, Path, description = "Transfer id")),
    request_body = TransferReasonBody,
    responses((status = 200, description = "Cancelled", body = TransferBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/transfers/{transfer_id}/cancellation")]
pub async fn cancel_transfer(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: JsonBody<TransferReasonBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, transfer_id) = path.into_inner();
    let reason = body.0.reason;
    let store = state.store.clone();
    let row = crate::blocking(move || store.cancel_transfer(&auth.0, &id, &transfer_id, reason))
        .await
        .map_err(|e| {
            refused(
                e,
                "only the requester or a supervisor of the case's unit may cancel a transfer",
            )
        })?;
    Ok(HttpResponse::Ok().json(TransferBody::from(row)))
}

/// The pending transfers addressed to you, oldest first: the cases you are asked to take over
/// (restricted ones included, which you see in full once you accept).
#[utoipa::path(
    tag = "assignment",
    operation_id = "list_incoming_transfers",
    responses((status = 200, description = "Pending transfers to you", body = Vec<TransferBody>),
        responses::Unauthorized, responses::Forbidden, responses::Internal),
    security(("bearer" = []))
)]
#[get("/transfers")]
pub async fn incoming_transfers(
    auth: Authenticated,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let rows = crate::blocking(move || store.incoming_transfers(&auth.0)).await?;
    Ok(transfers(rows))
}
