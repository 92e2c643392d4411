//! Assessments of a case: by life domain, with conclusions, recommendations and the child's own
//! view. A draft is edited with `If-Match`; a completed assessment is immutable and corrected only
//! by a re-assessment that names it. Implements seed 002, stage 2 (needs assessment, updated when
//! the situation changes), seed 001, stages 2 and 4, and seed 000 (the child's own view); the
//! rules are in `opora_domain::casework::assessment`.

use actix_web::http::header::ETAG;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use opora_domain::casework::assessment::NeedLevel;
use opora_domain::AssessmentKind;
use opora_persistence::casework::{AssessmentChanges, ChildView, DomainEntry, NewAssessment};
use opora_persistence::models::Assessment;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::lists;
use crate::auth::Authenticated;
use crate::dto::{codes, parse_code, utc};
use crate::etag::{etag, if_match};
use crate::json::JsonBody;
use crate::problem::{responses, ApiError};
use crate::AppState;

fn with_etag(mut response: actix_web::HttpResponseBuilder, a: Assessment) -> HttpResponse {
    response.insert_header((ETAG, etag(a.assessment.version)));
    response.json(AssessmentBody::from(a))
}

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

/// The domain entries of a request, their need levels parsed (an unknown one is a 422 naming it).
fn domain_entries(domains: Vec<DomainEntryBody>) -> Result<Vec<DomainEntry>, ApiError> {
    domains
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            Ok(DomainEntry {
                need_level: parse_code(
                    &format!("domains[{i}].need_level"),
                    &d.need_level,
                    NeedLevel::parse,
                )?,
                domain: d.domain,
                strengths: d.strengths,
                risks: d.risks,
                resources: d.resources,
            })
        })
        .collect()
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
        kind: parse_code("kind", &body.kind, AssessmentKind::parse)?,
        summary: body.summary,
        needs: body.needs,
        strengths: body.strengths,
        risks: body.risks,
        complete: body.complete,
        domains: domain_entries(body.domains)?,
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
        domains: body.domains.map(domain_entries).transpose()?,
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
