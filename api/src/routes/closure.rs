//! Closure (seed 000's standardised closing procedure): the closure report of a case, written as
//! a draft with ETag / If-Match while the case is active and frozen once it is closed; and the
//! unilateral endings of agreements (seed 003): by the client, or by the service refusing further
//! help for a stated reason.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use opora_domain::casework::agreement::{EndedBy, ServiceRefusalReason};
use opora_domain::closure::{InformedHow, NotInformedReason, OpinionSource};
use opora_domain::{ClosureReason, GoalOutcome};
use opora_persistence::closure::{
    ClosureReport, ClosureReportInput, ClosureReportSaved, FamilyInformed, GoalEvaluation,
    NewTermination, Opinion, TerminationRow,
};
use opora_persistence::models::AgreementRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::{Validate, ValidationError};

use crate::auth::Authenticated;
use crate::dto::{code_schema, codes, one_of, parse_code, parse_opt, utc};
use crate::etag::{etag, if_match};
use crate::json::JsonBody;
use crate::problem::{responses, ApiError};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_closure_report)
        .service(put_closure_report)
        .service(terminate_agreement);
}

// ---- code lists of this module -----------------------------------------------------------------

fn opinion_source() -> utoipa::openapi::schema::Object {
    code_schema(
        OpinionSource::ALL.iter().map(|c| c.code()),
        "Whose opinion: a specialist (by staff id), the family, or an independent expert.",
    )
}

fn informed_how() -> utoipa::openapi::schema::Object {
    code_schema(
        InformedHow::ALL.iter().map(|c| c.code()),
        "How the family was told why the case ends (`letter` and `written_notice` are in writing, \
         which closing for non-compliance needs 15 days before, art. 24(5)).",
    )
}

fn not_informed_reason() -> utoipa::openapi::schema::Object {
    crate::dto::or_null(code_schema(
        NotInformedReason::ALL.iter().map(|c| c.code()),
        "Why the family could not be told that the case ends (instead of `family_informed`).",
    ))
}

fn ended_by() -> utoipa::openapi::schema::Object {
    code_schema(
        EndedBy::ALL.iter().map(|c| c.code()),
        "Who ended the agreement: the client unilaterally, or the service refusing further help.",
    )
}

fn refusal_reason() -> utoipa::openapi::schema::Object {
    crate::dto::or_null(code_schema(
        ServiceRefusalReason::ALL.iter().map(|c| c.code()),
        "Why the service refused further help (required when `ended_by` is `service`).",
    ))
}

fn valid_opinion_source(value: &str) -> Result<(), ValidationError> {
    one_of(OpinionSource::ALL.iter().map(|c| c.code()), value)
}

fn valid_informed_how(value: &str) -> Result<(), ValidationError> {
    one_of(InformedHow::ALL.iter().map(|c| c.code()), value)
}

fn valid_not_informed_reason(value: &str) -> Result<(), ValidationError> {
    one_of(NotInformedReason::ALL.iter().map(|c| c.code()), value)
}

fn valid_ended_by(value: &str) -> Result<(), ValidationError> {
    one_of(EndedBy::ALL.iter().map(|c| c.code()), value)
}

fn valid_refusal_reason(value: &str) -> Result<(), ValidationError> {
    one_of(ServiceRefusalReason::ALL.iter().map(|c| c.code()), value)
}

// ---- closure report ----------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalEvaluationInput {
    /// A goal of the case's active plan.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub goal_id: String,
    #[schema(schema_with = codes::goal_outcome)]
    #[validate(custom(function = "crate::dto::codes::valid::goal_outcome"))]
    pub outcome: String,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpinionInput {
    #[schema(schema_with = opinion_source)]
    #[validate(custom(function = "valid_opinion_source"))]
    pub source: String,
    /// The specialist's staff id (required for `specialist`, not given otherwise).
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub staff_id: Option<String>,
    /// Who gave it (required for `independent_expert`; e.g. "mother" for the family).
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub author: Option<String>,
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SatisfactionInput {
    /// 1 (not at all satisfied) to 5 (fully satisfied).
    #[validate(range(min = 1, max = 5))]
    #[schema(minimum = 1, maximum = 5)]
    pub score: i32,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyInformedInput {
    /// When the family was told (not in the future).
    pub on: NaiveDate,
    #[schema(schema_with = informed_how)]
    #[validate(custom(function = "valid_informed_how"))]
    pub how: String,
    /// Who told them.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200, example = "olena")]
    pub by: String,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "closure_reason": "goals_achieved",
    "goal_evaluations": [{"goal_id": "0193a0f2-7c1e-7d40-9a51-3c7e2b1d4f00", "outcome": "achieved", "comment": "Night care in place since January"}],
    "opinions": [
        {"source": "specialist", "staff_id": "olena", "text": "The mother copes well; no risk remains."},
        {"source": "family", "author": "Oksana Shevchenko (mother)", "text": "We manage on our own now."},
        {"source": "independent_expert", "author": "School psychologist", "text": "Daryna is settled at school."}
    ],
    "satisfaction": {"score": 5, "comment": "Helpful and respectful"},
    "recommendations": "Keep in touch with the school psychologist for a year.",
    "family_informed": {"on": "2026-11-20", "how": "in_person", "by": "olena"}
}))]
pub struct ClosureReportPutBody {
    /// The reason the case is to close with.
    #[schema(schema_with = codes::closure_reason)]
    #[validate(custom(function = "crate::dto::codes::valid::closure_reason"))]
    pub closure_reason: String,
    /// A final evaluation per goal of the active plan; all of them make the report count as the
    /// final evaluation closing with `goals_achieved` needs.
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    #[serde(default)]
    pub goal_evaluations: Vec<GoalEvaluationInput>,
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    #[serde(default)]
    pub opinions: Vec<OpinionInput>,
    #[validate(nested)]
    pub satisfaction: Option<SatisfactionInput>,
    /// The team's recommendations.
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub recommendations: Option<String>,
    /// When and how the family was told why the case ends. Every closure needs this or
    /// `family_not_informed_reason` (seed 000: the family knows when and why the case ends).
    #[validate(nested)]
    pub family_informed: Option<FamilyInformedInput>,
    /// Why the family could not be told (death, moved away, no contact).
    #[schema(schema_with = not_informed_reason)]
    #[validate(custom(function = "valid_not_informed_reason"))]
    pub family_not_informed_reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SatisfactionBody {
    pub score: i32,
    pub comment: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClosureReportBody {
    pub id: String,
    pub case_id: String,
    pub cycle: i32,
    /// `draft` while the case is active; `final` once it is closed (the report it closed with).
    #[schema(example = "draft")]
    pub status: String,
    #[schema(schema_with = codes::closure_reason)]
    pub closure_reason: String,
    pub goal_evaluations: Vec<GoalEvaluationInput>,
    /// Goals of the active plan not evaluated yet.
    pub goals_not_evaluated: Vec<String>,
    /// Every goal of the active plan is evaluated: the report counts as the final evaluation.
    pub counts_as_final_evaluation: bool,
    pub opinions: Vec<OpinionInput>,
    pub satisfaction: Option<SatisfactionBody>,
    pub recommendations: Option<String>,
    pub family_informed: Option<FamilyInformedInput>,
    #[schema(schema_with = not_informed_reason)]
    pub family_not_informed_reason: Option<String>,
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

impl From<ClosureReport> for ClosureReportBody {
    fn from(r: ClosureReport) -> Self {
        let row = r.report;
        let family_informed = match (row.informed_on, row.informed_how, row.informed_by) {
            (Some(on), Some(how), Some(by)) => Some(FamilyInformedInput {
                on,
                how,
                by,
                note: row.informed_note,
            }),
            _ => None,
        };
        ClosureReportBody {
            id: row.id,
            case_id: row.case_id,
            cycle: row.cycle,
            status: if r.frozen { "final" } else { "draft" }.to_owned(),
            closure_reason: row.closure_reason,
            goal_evaluations: r
                .goal_evaluations
                .into_iter()
                .map(|e| GoalEvaluationInput {
                    goal_id: e.goal_id,
                    outcome: e.outcome,
                    comment: e.comment,
                })
                .collect(),
            goals_not_evaluated: r.goals_not_evaluated,
            counts_as_final_evaluation: r.complete,
            opinions: r
                .opinions
                .into_iter()
                .map(|o| OpinionInput {
                    source: o.source,
                    staff_id: o.staff_id,
                    author: o.author,
                    text: o.text,
                })
                .collect(),
            satisfaction: row.satisfaction_score.map(|score| SatisfactionBody {
                score,
                comment: row.satisfaction_comment,
            }),
            recommendations: row.recommendations,
            family_informed,
            family_not_informed_reason: row.not_informed_reason,
            version: row.version,
            created_by: row.created_by,
            created_at: utc(row.created_at),
            updated_by: row.updated_by,
            updated_at: utc(row.updated_at),
        }
    }
}

fn with_etag(mut response: actix_web::HttpResponseBuilder, report: ClosureReport) -> HttpResponse {
    response.insert_header((actix_web::http::header::ETAG, etag(report.report.version)));
    response.json(ClosureReportBody::from(report))
}

/// The closure report of the case's current cycle (404 if none is written yet). A closed case
/// answers with the report it was closed with; `ETag` names its version.
#[utoipa::path(
    tag = "closure",
    operation_id = "get_closure_report",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, description = "The closure report", body = ClosureReportBody, headers(("ETag" = String))),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/cases/{id}/closure-report")]
pub async fn get_closure_report(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let report = crate::blocking(move || store.get_closure_report(&auth.0, &id)).await?;
    Ok(with_etag(HttpResponse::Ok(), report))
}

/// Writes the closure report of the current cycle (the whole report each time). The first write
/// needs no `If-Match`; a change of an existing report does: 428 without it, 412 when stale.
/// Frozen once the case is closed (409).
#[utoipa::path(
    tag = "closure",
    operation_id = "put_closure_report",
    params(
        ("id" = String, Path, description = "Case id"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the report the change is based on (required once a report exists)")
    ),
    request_body = ClosureReportPutBody,
    responses(
        (status = 200, description = "Updated; `ETag` names the new version", body = ClosureReportBody, headers(("ETag" = String))),
        (status = 201, description = "Created; `ETag` names its version", body = ClosureReportBody, headers(("ETag" = String))),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::PreconditionFailed, responses::UnsupportedMediaType, responses::Unprocessable,
        responses::PreconditionRequired, responses::Internal),
    security(("bearer" = []))
)]
#[put("/cases/{id}/closure-report")]
pub async fn put_closure_report(
    auth: Authenticated,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<ClosureReportPutBody>,
) -> Result<HttpResponse, ApiError> {
    let expected = match if_match(&req) {
        Ok(version) => Some(version),
        Err(ApiError::PreconditionRequired) => None,
        Err(e) => return Err(e),
    };
    let body = body.0;
    let input = ClosureReportInput {
        closure_reason: parse_code("closure_reason", &body.closure_reason, ClosureReason::parse)?,
        goal_evaluations: body
            .goal_evaluations
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                Ok(GoalEvaluation {
                    outcome: parse_code(
                        &format!("goal_evaluations[{i}].outcome"),
                        &e.outcome,
                        GoalOutcome::parse,
                    )?,
                    goal_id: e.goal_id,
                    comment: e.comment,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        opinions: body
            .opinions
            .into_iter()
            .enumerate()
            .map(|(i, o)| {
                Ok(Opinion {
                    source: parse_code(
                        &format!("opinions[{i}].source"),
                        &o.source,
                        OpinionSource::parse,
                    )?,
                    staff_id: o.staff_id,
                    author: o.author,
                    text: o.text,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        satisfaction_score: body.satisfaction.as_ref().map(|s| s.score),
        satisfaction_comment: body.satisfaction.and_then(|s| s.comment),
        recommendations: body.recommendations,
        family_informed: body
            .family_informed
            .map(|f| {
                Ok::<_, ApiError>(FamilyInformed {
                    on: f.on,
                    how: parse_code("family_informed.how", &f.how, InformedHow::parse)?,
                    by: f.by,
                    note: f.note,
                })
            })
            .transpose()?,
        family_not_informed: body
            .family_not_informed_reason
            .as_deref()
            .and_then(NotInformedReason::parse),
    };
    let store = state.store.clone();
    let saved =
        crate::blocking(move || store.put_closure_report(&auth.0, &id, expected, input)).await?;
    match saved {
        ClosureReportSaved::Created(report) => Ok(with_etag(HttpResponse::Created(), report)),
        ClosureReportSaved::Updated(report) => Ok(with_etag(HttpResponse::Ok(), report)),
        ClosureReportSaved::VersionRequired => Err(ApiError::PreconditionRequired),
    }
}

// ---- unilateral endings of agreements ------------------------------------------------------------

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "ended_by": "service",
    "reason_code": "breach_of_agreement",
    "reason": "Missed every appointment for two months despite three written reminders.",
    "terminated_on": "2026-11-20"
}))]
pub struct TerminationInput {
    #[schema(schema_with = ended_by)]
    #[validate(custom(function = "valid_ended_by"))]
    pub ended_by: String,
    /// Required when the service refuses further help; not given when the client ends it.
    #[schema(schema_with = refusal_reason)]
    #[validate(custom(function = "valid_refusal_reason"))]
    pub reason_code: Option<String>,
    /// Why, in words: optional for the client, required for the service's `other`.
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
    /// When the agreement ended (not before it was signed, not in the future).
    pub terminated_on: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TerminationBody {
    pub id: String,
    pub agreement_id: String,
    pub case_id: String,
    /// The agreement's kind.
    #[schema(schema_with = codes::agreement_kind)]
    pub agreement_kind: String,
    #[schema(schema_with = ended_by)]
    pub ended_by: String,
    #[schema(schema_with = refusal_reason)]
    pub reason_code: Option<String>,
    pub reason: Option<String>,
    pub terminated_on: NaiveDate,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl TerminationBody {
    fn new(t: TerminationRow, agreement: AgreementRow) -> Self {
        TerminationBody {
            id: t.id,
            agreement_id: t.agreement_id,
            case_id: t.case_id,
            agreement_kind: agreement.kind,
            ended_by: t.ended_by,
            reason_code: t.reason_code,
            reason: t.reason,
            terminated_on: t.terminated_on,
            created_by: t.created_by,
            created_at: utc(t.created_at),
        }
    }
}

/// Records that an agreement ended unilaterally: by the client (reason optional) or by the
/// service refusing further help (`reason_code` required; `other` needs `reason`). The agreement
/// stops counting for the guards (e.g. `service_agreement_signed`). When the client ends the
/// service agreement (or the 12-stage concluded contract), the key worker's work queue shows
/// `closure_or_renegotiation_due` until the case closes or a new one is in force. 409 if it
/// already ended or the case is not active.
#[utoipa::path(
    tag = "closure",
    operation_id = "terminate_agreement",
    params(("id" = String, Path, description = "Case id"), ("agreement_id" = String, Path, description = "Agreement id")),
    request_body = TerminationInput,
    responses((status = 201, description = "Recorded", body = TerminationBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/agreements/{agreement_id}/termination")]
pub async fn terminate_agreement(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: JsonBody<TerminationInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, agreement_id) = path.into_inner();
    let body = body.0;
    let new = NewTermination {
        ended_by: parse_code("ended_by", &body.ended_by, EndedBy::parse)?,
        reason_code: parse_opt(
            "reason_code",
            body.reason_code.as_deref(),
            ServiceRefusalReason::parse,
        )?,
        reason: body.reason,
        terminated_on: body.terminated_on,
    };
    let store = state.store.clone();
    let (row, agreement) =
        crate::blocking(move || store.terminate_agreement(&auth.0, &id, &agreement_id, new))
            .await?;
    Ok(HttpResponse::Created().json(TerminationBody::new(row, agreement)))
}
