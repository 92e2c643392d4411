//! The records of a case the guards judge: assessments, plan versions with the client's
//! agreement, agreements and evaluations. Enough to satisfy the guards; the casework issue
//! deepens them.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use opora_domain::{AgreementKind, AgreementMethod, AssessmentKind, EvaluationKind, GoalOutcome};
use opora_persistence::casework::{
    NewAction, NewAgreement, NewAssessment, NewEvaluation, NewGoal, NewPlan, PlanAgreement,
};
use opora_persistence::models::{AgreementRow, AssessmentRow, EvaluationRow, Plan};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::Authenticated;
use crate::dto::{codes, parse_code, utc};
use crate::json::JsonBody;
use crate::problem::{responses, ApiError};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_assessment)
        .service(list_assessments)
        .service(complete_assessment)
        .service(create_plan)
        .service(list_plans)
        .service(agree_plan)
        .service(create_agreement)
        .service(list_agreements)
        .service(create_evaluation)
        .service(list_evaluations);
}

// ---- assessments -------------------------------------------------------------------------------

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "initial",
    "summary": "Mother works night shifts; the children (9 and 6) are alone at night.",
    "needs": "Child care at night; stable income.",
    "strengths": "Mother is motivated; grandmother lives nearby.",
    "risks": "Children unsupervised at night.",
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
}

impl From<AssessmentRow> for AssessmentBody {
    fn from(a: AssessmentRow) -> Self {
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
        }
    }
}

/// Records an assessment (draft, or completed at once).
#[utoipa::path(
    tag = "casework",
    operation_id = "create_assessment",
    params(("id" = String, Path, description = "Case id")),
    request_body = NewAssessmentBody,
    responses((status = 201, description = "Recorded", body = AssessmentBody),
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
    let new = NewAssessment {
        kind: parse_code("kind", &body.kind, AssessmentKind::parse)?
            .code()
            .to_owned(),
        summary: body.summary,
        needs: body.needs,
        strengths: body.strengths,
        risks: body.risks,
        complete: body.complete,
    };
    let store = state.store.clone();
    let row = crate::blocking(move || store.record_assessment(&auth.0, &id, new)).await?;
    Ok(HttpResponse::Created().json(AssessmentBody::from(row)))
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

/// Completes a draft assessment (409 if already completed: corrections go into a new one).
#[utoipa::path(
    tag = "casework",
    operation_id = "complete_assessment",
    params(("id" = String, Path, description = "Case id"), ("assessment_id" = String, Path, description = "Assessment id")),
    responses((status = 200, description = "Completed", body = AssessmentBody),
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
    Ok(HttpResponse::Ok().json(AssessmentBody::from(row)))
}

// ---- plans -------------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalInput {
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
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    /// Index (from 0) of the goal in `goals` this action serves.
    #[validate(range(max = 49))]
    #[schema(maximum = 49)]
    pub goal: Option<usize>,
    #[validate(length(min = 1, max = 1000))]
    #[schema(
        min_length = 1,
        max_length = 1000,
        example = "Arrange a place in the night-care group"
    )]
    pub description: String,
    /// Who carries it out: a worker, a family member or a partner organisation.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200, example = "key worker")]
    pub responsible: String,
    pub due_on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "period_start": "2026-12-01",
    "period_end": "2027-02-28",
    "next_review_on": "2027-01-15",
    "goals": [{"description": "The children are never alone at night", "expected_result": "Night care arranged", "deadline": "2027-01-31"}],
    "actions": [{"goal": 0, "description": "Arrange a place in the night-care group", "responsible": "key worker", "due_on": "2026-12-20"}]
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
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GoalBody {
    pub id: String,
    pub description: String,
    pub expected_result: String,
    pub deadline: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionBody {
    pub id: String,
    pub goal_id: Option<String>,
    pub description: String,
    pub responsible: String,
    pub due_on: Option<NaiveDate>,
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
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<Plan> for PlanBody {
    fn from(p: Plan) -> Self {
        let Plan {
            plan,
            goals,
            actions,
        } = p;
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
                .into_iter()
                .map(|g| GoalBody {
                    id: g.id,
                    description: g.description,
                    expected_result: g.expected_result,
                    deadline: g.deadline,
                })
                .collect(),
            actions: actions
                .into_iter()
                .map(|a| ActionBody {
                    id: a.id,
                    goal_id: a.goal_id,
                    description: a.description,
                    responsible: a.responsible,
                    due_on: a.due_on,
                })
                .collect(),
            created_by: plan.created_by,
            created_at: utc(plan.created_at),
        }
    }
}

/// Drafts a new plan version; it becomes active when the client's agreement is recorded.
#[utoipa::path(
    tag = "casework",
    operation_id = "create_plan",
    params(("id" = String, Path, description = "Case id")),
    request_body = NewPlanBody,
    responses((status = 201, description = "Drafted", body = PlanBody),
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
    let new = NewPlan {
        period_start: body.period_start,
        period_end: body.period_end,
        next_review_on: body.next_review_on,
        goals: body
            .goals
            .into_iter()
            .map(|g| NewGoal {
                description: g.description,
                expected_result: g.expected_result,
                deadline: g.deadline,
            })
            .collect(),
        actions: body
            .actions
            .into_iter()
            .map(|a| NewAction {
                goal: a.goal,
                description: a.description,
                responsible: a.responsible,
                due_on: a.due_on,
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
}

/// Records the client's agreement: the version becomes active, the previous one superseded.
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
    };
    let store = state.store.clone();
    let plan = crate::blocking(move || store.agree_plan(&auth.0, &id, &plan_id, agreement)).await?;
    Ok(HttpResponse::Ok().json(PlanBody::from(plan)))
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
    pub signed_on: NaiveDate,
    pub signed_by_client: bool,
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
    pub signed_on: NaiveDate,
    pub signed_by_client: bool,
    pub signed_by_service: bool,
    pub parties: String,
    pub notes: Option<String>,
    pub valid_until: Option<NaiveDate>,
    pub terminated_on: Option<NaiveDate>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<AgreementRow> for AgreementBody {
    fn from(a: AgreementRow) -> Self {
        AgreementBody {
            id: a.id,
            case_id: a.case_id,
            cycle: a.cycle,
            kind: a.kind,
            signed_on: a.signed_on,
            signed_by_client: a.signed_by_client,
            signed_by_service: a.signed_by_service,
            parties: a.parties,
            notes: a.notes,
            valid_until: a.valid_until,
            terminated_on: a.terminated_on,
            created_by: a.created_by,
            created_at: utc(a.created_at),
        }
    }
}

/// Records an agreement: service agreement, informed consent, preliminary or concluded
/// contract, termination.
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
