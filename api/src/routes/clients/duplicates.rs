//! The duplicate check before registering a client: clients and family members who may be the
//! person named, tolerant of spelling, transliteration and name forms (`opora_domain::names`), a
//! record outside the caller's scope shown only as a possible match in its unit.

use actix_web::{post, web, HttpResponse};
use chrono::NaiveDate;
use opora_domain::names::{name_key, NameMatch};
use opora_domain::ClientKind;
use opora_persistence::duplicates::DuplicateCandidate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Authenticated;
use crate::json::JsonBody;
use crate::problem::{responses, ApiError};
use crate::AppState;

fn name_match_schema() -> utoipa::openapi::schema::Object {
    crate::dto::or_null(crate::dto::code_schema(
        [NameMatch::Exact.code(), NameMatch::Similar.code()],
        "How the names matched: `exact` (the same after folding case, diacritics, transliteration and name forms) or `similar` (one word one letter apart, or a patronymic more); `null` when not visible.",
    ))
}

fn candidate_kind_schema() -> utoipa::openapi::schema::Object {
    crate::dto::or_null(crate::dto::code_schema(
        ClientKind::ALL.iter().map(|k| k.code()),
        "A person, or a family with members; `null` when not visible.",
    ))
}

/// A record that may be the same person. When `visible` is false the record lies in a unit
/// outside the caller's scope (reported only on the exact name and full date of birth): that
/// unit is named to case managers and supervisors, who coordinate with it, and to nobody else
/// (`unit_id` and `unit_name` `null`); every other field is `null`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "visible": true,
    "unit_id": "0193a1c2-0000-7000-8000-00000000000a",
    "unit_name": "Suvorovskyi district department",
    "client_id": "0193a1c2-0000-7000-8000-0000000000c1",
    "client_kind": "family",
    "client_display_name": "Shevchenko family",
    "member_id": "0193a1c2-0000-7000-8000-0000000000e1",
    "name": "Олександр Шевченко",
    "date_of_birth": "1984-02-29",
    "name_match": "exact",
    "same_date_of_birth": true
}))]
pub struct DuplicateCandidateBody {
    /// Whether the caller may see the record.
    pub visible: bool,
    /// The unit holding the record (`null`: a match outside your scope, where is not said).
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
    pub client_id: Option<String>,
    #[schema(schema_with = candidate_kind_schema)]
    pub client_kind: Option<String>,
    pub client_display_name: Option<String>,
    /// The family member whose name matched; `null` when the client's own name matched.
    pub member_id: Option<String>,
    /// The name that matched, as recorded.
    pub name: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    #[schema(schema_with = name_match_schema)]
    pub name_match: Option<String>,
    /// Both dates of birth are known and equal; `false` when one is unknown (a known date that
    /// differs rules a record out).
    pub same_date_of_birth: Option<bool>,
}

impl From<DuplicateCandidate> for DuplicateCandidateBody {
    fn from(c: DuplicateCandidate) -> Self {
        let found = c.found;
        DuplicateCandidateBody {
            visible: c.visible,
            unit_id: c.unit_id,
            unit_name: c.unit_name,
            client_id: found.as_ref().map(|f| f.client_id.clone()),
            client_kind: found.as_ref().map(|f| f.client_kind.code().to_owned()),
            client_display_name: found.as_ref().map(|f| f.client_display_name.clone()),
            member_id: found.as_ref().and_then(|f| f.member_id.clone()),
            name: found.as_ref().map(|f| f.name.clone()),
            date_of_birth: found.as_ref().and_then(|f| f.date_of_birth),
            name_match: found.as_ref().map(|f| f.name_match.code().to_owned()),
            same_date_of_birth: found.as_ref().map(|f| f.same_date_of_birth),
        }
    }
}

/// Possible duplicates: visible records best first (exact names, then equal dates of birth), then
/// one entry per other unit holding a possible match.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"candidates": [
    {"visible": true, "unit_id": "0193a1c2-0000-7000-8000-00000000000a", "unit_name": "Suvorovskyi district department",
     "client_id": "0193a1c2-0000-7000-8000-0000000000c1", "client_kind": "person", "client_display_name": "Oleksandr Shevchenko",
     "member_id": null, "name": "Oleksandr Shevchenko", "date_of_birth": "1984-02-29", "name_match": "exact", "same_date_of_birth": true},
    {"visible": false, "unit_id": "0193a1c2-0000-7000-8000-00000000000b", "unit_name": "Malynovskyi district department",
     "client_id": null, "client_kind": null, "client_display_name": null, "member_id": null, "name": null,
     "date_of_birth": null, "name_match": null, "same_date_of_birth": null}
]}))]
pub struct DuplicatesBody {
    pub candidates: Vec<DuplicateCandidateBody>,
}

impl DuplicatesBody {
    pub(super) fn from(candidates: Vec<DuplicateCandidate>) -> Self {
        DuplicatesBody {
            candidates: candidates
                .into_iter()
                .map(DuplicateCandidateBody::from)
                .collect(),
        }
    }
}

#[derive(utoipa::IntoResponses)]
#[response(
    status = 429,
    description = "Too many duplicate searches by you this hour (`OPORA_DUPLICATE_SEARCHES_PER_HOUR`); `Retry-After` says when to search again",
    content_type = "application/problem+json"
)]
#[allow(dead_code)]
pub struct SearchesExhausted(crate::problem::Problem);

/// A duplicate check: the name searched for and, when known, the date of birth.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"full_name": "Oleksandr Shevchenko", "date_of_birth": "1984-02-29"}))]
pub struct DuplicateCheckBody {
    /// A full name in any script and word order ("Shevchenko Oleksandr", "Олександр Шевченко").
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub full_name: String,
    /// When given, a record with another known date of birth is not a candidate.
    pub date_of_birth: Option<NaiveDate>,
}

/// Looks for clients and family members who may be the person named (before registering them).
///
/// Tolerant of case, spacing, word order, diacritics, Cyrillic/Latin transliteration (Ukrainian
/// and Russian rules) and Ukrainian/Russian first-name forms: "Олександр Шевченко", "Oleksandr
/// Shevchenko", "Aleksandr Shevchenko" and "OLEKSANDR ŠEVČENKO" match each other. A record with
/// another known date of birth is not a candidate. A record in a unit outside the caller's scope
/// is reported only on the exact name and full date of birth, as a possible match in that unit
/// (to case managers and supervisors) or elsewhere (to others). The search terms go in the body,
/// never the URL; every search is audited (with the folded name, not the name); each caller has
/// an hourly budget of searches (429 once spent).
#[utoipa::path(
    tag = "clients",
    operation_id = "check_client_duplicates",
    request_body = DuplicateCheckBody,
    responses(
        (status = 200, description = "The possible duplicates (an empty list when none)", body = DuplicatesBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::UnsupportedMediaType,
        responses::Unprocessable, SearchesExhausted, responses::Internal
    ),
    security(("bearer" = []))
)]
#[post("/clients/duplicate-check")]
pub async fn check_duplicates(
    auth: Authenticated,
    state: web::Data<AppState>,
    body: JsonBody<DuplicateCheckBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    if name_key(&body.full_name).is_empty() {
        return Err(ApiError::field(
            "full_name",
            "no_letters",
            "must contain at least one letter",
        ));
    }
    let store = state.store.clone();
    let candidates = crate::blocking(move || {
        store.find_duplicates(&auth.0, &body.full_name, body.date_of_birth)
    })
    .await?;
    Ok(HttpResponse::Ok().json(DuplicatesBody::from(candidates)))
}
