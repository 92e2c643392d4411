//! The client questionnaire of seed 003, its non-sensitive sections, replaced whole with
//! `If-Match`; its sensitive questions live in the client's sensitive sections
//! (`crate::routes::confidentiality`).

use actix_web::{get, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use opora_persistence::questionnaire::Questionnaire;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Authenticated;
use crate::dto::utc;
use crate::etag::{etag, if_match};
use crate::json::JsonBody;
use crate::problem::{responses, ApiError};
use crate::AppState;

/// The client questionnaire (seed 003), its non-sensitive sections. Each section is a JSON object
/// of answers whose keys are the section's questions (listed per section); values are strings (at
/// most 2000 characters), numbers, booleans, `null`, or arrays (at most 50 items) and objects of
/// them, nested at most 3 levels. An absent or `null` section is not filled.
///
/// The questionnaire's sensitive questions are **not** here; they are the client's sensitive
/// sections, written with `PUT /api/v1/clients/{id}/sensitive/{section}` by the case team and read
/// only by it or under consent or a legal basis:
/// - identity documents (passport data: kinds and numbers) → `identity_documents`;
/// - history of substance use (experience, substance, way of use, why it began, daily dose,
///   years of regular use) and its treatment (outpatient, inpatient, effect, own attempts to stop,
///   methods, psychotherapy, longest abstinence) → `substance_use`;
/// - legal situation: offences before and after substance use began, convictions and the
///   articles → `legal_history`; current problems with the police or courts → `conflict_with_law`;
/// - physical health and illnesses → `health` (HIV status → `hiv_status`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "general": {"marital_status": "divorced", "citizenship": "Ukraine"},
    "education": {"level": "vocational", "speciality": "cook", "studying_now": false},
    "military_service": {"served": false, "exemption_reason": "health"},
    "work": {"employed": false, "profession": "cook", "work_history": "kitchen of café Pryvoz, 2012-2020"},
    "housing": {"type": "flat", "tenure": "rented", "conditions": "two rooms, no hot water", "lives_with": "two children"},
    "relatives": {"list": [{"name": "Halyna Shevchenko", "relation": "mother", "contact": "weekly"}]},
    "registrations": {"registered": true, "registers": ["employment centre"]},
    "reasons_for_coming": {"reasons": "debts, threat of eviction", "referred_by": "school no. 45"}
}))]
pub struct QuestionnaireSections {
    /// General data. Questions: `marital_status`, `citizenship`, `languages`, `place_of_birth`,
    /// `notes`. Identity documents go to the `identity_documents` sensitive section.
    #[schema(value_type = Option<Object>)]
    pub general: Option<serde_json::Value>,
    /// Education. Questions: `level`, `institutions`, `speciality`, `studying_now`, `notes`.
    #[schema(value_type = Option<Object>)]
    pub education: Option<serde_json::Value>,
    /// Military service. Questions: `served`, `period`, `branch`, `exemption_reason`, `notes`.
    #[schema(value_type = Option<Object>)]
    pub military_service: Option<serde_json::Value>,
    /// Work and profession. Questions: `employed`, `employer`, `position`, `profession`,
    /// `work_history`, `income_source`, `notes`.
    #[schema(value_type = Option<Object>)]
    pub work: Option<serde_json::Value>,
    /// Housing. Questions: `type`, `tenure`, `conditions`, `lives_with`, `registered_address`,
    /// `notes`.
    #[schema(value_type = Option<Object>)]
    pub housing: Option<serde_json::Value>,
    /// Relatives. Questions: `list` (an array of objects, e.g. name, relation, contact),
    /// `contact_with_family`, `notes`.
    #[schema(value_type = Option<Object>)]
    pub relatives: Option<serde_json::Value>,
    /// Registrations (whether the client is on a register, e.g. of the employment centre).
    /// Questions: `registered`, `registers`, `notes`.
    #[schema(value_type = Option<Object>)]
    pub registrations: Option<serde_json::Value>,
    /// Reasons for coming. Questions: `reasons`, `requested_help`, `referred_by`, `motivation`,
    /// `notes`.
    #[schema(value_type = Option<Object>)]
    pub reasons_for_coming: Option<serde_json::Value>,
}

impl QuestionnaireSections {
    fn to_map(&self) -> serde_json::Map<String, serde_json::Value> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(map)) => {
                map.into_iter().filter(|(_, v)| !v.is_null()).collect()
            }
            _ => serde_json::Map::new(),
        }
    }

    fn from_map(map: &serde_json::Map<String, serde_json::Value>) -> Self {
        let get = |k: &str| map.get(k).cloned();
        QuestionnaireSections {
            general: get("general"),
            education: get("education"),
            military_service: get("military_service"),
            work: get("work"),
            housing: get("housing"),
            relatives: get("relatives"),
            registrations: get("registrations"),
            reasons_for_coming: get("reasons_for_coming"),
        }
    }
}

/// A client's questionnaire: `version` is what the ETag names (0, with no author, before the
/// first write).
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionnaireBody {
    pub client_id: String,
    pub unit_id: String,
    pub version: i64,
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub sections: QuestionnaireSections,
}

fn questionnaire_answer(q: Questionnaire) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response.insert_header((actix_web::http::header::ETAG, etag(q.version)));
    response.json(QuestionnaireBody {
        sections: QuestionnaireSections::from_map(&q.sections),
        client_id: q.client_id,
        unit_id: q.unit_id,
        version: q.version,
        updated_by: q.updated_by,
        updated_at: q.updated_at.map(utc),
    })
}

/// A client's questionnaire (its non-sensitive sections); `ETag` names its version, `"v0"` before
/// the first write.
#[utoipa::path(
    tag = "clients",
    operation_id = "get_client_questionnaire",
    params(("id" = String, Path, description = "Client id")),
    responses((status = 200, description = "The questionnaire", body = QuestionnaireBody, headers(("ETag" = String))),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/clients/{id}/questionnaire")]
pub async fn get_questionnaire(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let q = crate::blocking(move || store.questionnaire(&auth.0, &id)).await?;
    Ok(questionnaire_answer(q))
}

/// Replaces a client's questionnaire (its non-sensitive sections; see the body's description for
/// where the sensitive questions go). Needs `If-Match` with the ETag read (`"v0"` for the first
/// write): 428 without it, 412 when stale. An unknown section or question is 422 naming it.
#[utoipa::path(
    tag = "clients",
    operation_id = "put_client_questionnaire",
    params(
        ("id" = String, Path, description = "Client id"),
        ("If-Match" = String, Header, description = "The ETag of the version the change is based on")
    ),
    request_body = QuestionnaireSections,
    responses((status = 200, description = "Recorded; `ETag` names the new version", body = QuestionnaireBody, headers(("ETag" = String))),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::PreconditionFailed,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::PreconditionRequired, responses::Internal),
    security(("bearer" = []))
)]
#[put("/clients/{id}/questionnaire")]
pub async fn put_questionnaire(
    auth: Authenticated,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<QuestionnaireSections>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let sections = body.0.to_map();
    let store = state.store.clone();
    let q =
        crate::blocking(move || store.put_questionnaire(&auth.0, &id, expected, &sections)).await?;
    Ok(questionnaire_answer(q))
}
