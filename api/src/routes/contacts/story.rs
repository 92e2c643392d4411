//! Success stories (seed 003's "история успеха", kept in free form), with the client's consent
//! to share them and its withdrawal: a story may be shared only with the consent, in the scope
//! the client gave, and once the consent is withdrawn it stays readable in the case but is no
//! longer shareable. The rule and the scopes are in `opora_domain::contacts` (`ShareScope`).

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use opora_domain::contacts::ShareScope;
use opora_persistence::contacts::{ConsentWithdrawal, NewStory, NewStoryConsent, StoryRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Authenticated;
use crate::dto::{codes, parse_code, utc};
use crate::json::JsonBody;
use crate::problem::{responses, ApiError};
use crate::AppState;

/// The client's consent to share a story.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StoryConsentInput {
    /// Not after today.
    pub given_on: NaiveDate,
    /// Who consented: the client, or for a child a person with parental responsibility.
    #[validate(length(min = 1, max = 200))]
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Oksana Shevchenko (mother)"
    )]
    pub given_by: String,
    #[schema(schema_with = codes::share_scope)]
    #[validate(custom(function = "crate::dto::codes::valid::share_scope"))]
    pub scope: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Nights are no longer frightening",
    "story": "When we met the family, Daryna and her brother were alone every night ...",
    "written_by": "Olena Kovalenko, case manager",
    "written_on": "2027-03-01",
    "consent": {"given_on": "2027-03-01", "given_by": "Oksana Shevchenko (mother)", "scope": "anonymised_publication"}
}))]
pub struct NewStoryBody {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// The story in free form (seed 003).
    #[validate(length(min = 1, max = 20000))]
    #[schema(min_length = 1, max_length = 20000)]
    pub story: String,
    /// Who wrote it: the worker, or the client in their own words.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub written_by: String,
    /// Not after today.
    pub written_on: NaiveDate,
    /// The client's consent to share it; without one the story stays inside the case.
    #[validate(nested)]
    pub consent: Option<StoryConsentInput>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StoryConsentBody {
    pub given_on: NaiveDate,
    pub given_by: String,
    #[schema(schema_with = codes::share_scope)]
    pub scope: String,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawal_reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StoryBody {
    pub id: String,
    pub case_id: String,
    pub title: String,
    pub story: String,
    pub written_by: String,
    pub written_on: NaiveDate,
    /// The client's consent to share, if given (withdrawn or not).
    pub consent: Option<StoryConsentBody>,
    /// Whether the story may be shared, in the consent's `scope`: consent given and not
    /// withdrawn. A story not shareable is still read inside the case.
    pub shareable: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<StoryRow> for StoryBody {
    fn from(s: StoryRow) -> Self {
        let shareable = s.shareable();
        let consent = match (s.consent_given_on, s.consent_given_by, s.consent_scope) {
            (Some(given_on), Some(given_by), Some(scope)) => Some(StoryConsentBody {
                given_on,
                given_by,
                scope,
                withdrawn_on: s.consent_withdrawn_on,
                withdrawal_reason: s.withdrawal_reason,
            }),
            _ => None,
        };
        StoryBody {
            id: s.id,
            case_id: s.case_id,
            title: s.title,
            story: s.story,
            written_by: s.written_by,
            written_on: s.written_on,
            consent,
            shareable,
            created_by: s.created_by,
            created_at: utc(s.created_at),
            updated_at: utc(s.updated_at),
        }
    }
}

/// Writes a success story, with the client's consent to share it if given. Allowed at any stage
/// of the case (a story is often told at closure).
#[utoipa::path(
    tag = "contacts",
    operation_id = "create_success_story",
    params(("id" = String, Path, description = "Case id")),
    request_body = NewStoryBody,
    responses((status = 201, description = "Recorded", body = StoryBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/success-stories")]
pub async fn create_success_story(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<NewStoryBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let consent = match body.consent {
        Some(c) => Some(NewStoryConsent {
            given_on: c.given_on,
            given_by: c.given_by,
            scope: parse_code("consent.scope", &c.scope, ShareScope::parse)?,
        }),
        None => None,
    };
    let new = NewStory {
        title: body.title,
        story: body.story,
        written_by: body.written_by,
        written_on: body.written_on,
        consent,
    };
    let store = state.store.clone();
    let row = crate::blocking(move || store.create_story(&auth.0, &id, new)).await?;
    Ok(HttpResponse::Created().json(StoryBody::from(row)))
}

/// The case's success stories, oldest first; those whose consent was withdrawn are included,
/// with `shareable: false`.
#[utoipa::path(
    tag = "contacts",
    operation_id = "list_success_stories",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, description = "Success stories", body = Vec<StoryBody>),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/cases/{id}/success-stories")]
pub async fn list_success_stories(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let rows = crate::blocking(move || store.list_stories(&auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(StoryBody::from).collect::<Vec<_>>()))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"withdrawn_on": "2027-04-10", "reason": "The family moved and does not want the story told."}))]
pub struct ConsentWithdrawalBody {
    /// The day the client withdrew it (default today; not after today, not before the consent).
    pub withdrawn_on: Option<NaiveDate>,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
}

/// Records that the client withdrew consent to share the story: it stays readable in the case,
/// with `shareable: false`. 409 when no consent is on record or it was already withdrawn.
#[utoipa::path(
    tag = "contacts",
    operation_id = "withdraw_story_consent",
    params(("id" = String, Path, description = "Case id"), ("story_id" = String, Path, description = "Success story id")),
    request_body = ConsentWithdrawalBody,
    responses((status = 200, description = "Withdrawn; the story as it stands now", body = StoryBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/success-stories/{story_id}/consent-withdrawal")]
pub async fn withdraw_story_consent(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: JsonBody<ConsentWithdrawalBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, story_id) = path.into_inner();
    let body = body.0;
    let withdrawal = ConsentWithdrawal {
        withdrawn_on: body.withdrawn_on.unwrap_or_else(|| Utc::now().date_naive()),
        reason: body.reason,
    };
    let store = state.store.clone();
    let row =
        crate::blocking(move || store.withdraw_story_consent(&auth.0, &id, &story_id, withdrawal))
            .await?;
    Ok(HttpResponse::Ok().json(StoryBody::from(row)))
}
