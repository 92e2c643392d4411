//! Plan versions: drafting (goals, actions and services with stable ids, the `family_overload`
//! warning), the client's agreement that makes a version active, specialists' agreement to their
//! actions and a supervisor's approval. Implements seed 002, stage 3 (planning with the client) and
//! seed 000 (a plan agreed with the family, specialists agreeing to their part); the rules are in
//! `opora_domain::casework::plan`.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use opora_domain::casework::plan::{
    ApprovalDecision, GoalPriority, GoalTerm, ProviderKind, ResponsibleKind,
};
use opora_domain::AgreementMethod;
use opora_persistence::casework::{
    NewAction, NewGoal, NewPlan, PlanAgreement, PlanApproval, SpecialistAgreement,
};
use opora_persistence::models::Plan;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::{lists, parse_listed};
use crate::auth::Authenticated;
use crate::dto::{codes, parse_code, utc};
use crate::json::JsonBody;
use crate::problem::{responses, ApiError};
use crate::AppState;

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
            .enumerate()
            .map(|(i, g)| {
                Ok(NewGoal {
                    term: parse_listed(
                        &format!("goals[{i}].term"),
                        g.term.as_deref(),
                        GoalTerm::ALL,
                        GoalTerm::code,
                    )?,
                    priority: parse_listed(
                        &format!("goals[{i}].priority"),
                        g.priority.as_deref(),
                        GoalPriority::ALL,
                        GoalPriority::code,
                    )?,
                    id: g.id,
                    description: g.description,
                    expected_result: g.expected_result,
                    deadline: g.deadline,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        services: body
            .services
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                Ok(opora_persistence::approvals::NewService {
                    provider_kind: parse_listed(
                        &format!("services[{i}].provider_kind"),
                        s.provider_kind.as_deref(),
                        ProviderKind::ALL,
                        ProviderKind::code,
                    )?,
                    service: s.service,
                    provider: s.provider,
                    frequency: s.frequency,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        actions: body
            .actions
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                Ok(NewAction {
                    responsible_kind: parse_listed(
                        &format!("actions[{i}].responsible_kind"),
                        a.responsible_kind.as_deref(),
                        ResponsibleKind::ALL,
                        ResponsibleKind::code,
                    )?,
                    id: a.id,
                    goal: a.goal,
                    goal_id: a.goal_id,
                    description: a.description,
                    responsible: a.responsible,
                    due_on: a.due_on,
                    responsible_ref: a.responsible_ref,
                    frequency: a.frequency,
                    specialists: a.specialists,
                })
            })
            .collect::<Result<_, ApiError>>()?,
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
        method: parse_code("method", &body.method, AgreementMethod::parse)?,
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
        decision: parse_code("decision", &body.decision, ApprovalDecision::parse)?,
        comment: body.comment,
    };
    let store = state.store.clone();
    let plan =
        crate::blocking(move || store.approve_plan(&auth.0, &id, &plan_id, approval)).await?;
    Ok(HttpResponse::Ok().json(PlanBody::from(plan)))
}
