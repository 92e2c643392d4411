//! Contacts with the client: planned, then held with their record, missed or cancelled with the
//! reason; final once recorded, completed only by addenda; edited with `If-Match`. Implements
//! seed 003's contact schedule (planned contacts and the record of each that took place); the rules
//! are in `opora_domain::contacts` (`ContactStatus`).

use actix_web::http::header::ETAG;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use opora_domain::contacts::ContactStatus;
use opora_persistence::contacts::{
    Contact, ContactChanges, ContactFilter, ContactRecord, NewContact, Participants,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::auth::Authenticated;
use crate::dto::{codes, parse_code, parse_opt, utc};
use crate::etag::{etag, if_match};
use crate::json::{JsonBody, QueryParams};
use crate::problem::{responses, ApiError};
use crate::AppState;

/// Each id 1 to 64 characters.
fn ids(values: &[String]) -> Result<(), ValidationError> {
    each(values, 64)
}

/// Each name 1 to 200 characters.
fn names(values: &[String]) -> Result<(), ValidationError> {
    each(values, 200)
}

fn each(values: &[String], max: usize) -> Result<(), ValidationError> {
    match values.iter().position(|v| {
        let n = v.trim().chars().count();
        n == 0 || n > max
    }) {
        None => Ok(()),
        Some(i) => {
            let mut e = ValidationError::new("length");
            e.message = Some(format!("item {i} must be 1 to {max} characters long").into());
            Err(e)
        }
    }
}

// ---- contacts ----------------------------------------------------------------------------------

/// Who takes or took part.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"member_ids": ["0193a0f2-7c1e-7d40-9a51-3c7e2b1d4f00"], "staff_ids": ["olena"], "others": ["class teacher"]}))]
pub struct ParticipantsInput {
    /// Members of the case's client (their ids in the client's `members`, 1 to 64 characters each).
    #[validate(length(max = 30), custom(function = "ids"))]
    #[schema(max_items = 30)]
    #[serde(default)]
    pub member_ids: Vec<String>,
    /// Staff members by id (1 to 64 characters each).
    #[validate(length(max = 30), custom(function = "ids"))]
    #[schema(max_items = 30)]
    #[serde(default)]
    pub staff_ids: Vec<String>,
    /// Anyone else, in free text (1 to 200 characters each), e.g. "class teacher".
    #[validate(length(max = 30), custom(function = "names"))]
    #[schema(max_items = 30)]
    #[serde(default)]
    pub others: Vec<String>,
}

impl From<ParticipantsInput> for Participants {
    fn from(p: ParticipantsInput) -> Self {
        Participants {
            member_ids: p.member_ids,
            staff_ids: p.staff_ids,
            others: p.others,
        }
    }
}

/// The record of a contact that took place.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "occurred_at": "2026-12-03T15:00:00Z",
    "duration_minutes": 60,
    "discussed": "Night care since the grandmother fell ill; school attendance.",
    "agreements": "Mother asks the night-care group for a place this week.",
    "child_seen": true,
    "child_heard": true,
    "child_note": "Daryna (11) spoke alone with the worker: she is afraid at night, wants her grandmother to come.",
    "next_steps": "Call the night-care group on Friday; next home visit in two weeks."
}))]
pub struct ContactRecordInput {
    /// When it took place; not in the future.
    pub occurred_at: DateTime<Utc>,
    #[validate(range(min = 1, max = 1440))]
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: i32,
    /// What was discussed.
    #[validate(length(min = 1, max = 8000))]
    #[schema(min_length = 1, max_length = 8000)]
    pub discussed: String,
    /// Agreements reached.
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    #[serde(default)]
    pub agreements: String,
    /// Whether the worker saw the child. Required: the record must say.
    pub child_seen: bool,
    /// Whether the worker heard the child's own view (seed 000: information is gathered directly
    /// from the child). Required: the record must say.
    pub child_heard: bool,
    /// What the child said or how the child was, or why the child was not seen or heard.
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub child_note: Option<String>,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    #[serde(default)]
    pub next_steps: String,
}

impl From<ContactRecordInput> for ContactRecord {
    fn from(r: ContactRecordInput) -> Self {
        ContactRecord {
            occurred_at: r.occurred_at.naive_utc(),
            duration_minutes: r.duration_minutes,
            discussed: r.discussed,
            agreements: r.agreements,
            child_seen: r.child_seen,
            child_heard: r.child_heard,
            child_note: r.child_note,
            next_steps: r.next_steps,
        }
    }
}

/// A contact to plan, or one to record as held at once.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "type": "home_visit",
    "status": "planned",
    "scheduled_at": "2026-12-03T15:00:00Z",
    "place": "At home, 12 Sadova St, flat 4",
    "purpose": "See how the children manage at night; meet the grandmother.",
    "participants": {"member_ids": ["0193a0f2-7c1e-7d40-9a51-3c7e2b1d4f00"], "staff_ids": ["olena"], "others": []}
}))]
pub struct NewContactBody {
    #[schema(schema_with = codes::contact_type)]
    #[validate(custom(function = "crate::dto::codes::classifier_code"))]
    pub r#type: String,
    /// `planned` (with `scheduled_at`) or `held` (with `record`); missed and cancelled are
    /// outcomes of a planned contact.
    #[schema(schema_with = codes::contact_status)]
    #[validate(custom(function = "crate::dto::codes::valid::contact_status"))]
    pub status: String,
    /// When it is planned for; required for a planned contact.
    pub scheduled_at: Option<DateTime<Utc>>,
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub place: Option<String>,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub purpose: Option<String>,
    #[validate(nested)]
    #[serde(default)]
    pub participants: ParticipantsInput,
    /// Required for a held contact, refused for a planned one.
    #[validate(nested)]
    pub record: Option<ContactRecordInput>,
}

/// The outcome of a planned contact, or new plan details (or both).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "status": "held",
    "record": {
        "occurred_at": "2026-12-03T15:00:00Z",
        "duration_minutes": 60,
        "discussed": "Night care since the grandmother fell ill.",
        "agreements": "Mother asks the night-care group for a place.",
        "child_seen": true,
        "child_heard": true,
        "child_note": "Daryna spoke alone with the worker.",
        "next_steps": "Next home visit in two weeks."
    }
}))]
pub struct ContactPatchBody {
    /// `held` (with `record`), `missed` or `cancelled` (with `reason`). Absent or `planned`: the
    /// contact stays planned and only its plan details change.
    #[schema(schema_with = codes::contact_status::nullable)]
    #[validate(custom(function = "crate::dto::codes::valid::contact_status"))]
    pub status: Option<String>,
    #[schema(schema_with = codes::contact_type::nullable)]
    #[validate(custom(function = "crate::dto::codes::classifier_code"))]
    pub r#type: Option<String>,
    pub scheduled_at: Option<DateTime<Utc>>,
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub place: Option<String>,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub purpose: Option<String>,
    /// Replaces the participants (e.g. who actually took part).
    #[validate(nested)]
    pub participants: Option<ParticipantsInput>,
    #[validate(nested)]
    pub record: Option<ContactRecordInput>,
    /// Why the contact was missed or cancelled.
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "Correction: the grandmother was present for the last 20 minutes."}))]
pub struct AddendumInput {
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub text: String,
}

/// A family member who takes or took part, with the name on record at the time.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberParticipant {
    pub member_id: String,
    pub full_name: String,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ParticipantsBody {
    pub members: Vec<MemberParticipant>,
    pub staff_ids: Vec<String>,
    pub others: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactRecordBody {
    pub occurred_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub discussed: String,
    pub agreements: String,
    pub child_seen: bool,
    pub child_heard: bool,
    pub child_note: Option<String>,
    pub next_steps: String,
}

/// A correction or completion appended to a recorded contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddendumBody {
    pub id: String,
    pub text: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// A contact: planned, or held with its record, or missed or cancelled with the reason.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactBody {
    pub id: String,
    pub case_id: String,
    pub cycle: i32,
    #[serde(rename = "type")]
    #[schema(schema_with = codes::contact_type)]
    pub contact_type: String,
    #[schema(schema_with = codes::contact_status)]
    pub status: String,
    /// When it is planned for, or took place once held (what the list's date filters use).
    pub at: DateTime<Utc>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub place: Option<String>,
    pub purpose: Option<String>,
    pub participants: ParticipantsBody,
    /// What took place; present once held, and immutable then (see `addenda`).
    pub record: Option<ContactRecordBody>,
    /// Why it was missed or cancelled.
    pub outcome_reason: Option<String>,
    /// Who recorded the outcome (held, missed, cancelled), and when.
    pub recorded_by: Option<String>,
    pub recorded_at: Option<DateTime<Utc>>,
    /// Appended corrections, oldest first.
    pub addenda: Vec<AddendumBody>,
    /// The version the `ETag` names.
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Contact> for ContactBody {
    fn from(c: Contact) -> Self {
        let Contact {
            contact: row,
            participants,
            addenda,
        } = c;
        let mut body = ParticipantsBody::default();
        for p in participants {
            match p.kind.as_str() {
                "member" => body.members.push(MemberParticipant {
                    member_id: p.member_id.unwrap_or_default(),
                    full_name: p.name.unwrap_or_default(),
                }),
                "staff" => body.staff_ids.push(p.staff_id.unwrap_or_default()),
                _ => body.others.push(p.name.unwrap_or_default()),
            }
        }
        let record = match (
            row.occurred_at,
            row.duration_minutes,
            row.child_seen,
            row.child_heard,
        ) {
            (Some(occurred_at), Some(duration_minutes), Some(child_seen), Some(child_heard)) => {
                Some(ContactRecordBody {
                    occurred_at: utc(occurred_at),
                    duration_minutes,
                    discussed: row.discussed.unwrap_or_default(),
                    agreements: row.agreements.unwrap_or_default(),
                    child_seen,
                    child_heard,
                    child_note: row.child_note,
                    next_steps: row.next_steps.unwrap_or_default(),
                })
            }
            _ => None,
        };
        ContactBody {
            id: row.id,
            case_id: row.case_id,
            cycle: row.cycle,
            contact_type: row.contact_type,
            status: row.status,
            at: utc(row.contact_at),
            scheduled_at: row.scheduled_at.map(utc),
            place: row.place,
            purpose: row.purpose,
            participants: body,
            record,
            outcome_reason: row.outcome_reason,
            recorded_by: row.recorded_by,
            recorded_at: row.recorded_at.map(utc),
            addenda: addenda
                .into_iter()
                .map(|a| AddendumBody {
                    id: a.id,
                    text: a.text,
                    created_by: a.created_by,
                    created_at: utc(a.created_at),
                })
                .collect(),
            version: row.version,
            created_by: row.created_by,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

fn with_etag(mut response: actix_web::HttpResponseBuilder, contact: Contact) -> HttpResponse {
    response.insert_header((ETAG, etag(contact.contact.version)));
    response.json(ContactBody::from(contact))
}

/// Plans a contact, or records one that took place (`status: held` with its `record`).
#[utoipa::path(
    tag = "contacts",
    operation_id = "create_contact",
    params(("id" = String, Path, description = "Case id")),
    request_body = NewContactBody,
    responses((status = 201, description = "Planned or recorded; `ETag` names its version", body = ContactBody, headers(("ETag" = String))),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/contacts")]
pub async fn create_contact(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<NewContactBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let new = NewContact {
        contact_type: body.r#type,
        status: parse_code("status", &body.status, ContactStatus::parse)?,
        scheduled_at: body.scheduled_at.map(|t| t.naive_utc()),
        place: body.place,
        purpose: body.purpose,
        participants: body.participants.into(),
        record: body.record.map(ContactRecord::from),
    };
    let store = state.store.clone();
    let contact = crate::blocking(move || store.create_contact(&auth.0, &id, new)).await?;
    Ok(with_etag(HttpResponse::Created(), contact))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    #[param(schema_with = codes::contact_status)]
    pub status: Option<String>,
    #[serde(rename = "type")]
    #[param(schema_with = codes::contact_type)]
    pub contact_type: Option<String>,
    /// From this day on (UTC), inclusive: the planned date, or the day it took place.
    pub from: Option<NaiveDate>,
    /// Up to this day (UTC), inclusive.
    pub to: Option<NaiveDate>,
}

/// The case's contacts in date order (planned date, or when it took place).
#[utoipa::path(
    tag = "contacts",
    operation_id = "list_contacts",
    params(("id" = String, Path, description = "Case id"), ContactQuery),
    responses((status = 200, description = "Contacts", body = Vec<ContactBody>),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[get("/cases/{id}/contacts")]
pub async fn list_contacts(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: QueryParams<ContactQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let filter = ContactFilter {
        status: parse_opt("status", query.status.as_deref(), ContactStatus::parse)?,
        contact_type: query.contact_type,
        from: query.from,
        to: query.to,
    };
    let store = state.store.clone();
    let contacts = crate::blocking(move || store.list_contacts(&auth.0, &id, &filter)).await?;
    Ok(HttpResponse::Ok().json(
        contacts
            .into_iter()
            .map(ContactBody::from)
            .collect::<Vec<_>>(),
    ))
}

/// One contact; `ETag` names its version (send it back in `If-Match` to change it).
#[utoipa::path(
    tag = "contacts",
    operation_id = "get_contact",
    params(("id" = String, Path, description = "Case id"), ("contact_id" = String, Path, description = "Contact id")),
    responses((status = 200, description = "The contact", body = ContactBody, headers(("ETag" = String))),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/cases/{id}/contacts/{contact_id}")]
pub async fn get_contact(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, contact_id) = path.into_inner();
    let store = state.store.clone();
    let contact = crate::blocking(move || store.get_contact(&auth.0, &id, &contact_id)).await?;
    Ok(with_etag(HttpResponse::Ok(), contact))
}

/// Records the outcome of a planned contact (held with its record, missed or cancelled with a
/// reason) or changes its plan. Needs `If-Match`: 428 without it, 412 when stale. A held,
/// missed or cancelled contact is final (409): append an addendum instead.
#[utoipa::path(
    tag = "contacts",
    operation_id = "update_contact",
    params(
        ("id" = String, Path, description = "Case id"),
        ("contact_id" = String, Path, description = "Contact id"),
        ("If-Match" = String, Header, description = "The ETag of the version the change is based on")
    ),
    request_body = ContactPatchBody,
    responses((status = 200, description = "Updated; `ETag` names the new version", body = ContactBody, headers(("ETag" = String))),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::PreconditionFailed, responses::UnsupportedMediaType, responses::Unprocessable,
        responses::PreconditionRequired, responses::Internal),
    security(("bearer" = []))
)]
#[patch("/cases/{id}/contacts/{contact_id}")]
pub async fn update_contact(
    auth: Authenticated,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: JsonBody<ContactPatchBody>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let (id, contact_id) = path.into_inner();
    let body = body.0;
    let changes = ContactChanges {
        status: parse_opt("status", body.status.as_deref(), ContactStatus::parse)?,
        contact_type: body.r#type,
        scheduled_at: body.scheduled_at.map(|t| t.naive_utc()),
        place: body.place,
        purpose: body.purpose,
        participants: body.participants.map(Participants::from),
        record: body.record.map(ContactRecord::from),
        reason: body.reason,
    };
    let store = state.store.clone();
    let contact =
        crate::blocking(move || store.update_contact(&auth.0, &id, &contact_id, expected, changes))
            .await?;
    Ok(with_etag(HttpResponse::Ok(), contact))
}

/// Appends an addendum to a held, missed or cancelled contact; the record itself never changes.
#[utoipa::path(
    tag = "contacts",
    operation_id = "add_contact_addendum",
    params(("id" = String, Path, description = "Case id"), ("contact_id" = String, Path, description = "Contact id")),
    request_body = AddendumInput,
    responses((status = 201, description = "Appended; the contact with every addendum", body = ContactBody, headers(("ETag" = String))),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/cases/{id}/contacts/{contact_id}/addenda")]
pub async fn add_contact_addendum(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: JsonBody<AddendumInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, contact_id) = path.into_inner();
    let text = body.0.text;
    let store = state.store.clone();
    let contact =
        crate::blocking(move || store.add_contact_addendum(&auth.0, &id, &contact_id, text))
            .await?;
    Ok(with_etag(HttpResponse::Created(), contact))
}
