//! The records of a case the guards judge: assessments (by life domain, with the child's own
//! view; drafts edited with If-Match), plan versions with the client's agreement (goals and
//! actions with stable ids, their execution kept apart, specialists' agreement, supervisor
//! approval), agreements and evaluations.

use actix_web::http::header::ETAG;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use opora_domain::casework::agreement::Signatures;
use opora_domain::{
    AgreementForm, AgreementKind, AgreementMethod, AssessmentKind, EvaluationKind, GoalOutcome,
};
use opora_persistence::casework::{
    ActionExecution, AssessmentChanges, ChildView, DomainEntry, GoalProgress, NewAction,
    NewAgreement, NewAssessment, NewEvaluation, NewGoal, NewPlan, PlanAgreement, PlanApproval,
    SpecialistAgreement,
};
use opora_persistence::models::{AgreementRow, Assessment, EvaluationRow, Plan};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::Authenticated;
use crate::dto::{codes, parse_code, parse_opt, utc};
use crate::etag::{etag, if_match};
use crate::json::JsonBody;
use crate::problem::{responses, ApiError};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_assessment)
        .service(list_assessments)
        .service(get_assessment)
        .service(update_assessment)
        .service(complete_assessment)
        .service(create_plan)
        .service(list_plans)
        .service(agree_plan)
        .service(agree_as_specialist)
        .service(approve_plan)
        .service(record_action_execution)
        .service(record_goal_progress)
        .service(get_plan_execution)
        .service(create_agreement)
        .service(list_agreements)
        .service(create_evaluation)
        .service(list_evaluations);
}

// ---- code lists of this module -----------------------------------------------------------------

/// Schemas and `validator` rules of the code lists casework adds.
pub mod lists {
    use opora_domain::casework::assessment::NeedLevel;
    use opora_domain::casework::execution::ExecutionStatus;
    use opora_domain::casework::plan::{ApprovalDecision, ResponsibleKind};
    use utoipa::openapi::schema::Object;
    use validator::ValidationError;

    use crate::dto::{code_schema, one_of, or_null};

    /// A life domain: a code of the extensible `life_domains` classifier.
    pub fn life_domain() -> Object {
        crate::dto::codes::life_domain()
    }
    pub fn need_level() -> Object {
        code_schema(
            NeedLevel::ALL.iter().map(|c| c.code()),
            "How great the need in a life domain is.",
        )
    }
    pub fn execution_status() -> Object {
        code_schema(
            ExecutionStatus::ALL.iter().map(|c| c.code()),
            "Where an action or goal stands: planned, in progress, done or dropped.",
        )
    }
    pub fn responsible_kind() -> Object {
        or_null(code_schema(
            ResponsibleKind::ALL.iter().map(|c| c.code()),
            "Who carries out an action: a worker, a family member or a partner organisation.",
        ))
    }
    pub fn approval_decision() -> Object {
        code_schema(
            ApprovalDecision::ALL.iter().map(|c| c.code()),
            "A supervisor's decision: approved, or a comment only.",
        )
    }

    /// Well formed; the store checks the classifier has it, active.
    pub fn valid_life_domain(value: &str) -> Result<(), ValidationError> {
        crate::dto::codes::classifier_code(value)
    }
    pub fn valid_need_level(value: &str) -> Result<(), ValidationError> {
        one_of(NeedLevel::ALL.iter().map(|c| c.code()), value)
    }
    pub fn valid_execution_status(value: &str) -> Result<(), ValidationError> {
        one_of(ExecutionStatus::ALL.iter().map(|c| c.code()), value)
    }
    pub fn valid_responsible_kind(value: &str) -> Result<(), ValidationError> {
        one_of(ResponsibleKind::ALL.iter().map(|c| c.code()), value)
    }
    pub fn valid_approval_decision(value: &str) -> Result<(), ValidationError> {
        one_of(ApprovalDecision::ALL.iter().map(|c| c.code()), value)
    }
}

fn with_etag(mut response: actix_web::HttpResponseBuilder, a: Assessment) -> HttpResponse {
    response.insert_header((ETAG, etag(a.assessment.version)));
    response.json(AssessmentBody::from(a))
}

// ---- assessments -------------------------------------------------------------------------------

/// One life domain of an assessment.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainEntryBody {
    #[schema(schema_with = lists::life_domain)]
    #[validate(custom(function = "lists::valid_life_domain"))]
    pub domain: String,
    #[schema(schema_with = lists::need_level)]
    #[validate(custom(function = "lists::valid_need_level"))]
    pub need_level: String,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    #[serde(default)]
    pub strengths: String,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    #[serde(default)]
    pub risks: String,
    /// Resources the family or its network can use in this domain.
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    #[serde(default)]
    pub resources: String,
}

impl From<DomainEntryBody> for DomainEntry {
    fn from(d: DomainEntryBody) -> Self {
        DomainEntry {
            domain: d.domain,
            need_level: d.need_level,
            strengths: d.strengths,
            risks: d.risks,
            resources: d.resources,
        }
    }
}

/// The child's own view, gathered from the child (seed 000).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChildViewBody {
    #[validate(length(min = 1, max = 4000))]
    #[schema(
        min_length = 1,
        max_length = 4000,
        example = "Daryna says she is scared when mum is at work and wants grandma to come."
    )]
    pub text: String,
    /// How it was gathered (conversation, drawing, play, questionnaire, …).
    #[validate(length(min = 1, max = 200))]
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "conversation alone with the child"
    )]
    pub method: String,
    pub gathered_on: NaiveDate,
}

impl From<ChildViewBody> for ChildView {
    fn from(c: ChildViewBody) -> Self {
        ChildView {
            text: c.text,
            method: c.method,
            gathered_on: c.gathered_on,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "initial",
    "summary": "Mother works night shifts; the children (9 and 6) are alone at night.",
    "needs": "Child care at night; stable income.",
    "strengths": "Mother is motivated; grandmother lives nearby.",
    "risks": "Children unsupervised at night.",
    "domains": [{"domain": "child_safety", "need_level": "high", "risks": "Alone at night", "strengths": "Know the neighbours", "resources": "Grandmother nearby"}],
    "conclusions": ["Children alone at night"],
    "recommendations": "Arrange night care.",
    "child_view": {"text": "Daryna wants grandma to come at night.", "method": "conversation", "gathered_on": "2026-11-20"},
    "complete": true
}))]
pub struct NewAssessmentBody {
    #[schema(schema_with = codes::assessment_kind)]
    #[validate(custom(function = "crate::dto::codes::valid::assessment_kind"))]
    pub kind: String,
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub summary: String,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    #[serde(default)]
    pub needs: String,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    #[serde(default)]
    pub strengths: String,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    #[serde(default)]
    pub risks: String,
    /// Complete at once; a completed assessment is immutable.
    #[serde(default)]
    pub complete: bool,
    /// One entry per life domain assessed.
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    #[serde(default)]
    pub domains: Vec<DomainEntryBody>,
    /// Problems to work on.
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    #[serde(default)]
    pub conclusions: Vec<String>,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    #[serde(default)]
    pub recommendations: String,
    #[validate(nested)]
    pub child_view: Option<ChildViewBody>,
    /// A re-assessment may name the completed assessment it corrects.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub corrects: Option<String>,
}

/// Changes to a draft assessment; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "domains": [{"domain": "housing", "need_level": "moderate", "risks": "Damp flat"}],
    "conclusions": ["Children alone at night", "Damp flat"],
    "child_view": {"text": "Mykola likes his school.", "method": "drawing", "gathered_on": "2026-11-21"}
}))]
pub struct AssessmentPatchBody {
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub summary: Option<String>,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub needs: Option<String>,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub strengths: Option<String>,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub risks: Option<String>,
    /// Replaces every domain entry.
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    pub domains: Option<Vec<DomainEntryBody>>,
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    pub conclusions: Option<Vec<String>>,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub recommendations: Option<String>,
    #[validate(nested)]
    pub child_view: Option<ChildViewBody>,
    /// Complete it with these changes (it is then immutable).
    #[serde(default)]
    pub complete: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DomainEntryView {
    #[schema(schema_with = lists::life_domain)]
    pub domain: String,
    #[schema(schema_with = lists::need_level)]
    pub need_level: String,
    pub strengths: String,
    pub risks: String,
    pub resources: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentBody {
    pub id: String,
    pub case_id: String,
    pub cycle: i32,
    #[schema(schema_with = codes::assessment_kind)]
    pub kind: String,
    pub summary: String,
    pub needs: String,
    pub strengths: String,
    pub risks: String,
    /// `draft` or `completed`.
    #[schema(example = "completed")]
    pub status: String,
    pub completed_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// The version the `ETag` names.
    pub version: i64,
    pub domains: Vec<DomainEntryView>,
    /// Problems to work on.
    pub conclusions: Vec<String>,
    pub recommendations: String,
    pub child_view: Option<ChildViewBody>,
    /// The completed assessment this re-assessment corrects.
    pub corrects: Option<String>,
}

impl From<Assessment> for AssessmentBody {
    fn from(full: Assessment) -> Self {
        let Assessment {
            assessment: a,
            domains,
        } = full;
        let child_view = match (a.child_view, a.child_view_method, a.child_view_on) {
            (Some(text), Some(method), Some(gathered_on)) => Some(ChildViewBody {
                text,
                method,
                gathered_on,
            }),
            _ => None,
        };
        AssessmentBody {
            id: a.id,
            case_id: a.case_id,
            cycle: a.cycle,
            kind: a.kind,
            summary: a.summary,
            needs: a.needs,
            strengths: a.strengths,
            risks: a.risks,
            status: a.status,
            completed_at: a.completed_at.map(utc),
            created_by: a.created_by,
            created_at: utc(a.created_at),
            version: a.version,
            domains: domains
                .into_iter()
                .map(|d| DomainEntryView {
                    domain: d.domain,
                    need_level: d.need_level,
                    strengths: d.strengths,
                    risks: d.risks,
                    resources: d.resources,
                })
                .collect(),
            conclusions: serde_json::from_str(&a.conclusions).unwrap_or_default(),
            recommendations: a.recommendations,
            child_view,
            corrects: a.corrects,
        }
    }
}

/// Records an assessment (draft, or completed at once), with entries per life domain,
/// conclusions, recommendations and the child's own view. A re-assessment may name the
/// completed assessment it corrects (`corrects`).
#[utoipa::path(
    tag = "casework",
    operation_id = "create_assessment",
    params(("id" = String, Path, description = "Case id")),
    request_body = NewAssessmentBody,
    responses((status = 201, description = "Recorded; `ETag` names its version", body = AssessmentBody, headers(("ETag" = String))),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/assessments")]
pub async fn create_assessment(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<NewAssessmentBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    if let Some(i) = body
        .conclusions
        .iter()
        .position(|c| c.trim().is_empty() || c.len() > 1000)
    {
        return Err(ApiError::field(
            &format!("conclusions[{i}]"),
            "length",
            "a conclusion has 1 to 1000 characters",
        ));
    }
    let new = NewAssessment {
        kind: parse_code("kind", &body.kind, AssessmentKind::parse)?
            .code()
            .to_owned(),
        summary: body.summary,
        needs: body.needs,
        strengths: body.strengths,
        risks: body.risks,
        complete: body.complete,
        domains: body.domains.into_iter().map(DomainEntry::from).collect(),
        conclusions: body.conclusions,
        recommendations: body.recommendations,
        child_view: body.child_view.map(ChildView::from),
        corrects: body.corrects,
    };
    let store = state.store.clone();
    let row = crate::blocking(move || store.record_assessment(&auth.0, &id, new)).await?;
    Ok(with_etag(HttpResponse::Created(), row))
}

/// The case's assessments, oldest first.
#[utoipa::path(
    tag = "casework",
    operation_id = "list_assessments",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, description = "Assessments", body = Vec<AssessmentBody>),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/cases/{id}/assessments")]
pub async fn list_assessments(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let rows = crate::blocking(move || store.list_assessments(&auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(AssessmentBody::from)
            .collect::<Vec<_>>(),
    ))
}

/// One assessment; `ETag` names its version (send it back in `If-Match` to edit a draft).
#[utoipa::path(
    tag = "casework",
    operation_id = "get_assessment",
    params(("id" = String, Path, description = "Case id"), ("assessment_id" = String, Path, description = "Assessment id")),
    responses((status = 200, description = "The assessment", body = AssessmentBody, headers(("ETag" = String))),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/cases/{id}/assessments/{assessment_id}")]
pub async fn get_assessment(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, assessment_id) = path.into_inner();
    let store = state.store.clone();
    let a = crate::blocking(move || store.get_assessment(&auth.0, &id, &assessment_id)).await?;
    Ok(with_etag(HttpResponse::Ok(), a))
}

/// Edits a draft assessment. Needs `If-Match`: 428 without it, 412 when stale. A completed
/// assessment is immutable (409): record corrections in a re-assessment.
#[utoipa::path(
    tag = "casework",
    operation_id = "update_assessment",
    params(
        ("id" = String, Path, description = "Case id"),
        ("assessment_id" = String, Path, description = "Assessment id"),
        ("If-Match" = String, Header, description = "The ETag of the version the change is based on")
    ),
    request_body = AssessmentPatchBody,
    responses((status = 200, description = "Updated; `ETag` names the new version", body = AssessmentBody, headers(("ETag" = String))),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::PreconditionFailed, responses::UnsupportedMediaType, responses::Unprocessable,
        responses::PreconditionRequired, responses::Internal),
    security(("bearer" = []))
)]
#[patch("/cases/{id}/assessments/{assessment_id}")]
pub async fn update_assessment(
    auth: Authenticated,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: JsonBody<AssessmentPatchBody>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let (id, assessment_id) = path.into_inner();
    let body = body.0;
    if let Some(i) = body
        .conclusions
        .iter()
        .flatten()
        .position(|c| c.trim().is_empty() || c.len() > 1000)
    {
        return Err(ApiError::field(
            &format!("conclusions[{i}]"),
            "length",
            "a conclusion has 1 to 1000 characters",
        ));
    }
    let changes = AssessmentChanges {
        summary: body.summary,
        needs: body.needs,
        strengths: body.strengths,
        risks: body.risks,
        domains: body
            .domains
            .map(|d| d.into_iter().map(DomainEntry::from).collect()),
        conclusions: body.conclusions,
        recommendations: body.recommendations,
        child_view: body.child_view.map(ChildView::from),
        complete: body.complete,
    };
    let store = state.store.clone();
    let a = crate::blocking(move || {
        store.update_assessment(&auth.0, &id, &assessment_id, expected, changes)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), a))
}

/// Completes a draft assessment (409 if already completed: corrections go into a new one).
#[utoipa::path(
    tag = "casework",
    operation_id = "complete_assessment",
    params(("id" = String, Path, description = "Case id"), ("assessment_id" = String, Path, description = "Assessment id")),
    responses((status = 200, description = "Completed", body = AssessmentBody, headers(("ETag" = String))),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/assessments/{assessment_id}/completion")]
pub async fn complete_assessment(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, assessment_id) = path.into_inner();
    let store = state.store.clone();
    let row =
        crate::blocking(move || store.complete_assessment(&auth.0, &id, &assessment_id)).await?;
    Ok(with_etag(HttpResponse::Ok(), row))
}

// ---- plans -------------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalInput {
    /// The stable id of a goal of an earlier version to carry over (its wording may change);
    /// absent for a new goal.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub id: Option<String>,
    #[validate(length(min = 1, max = 1000))]
    #[schema(
        min_length = 1,
        max_length = 1000,
        example = "The children are never alone at night"
    )]
    pub description: String,
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    #[serde(default)]
    pub expected_result: String,
    pub deadline: Option<NaiveDate>,
    /// `short` or `long` term.
    #[schema(example = "short")]
    pub term: Option<String>,
    /// `1` (highest) to `5`, or `low`, `medium`, `high`.
    #[schema(example = "high")]
    pub priority: Option<String>,
}

/// A service planned in a plan version.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceInput {
    /// The service, e.g. "social support of the family".
    #[validate(length(min = 1, max = 200))]
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Social support of the family"
    )]
    pub service: String,
    /// `worker` or `partner_organisation`.
    #[schema(example = "partner_organisation")]
    pub provider_kind: Option<String>,
    /// The worker (staff id or name) or the partner organisation's name.
    #[validate(length(min = 1, max = 200))]
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Centre for Families, Odesa"
    )]
    pub provider: String,
    /// How often (free text).
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200, example = "weekly")]
    pub frequency: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    /// The stable id of an action of an earlier version to carry over (its wording may
    /// change; its execution state stays); absent for a new action.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub id: Option<String>,
    /// Index (from 0) of the goal in `goals` this action serves.
    #[validate(range(max = 49))]
    #[schema(maximum = 49)]
    pub goal: Option<usize>,
    /// Or the stable id of a goal of this version.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub goal_id: Option<String>,
    #[validate(length(min = 1, max = 1000))]
    #[schema(
        min_length = 1,
        max_length = 1000,
        example = "Arrange a place in the night-care group"
    )]
    pub description: String,
    /// Who carries it out, in words.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200, example = "key worker")]
    pub responsible: String,
    pub due_on: Option<NaiveDate>,
    /// Whether a worker, a family member or a partner organisation carries it out.
    #[schema(schema_with = lists::responsible_kind)]
    #[validate(custom(function = "lists::valid_responsible_kind"))]
    pub responsible_kind: Option<String>,
    /// The responsible's staff id, name or organisation.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub responsible_ref: Option<String>,
    /// How often (free text, e.g. "twice a week").
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200, example = "twice a week")]
    pub frequency: Option<String>,
    /// Staff ids of the specialists taking part; each records their agreement.
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    #[serde(default)]
    pub specialists: Vec<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "period_start": "2026-12-01",
    "period_end": "2027-02-28",
    "next_review_on": "2027-01-15",
    "goals": [{"description": "The children are never alone at night", "expected_result": "Night care arranged", "deadline": "2027-01-31"}],
    "actions": [{"goal": 0, "description": "Arrange a place in the night-care group", "responsible": "key worker", "due_on": "2026-12-20",
                 "responsible_kind": "worker", "responsible_ref": "demo-case-manager", "frequency": "once", "specialists": ["demo-specialist"]}]
}))]
pub struct NewPlanBody {
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub next_review_on: NaiveDate,
    #[validate(length(min = 1, max = 50), nested)]
    #[schema(min_items = 1, max_items = 50)]
    pub goals: Vec<GoalInput>,
    #[validate(length(max = 200), nested)]
    #[schema(max_items = 200)]
    #[serde(default)]
    pub actions: Vec<ActionInput>,
    /// The services planned (service, provider, frequency).
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    #[serde(default)]
    pub services: Vec<ServiceInput>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GoalBody {
    /// Stable across plan versions.
    pub id: String,
    pub description: String,
    pub expected_result: String,
    pub deadline: Option<NaiveDate>,
    /// `short` or `long`.
    pub term: Option<String>,
    /// `1`–`5` or `low`, `medium`, `high`.
    pub priority: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceBody {
    pub service: String,
    /// `worker` or `partner_organisation`.
    pub provider_kind: Option<String>,
    pub provider: String,
    pub frequency: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SpecialistAgreementView {
    pub staff_id: String,
    pub agreed: bool,
    pub comment: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionBody {
    /// Stable across plan versions.
    pub id: String,
    /// The stable id of the goal it serves.
    pub goal_id: Option<String>,
    pub description: String,
    pub responsible: String,
    pub due_on: Option<NaiveDate>,
    #[schema(schema_with = lists::responsible_kind)]
    pub responsible_kind: Option<String>,
    pub responsible_ref: Option<String>,
    pub frequency: Option<String>,
    /// The specialists named as taking part.
    pub specialists: Vec<String>,
    /// The agreements recorded by specialists for this version.
    pub specialist_agreements: Vec<SpecialistAgreementView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalBody {
    pub id: String,
    #[schema(schema_with = lists::approval_decision)]
    pub decision: String,
    pub comment: Option<String>,
    pub supervisor_id: String,
    pub recorded_at: DateTime<Utc>,
}

/// A warning about the change just made (a plan version drafted: `family_overload`; a key
/// worker assigned: `caseload_over_maximum`); it does not stop the change.
#[derive(Debug, Serialize, ToSchema)]
pub struct WarningBody {
    #[schema(example = "family_overload")]
    pub code: String,
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanBody {
    pub id: String,
    pub case_id: String,
    pub cycle: i32,
    /// 1, 2, … per case.
    pub version: i32,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub next_review_on: NaiveDate,
    /// `draft`, `active` (agreed by the client) or `superseded`.
    #[schema(example = "active")]
    pub status: String,
    pub agreed_on: Option<NaiveDate>,
    pub agreed_by: Option<String>,
    #[schema(schema_with = codes::agreement_method::nullable)]
    pub agreement_method: Option<String>,
    pub goals: Vec<GoalBody>,
    pub actions: Vec<ActionBody>,
    /// Supervisors' approvals of, or comments on, this version.
    pub approvals: Vec<ApprovalBody>,
    /// Found when the version was drafted (e.g. `family_overload`); empty elsewhere.
    pub warnings: Vec<WarningBody>,
    /// The services planned in this version.
    pub services: Vec<ServiceBody>,
    /// The `plan_agreement` record (in the case's agreements) once the version is agreed.
    pub agreement_id: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<Plan> for PlanBody {
    fn from(p: Plan) -> Self {
        let Plan {
            plan,
            goals,
            actions,
            specialist_agreements,
            approvals,
            warnings,
            services,
            agreement_id,
        } = p;
        let goal_key: std::collections::HashMap<String, String> = goals
            .iter()
            .map(|g| (g.id.clone(), g.key().to_owned()))
            .collect();
        PlanBody {
            id: plan.id,
            case_id: plan.case_id,
            cycle: plan.cycle,
            version: plan.version_no,
            period_start: plan.period_start,
            period_end: plan.period_end,
            next_review_on: plan.next_review_on,
            status: plan.status,
            agreed_on: plan.agreed_on,
            agreed_by: plan.agreed_by,
            agreement_method: plan.agreement_method,
            goals: goals
                .iter()
                .map(|g| GoalBody {
                    id: g.key().to_owned(),
                    description: g.description.clone(),
                    expected_result: g.expected_result.clone(),
                    deadline: g.deadline,
                    term: g.term.clone(),
                    priority: g.priority.clone(),
                })
                .collect(),
            actions: actions
                .into_iter()
                .map(|a| ActionBody {
                    specialist_agreements: specialist_agreements
                        .iter()
                        .filter(|s| s.action_id == a.key())
                        .map(|s| SpecialistAgreementView {
                            staff_id: s.staff_id.clone(),
                            agreed: s.agreed,
                            comment: s.comment.clone(),
                            recorded_at: utc(s.recorded_at),
                        })
                        .collect(),
                    id: a.key().to_owned(),
                    goal_id: a
                        .goal_id
                        .as_ref()
                        .map(|g| goal_key.get(g).cloned().unwrap_or_else(|| g.clone())),
                    description: a.description,
                    responsible: a.responsible,
                    due_on: a.due_on,
                    responsible_kind: a.responsible_kind,
                    responsible_ref: a.responsible_ref,
                    frequency: a.frequency,
                    specialists: serde_json::from_str(&a.specialists).unwrap_or_default(),
                })
                .collect(),
            approvals: approvals
                .into_iter()
                .map(|a| ApprovalBody {
                    id: a.id,
                    decision: a.decision,
                    comment: a.comment,
                    supervisor_id: a.supervisor_id,
                    recorded_at: utc(a.recorded_at),
                })
                .collect(),
            warnings: warnings
                .into_iter()
                .map(|w| WarningBody {
                    code: w.code,
                    detail: w.detail,
                })
                .collect(),
            services: services
                .into_iter()
                .map(|s| ServiceBody {
                    service: s.service,
                    provider_kind: s.provider_kind,
                    provider: s.provider,
                    frequency: s.frequency,
                })
                .collect(),
            agreement_id,
            created_by: plan.created_by,
            created_at: utc(plan.created_at),
        }
    }
}

/// Drafts a new plan version; it becomes active when the client's agreement is recorded.
/// Goals and actions may carry over an earlier version's stable `id` (wording may change; the
/// execution state stays). When the family would carry more family-responsible actions plus
/// planned appointments a week than the configured limit (`OPORA_FAMILY_WEEKLY_LOAD`, default
/// 5), the answer carries a `family_overload` warning.
#[utoipa::path(
    tag = "casework",
    operation_id = "create_plan",
    params(("id" = String, Path, description = "Case id")),
    request_body = NewPlanBody,
    responses((status = 201, description = "Drafted (with any warnings)", body = PlanBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/plans")]
pub async fn create_plan(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<NewPlanBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    for (i, a) in body.actions.iter().enumerate() {
        if let Some(j) = a
            .specialists
            .iter()
            .position(|s| s.is_empty() || s.len() > 64)
        {
            return Err(ApiError::field(
                &format!("actions[{i}].specialists[{j}]"),
                "length",
                "a staff id has 1 to 64 characters",
            ));
        }
    }
    let new = NewPlan {
        period_start: body.period_start,
        period_end: body.period_end,
        next_review_on: body.next_review_on,
        goals: body
            .goals
            .into_iter()
            .map(|g| NewGoal {
                id: g.id,
                description: g.description,
                expected_result: g.expected_result,
                deadline: g.deadline,
                term: g.term,
                priority: g.priority,
            })
            .collect(),
        services: body
            .services
            .into_iter()
            .map(|s| opora_persistence::approvals::NewService {
                service: s.service,
                provider_kind: s.provider_kind,
                provider: s.provider,
                frequency: s.frequency,
            })
            .collect(),
        actions: body
            .actions
            .into_iter()
            .map(|a| NewAction {
                id: a.id,
                goal: a.goal,
                goal_id: a.goal_id,
                description: a.description,
                responsible: a.responsible,
                due_on: a.due_on,
                responsible_kind: a.responsible_kind,
                responsible_ref: a.responsible_ref,
                frequency: a.frequency,
                specialists: a.specialists,
            })
            .collect(),
    };
    let store = state.store.clone();
    let plan = crate::blocking(move || store.create_plan(&auth.0, &id, new)).await?;
    Ok(HttpResponse::Created().json(PlanBody::from(plan)))
}

/// Every plan version of the case, oldest first (superseded ones stay readable).
#[utoipa::path(
    tag = "casework",
    operation_id = "list_plans",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, description = "Plan versions", body = Vec<PlanBody>),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/cases/{id}/plans")]
pub async fn list_plans(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let plans = crate::blocking(move || store.list_plans(&auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(plans.into_iter().map(PlanBody::from).collect::<Vec<_>>()))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"agreed_on": "2026-11-30", "agreed_by": "Oksana Shevchenko (mother)", "method": "signed"}))]
pub struct PlanAgreementBody {
    pub agreed_on: NaiveDate,
    /// Who agreed; for a child, a person with parental responsibility.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub agreed_by: String,
    #[schema(schema_with = codes::agreement_method)]
    #[validate(custom(function = "crate::dto::codes::valid::agreement_method"))]
    pub method: String,
    /// For a child: the person with parental responsibility who signed.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200, example = "Oksana Shevchenko")]
    pub signed_for_child_by: Option<String>,
    /// Their relation to the child (e.g. `mother`, `guardian`).
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100, example = "mother")]
    pub signer_relation: Option<String>,
}

/// Records the client's agreement: the version becomes active, the previous one superseded,
/// and a `plan_agreement` record is added to the case's agreements (its id in `agreement_id`).
/// Where the case's unit requires a supervisor's approval of plans, 409 naming
/// `supervisor_plan_approval` until a supervisor approved this version.
#[utoipa::path(
    tag = "casework",
    operation_id = "agree_plan",
    params(("id" = String, Path, description = "Case id"), ("plan_id" = String, Path, description = "Plan version id")),
    request_body = PlanAgreementBody,
    responses((status = 200, description = "Agreed and active", body = PlanBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/plans/{plan_id}/agreement")]
pub async fn agree_plan(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: JsonBody<PlanAgreementBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, plan_id) = path.into_inner();
    let body = body.0;
    let agreement = PlanAgreement {
        agreed_on: body.agreed_on,
        agreed_by: body.agreed_by,
        method: parse_code("method", &body.method, AgreementMethod::parse)?
            .code()
            .to_owned(),
        signed_for_child_by: body.signed_for_child_by,
        signer_relation: body.signer_relation,
    };
    let store = state.store.clone();
    let plan = crate::blocking(move || store.agree_plan(&auth.0, &id, &plan_id, agreement)).await?;
    Ok(HttpResponse::Ok().json(PlanBody::from(plan)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"agreed": true, "comment": "I can hold the sessions on Tuesdays."}))]
pub struct SpecialistAgreementBody {
    /// The specialist agreeing; must be the caller (defaults to the caller).
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub staff_id: Option<String>,
    /// Agrees to take part as planned (false: does not).
    pub agreed: bool,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
}

/// A specialist taking part in an action records their agreement to it (seed 000). Only that
/// specialist may: another `staff_id` than the caller's, or a caller the action does not name
/// where it names its specialists, is 403.
#[utoipa::path(
    tag = "casework",
    operation_id = "agree_plan_action_as_specialist",
    params(("id" = String, Path, description = "Case id"), ("plan_id" = String, Path, description = "Plan version id"),
        ("action_id" = String, Path, description = "Stable id of the action")),
    request_body = SpecialistAgreementBody,
    responses((status = 200, description = "Recorded; the plan version", body = PlanBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/plans/{plan_id}/actions/{action_id}/specialist-agreement")]
pub async fn agree_as_specialist(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    body: JsonBody<SpecialistAgreementBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, plan_id, action_id) = path.into_inner();
    let body = body.0;
    let agreement = SpecialistAgreement {
        staff_id: body.staff_id,
        agreed: body.agreed,
        comment: body.comment,
    };
    let store = state.store.clone();
    let plan = crate::blocking(move || {
        store.agree_as_specialist(&auth.0, &id, &plan_id, &action_id, agreement)
    })
    .await?;
    Ok(HttpResponse::Ok().json(PlanBody::from(plan)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "approved", "comment": "Realistic for the family."}))]
pub struct PlanApprovalBody {
    #[schema(schema_with = lists::approval_decision)]
    #[validate(custom(function = "lists::valid_approval_decision"))]
    pub decision: String,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
}

/// A supervisor approves, or comments on, a plan version (supervisors only: 403 otherwise).
#[utoipa::path(
    tag = "casework",
    operation_id = "approve_plan",
    params(("id" = String, Path, description = "Case id"), ("plan_id" = String, Path, description = "Plan version id")),
    request_body = PlanApprovalBody,
    responses((status = 200, description = "Recorded; the plan version", body = PlanBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/plans/{plan_id}/approval")]
pub async fn approve_plan(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: JsonBody<PlanApprovalBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, plan_id) = path.into_inner();
    let body = body.0;
    let approval = PlanApproval {
        decision: body.decision,
        comment: body.comment,
    };
    let store = state.store.clone();
    let plan =
        crate::blocking(move || store.approve_plan(&auth.0, &id, &plan_id, approval)).await?;
    Ok(HttpResponse::Ok().json(PlanBody::from(plan)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "done", "done_on": "2026-12-18", "result": "Place in the night-care group from 2027-01-05."}))]
pub struct ActionExecutionBody {
    #[schema(schema_with = lists::execution_status)]
    #[validate(custom(function = "lists::valid_execution_status"))]
    pub status: String,
    /// Only for `done` (defaults to today).
    pub done_on: Option<NaiveDate>,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub result: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionExecutionState {
    #[schema(schema_with = lists::execution_status)]
    pub status: String,
    pub done_on: Option<NaiveDate>,
    pub result: Option<String>,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

/// Records the execution of an action (by its stable id); it survives new plan versions.
#[utoipa::path(
    tag = "casework",
    operation_id = "record_action_execution",
    params(("id" = String, Path, description = "Case id"), ("action_id" = String, Path, description = "Stable id of the action")),
    request_body = ActionExecutionBody,
    responses((status = 200, description = "Recorded", body = ActionExecutionState),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/plan-actions/{action_id}/execution")]
pub async fn record_action_execution(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: JsonBody<ActionExecutionBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, action_id) = path.into_inner();
    let body = body.0;
    let execution = ActionExecution {
        status: body.status,
        done_on: body.done_on,
        result: body.result,
    };
    let store = state.store.clone();
    let row =
        crate::blocking(move || store.record_action_execution(&auth.0, &id, &action_id, execution))
            .await?;
    Ok(HttpResponse::Ok().json(ActionExecutionState {
        status: row.status,
        done_on: row.done_on,
        result: row.result,
        updated_by: row.updated_by,
        updated_at: utc(row.updated_at),
    }))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "in_progress", "progress": 50, "note": "Night care three nights of five."}))]
pub struct GoalProgressBody {
    #[schema(schema_with = lists::execution_status)]
    #[validate(custom(function = "lists::valid_execution_status"))]
    pub status: String,
    /// Per cent, 0–100.
    #[validate(range(min = 0, max = 100))]
    #[schema(minimum = 0, maximum = 100)]
    pub progress: i32,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GoalProgressState {
    #[schema(schema_with = lists::execution_status)]
    pub status: String,
    pub progress: i32,
    pub note: Option<String>,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

/// Records the progress of a goal (by its stable id); it survives new plan versions.
#[utoipa::path(
    tag = "casework",
    operation_id = "record_goal_progress",
    params(("id" = String, Path, description = "Case id"), ("goal_id" = String, Path, description = "Stable id of the goal")),
    request_body = GoalProgressBody,
    responses((status = 200, description = "Recorded", body = GoalProgressState),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/plan-goals/{goal_id}/progress")]
pub async fn record_goal_progress(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: JsonBody<GoalProgressBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, goal_id) = path.into_inner();
    let body = body.0;
    let progress = GoalProgress {
        status: body.status,
        progress: body.progress,
        note: body.note,
    };
    let store = state.store.clone();
    let row = crate::blocking(move || store.record_goal_progress(&auth.0, &id, &goal_id, progress))
        .await?;
    Ok(HttpResponse::Ok().json(GoalProgressState {
        status: row.status,
        progress: row.progress,
        note: row.note,
        updated_by: row.updated_by,
        updated_at: utc(row.updated_at),
    }))
}

/// One action of the plan's execution part.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExecutionActionBody {
    /// Stable across plan versions.
    pub id: String,
    /// The wording of the newest version that names the action.
    pub description: String,
    pub plan_version: i32,
    /// The status of that version (`draft`, `active`, `superseded`).
    pub plan_status: String,
    pub responsible: String,
    #[schema(schema_with = lists::responsible_kind)]
    pub responsible_kind: Option<String>,
    pub responsible_ref: Option<String>,
    pub frequency: Option<String>,
    pub due_on: Option<NaiveDate>,
    /// `planned` until work is recorded.
    #[schema(schema_with = lists::execution_status)]
    pub status: String,
    pub done_on: Option<NaiveDate>,
    pub result: Option<String>,
}

/// One goal of the plan's execution part.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExecutionGoalBody {
    pub id: String,
    pub description: String,
    pub plan_version: i32,
    #[schema(schema_with = lists::execution_status)]
    pub status: String,
    pub progress: i32,
    pub note: Option<String>,
}

/// The execution part of a case's plan (seed 003).
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanExecutionBody {
    pub actions: Vec<ExecutionActionBody>,
    pub goals: Vec<ExecutionGoalBody>,
}

/// The execution part of the case's plan: every action (and goal) by stable id, with its latest
/// wording, responsible, due date and execution state.
#[utoipa::path(
    tag = "casework",
    operation_id = "get_plan_execution",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, description = "The execution part", body = PlanExecutionBody),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/cases/{id}/plan-execution")]
pub async fn get_plan_execution(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let view = crate::blocking(move || store.plan_execution(&auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(PlanExecutionBody {
        actions: view
            .actions
            .into_iter()
            .map(|v| {
                let (status, done_on, result) = match v.execution {
                    Some(e) => (e.status, e.done_on, e.result),
                    None => ("planned".to_owned(), None, None),
                };
                ExecutionActionBody {
                    id: v.action.key().to_owned(),
                    description: v.action.description,
                    plan_version: v.plan_version,
                    plan_status: v.plan_status,
                    responsible: v.action.responsible,
                    responsible_kind: v.action.responsible_kind,
                    responsible_ref: v.action.responsible_ref,
                    frequency: v.action.frequency,
                    due_on: v.action.due_on,
                    status,
                    done_on,
                    result,
                }
            })
            .collect(),
        goals: view
            .goals
            .into_iter()
            .map(|(g, plan_version, p)| {
                let (status, progress, note) = match p {
                    Some(p) => (p.status, p.progress, p.note),
                    None => ("planned".to_owned(), 0, None),
                };
                ExecutionGoalBody {
                    id: g.key().to_owned(),
                    description: g.description,
                    plan_version,
                    status,
                    progress,
                    note,
                }
            })
            .collect(),
    }))
}

// ---- agreements --------------------------------------------------------------------------------

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "service_agreement",
    "signed_on": "2026-11-30",
    "signed_by_client": true,
    "signed_by_service": true,
    "parties": "Oksana Shevchenko; Suvorovskyi district social-work department"
}))]
pub struct NewAgreementBody {
    #[schema(schema_with = codes::agreement_kind)]
    #[validate(custom(function = "crate::dto::codes::valid::agreement_kind"))]
    pub kind: String,
    /// `oral` or `written`. When not given: `written` if a signature is recorded, otherwise the
    /// kind's default (`oral` for a `preliminary_contract`, seed 001 stage 3; `written` for every
    /// other kind). Only a preliminary contract may be oral: any other kind is made in writing
    /// (seed 003; Civil Code of Ukraine art. 208), 422 `must_be_written`.
    #[schema(schema_with = codes::agreement_form::nullable)]
    #[validate(custom(function = "crate::dto::codes::valid::agreement_form"))]
    pub form: Option<String>,
    /// Who witnessed an oral agreement: required for one (422 `required`), refused on a written
    /// one (422 `oral_only`).
    #[validate(length(min = 1, max = 300))]
    #[schema(min_length = 1, max_length = 300)]
    pub witnessed_by: Option<String>,
    /// The day it was signed, or, for an oral agreement, agreed.
    pub signed_on: NaiveDate,
    /// A written agreement signed by the client. An oral one carries no signatures (422
    /// `oral_not_signed`): the client's consent is recorded as agreed (`agreed_by_client`).
    #[serde(default)]
    pub signed_by_client: bool,
    /// A written agreement signed for the service (not for an oral one).
    #[serde(default)]
    pub signed_by_service: bool,
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub parties: String,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
    pub valid_until: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementBody {
    pub id: String,
    pub case_id: String,
    pub cycle: i32,
    #[schema(schema_with = codes::agreement_kind)]
    pub kind: String,
    #[schema(schema_with = codes::agreement_form)]
    pub form: String,
    /// Who witnessed an oral agreement (`null` for a written one, and for an oral agreement to a
    /// plan version, whose `parties` name who agreed).
    pub witnessed_by: Option<String>,
    /// The day it was signed, or, for an oral agreement, agreed.
    pub signed_on: NaiveDate,
    /// Signed by the client (always `false` for an oral agreement).
    pub signed_by_client: bool,
    /// Signed for the service (always `false` for an oral agreement).
    pub signed_by_service: bool,
    /// The client's consent is on record: signed, or given orally before the witness. This is
    /// what the guards count (e.g. `preliminary_contract_recorded`).
    pub agreed_by_client: bool,
    pub parties: String,
    pub notes: Option<String>,
    pub valid_until: Option<NaiveDate>,
    pub terminated_on: Option<NaiveDate>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// For a `plan_agreement`: the plan version agreed.
    pub plan_id: Option<String>,
    /// How it was agreed (`signed`, `oral`, `electronic`), for a `plan_agreement`.
    pub method: Option<String>,
    /// For a child: the person with parental responsibility who signed.
    pub signed_for_child_by: Option<String>,
    /// Their relation to the child.
    pub signer_relation: Option<String>,
}

impl From<AgreementRow> for AgreementBody {
    fn from(a: AgreementRow) -> Self {
        let form = AgreementForm::parse(&a.form).unwrap_or(AgreementForm::Written);
        let signatures = Signatures::shown(form, a.signed_by_client, a.signed_by_service);
        AgreementBody {
            id: a.id,
            case_id: a.case_id,
            cycle: a.cycle,
            kind: a.kind,
            form: a.form,
            witnessed_by: a.witnessed_by,
            signed_on: a.signed_on,
            signed_by_client: signatures.signed_by_client,
            signed_by_service: signatures.signed_by_service,
            agreed_by_client: signatures.agreed_by_client,
            parties: a.parties,
            notes: a.notes,
            valid_until: a.valid_until,
            terminated_on: a.terminated_on,
            created_by: a.created_by,
            created_at: utc(a.created_at),
            plan_id: a.plan_id,
            method: a.method,
            signed_for_child_by: a.signed_for_child_by,
            signer_relation: a.signer_relation,
        }
    }
}

/// Records an agreement: service agreement, informed consent, preliminary or concluded
/// contract, termination, programme inclusion. Each has a form: seed 001's preliminary contract
/// is oral by default (agreed before a witness, `witnessed_by`, no signatures; it satisfies the
/// 12-stage 3 → 4 guard as agreed by the client); every other kind is written and signed. An
/// invalid combination is 422 naming the field (`form`, `witnessed_by`, `signed_by_client`,
/// `signed_by_service`).
#[utoipa::path(
    tag = "casework",
    operation_id = "create_agreement",
    params(("id" = String, Path, description = "Case id")),
    request_body = NewAgreementBody,
    responses((status = 201, description = "Recorded", body = AgreementBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/agreements")]
pub async fn create_agreement(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<NewAgreementBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    if body.valid_until.is_some_and(|until| until < body.signed_on) {
        return Err(ApiError::field(
            "valid_until",
            "before_signed_on",
            "the agreement would end before it was signed",
        ));
    }
    let new = NewAgreement {
        kind: parse_code("kind", &body.kind, AgreementKind::parse)?,
        form: parse_opt("form", body.form.as_deref(), AgreementForm::parse)?,
        witnessed_by: body.witnessed_by,
        signed_on: body.signed_on,
        signed_by_client: body.signed_by_client,
        signed_by_service: body.signed_by_service,
        parties: body.parties,
        notes: body.notes,
        valid_until: body.valid_until,
    };
    let store = state.store.clone();
    let row = crate::blocking(move || store.record_agreement(&auth.0, &id, new)).await?;
    Ok(HttpResponse::Created().json(AgreementBody::from(row)))
}

/// The case's agreements, oldest first.
#[utoipa::path(
    tag = "casework",
    operation_id = "list_agreements",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, description = "Agreements", body = Vec<AgreementBody>),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/cases/{id}/agreements")]
pub async fn list_agreements(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let rows = crate::blocking(move || store.list_agreements(&auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(AgreementBody::from)
            .collect::<Vec<_>>(),
    ))
}

// ---- evaluations -------------------------------------------------------------------------------

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
        kind: parse_code("kind", &body.kind, EvaluationKind::parse)?
            .code()
            .to_owned(),
        summary: body.summary,
        outcome: parse_code("outcome", &body.outcome, GoalOutcome::parse)?
            .code()
            .to_owned(),
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
