//! Sensitive sections of a client, consents to disclose them, and disclosures on a legal basis.
//! A section is returned only to the case team (the key worker, a supervisor of the unit), or to
//! a staff member named by an active consent or an approved disclosure; each such read is logged
//! on the audit chain with its purpose and legal basis. Revoking a consent takes effect at once.

use actix_web::{get, post, put, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use opora_domain::confidentiality::{Grant, LegalBasis, SensitiveSection};
use opora_persistence::confidentiality::{
    split_sections, ConsentRow, DisclosureRow, NewConsent, NewDisclosure, Recipient, SectionRead,
};
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
    cfg.service(read_sections)
        .service(write_section)
        .service(list_consents)
        .service(record_consent)
        .service(revoke_consent)
        .service(list_disclosures)
        .service(request_disclosure)
        .service(decide_disclosure);
}

fn section_list() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::Array::new(codes::sensitive_section())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SectionBody {
    #[schema(schema_with = codes::sensitive_section)]
    pub section: String,
    /// The section's content, as recorded by the case team.
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
    /// Why the caller may read it.
    #[schema(schema_with = codes::grant)]
    pub grant: String,
    /// The legal basis, when `grant` is `legal_basis`.
    pub legal_basis: Option<String>,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

impl From<SectionRead> for SectionBody {
    fn from(s: SectionRead) -> Self {
        let (grant, legal_basis) = match s.grant {
            Grant::CaseTeam => ("case_team", None),
            Grant::Consent => ("consent", None),
            Grant::LegalBasis(b) => ("legal_basis", Some(b.code().to_owned())),
        };
        SectionBody {
            section: s.section.code().to_owned(),
            content: s.content,
            grant: grant.to_owned(),
            legal_basis,
            version: s.version,
            updated_by: s.updated_by,
            updated_at: utc(s.updated_at),
        }
    }
}

/// The sections the caller may read (others are left out, not named).
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionsBody {
    pub sections: Vec<SectionBody>,
}

/// The client's sensitive sections the caller may read; every read is on the audit chain.
#[utoipa::path(
    tag = "confidentiality",
    operation_id = "read_sensitive_sections",
    params(("id" = String, Path, description = "Client id")),
    responses((status = 200, description = "The sections the caller may read", body = SectionsBody),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/clients/{id}/sensitive")]
pub async fn read_sections(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let sections = crate::blocking(move || store.read_sensitive(&auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(SectionsBody {
        sections: sections.into_iter().map(SectionBody::from).collect(),
    }))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"content": {"diagnoses": ["asthma"], "treatment": "inhaler, district clinic no. 3"}}))]
pub struct SectionWriteBody {
    /// The section's content (a JSON object; at most 64 KiB).
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
}

/// Records a section (the case team only: the key worker or a supervisor of the unit).
#[utoipa::path(
    tag = "confidentiality",
    operation_id = "write_sensitive_section",
    params(("id" = String, Path, description = "Client id"), ("section" = String, Path, description = "A sensitive section code")),
    request_body = SectionWriteBody,
    responses((status = 200, description = "Recorded", body = SectionBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[put("/clients/{id}/sensitive/{section}")]
pub async fn write_section(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: JsonBody<SectionWriteBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, section) = path.into_inner();
    let section = parse_code("section", &section, SensitiveSection::parse)?;
    let content = body.0.content;
    if !content.is_object() {
        return Err(ApiError::field(
            "content",
            "invalid_type",
            "must be a JSON object",
        ));
    }
    if content.to_string().len() > 64 * 1024 {
        return Err(ApiError::field(
            "content",
            "length",
            "must be at most 64 KiB",
        ));
    }
    let store = state.store.clone();
    let written =
        crate::blocking(move || store.write_sensitive(&auth.0, &id, section, content)).await?;
    Ok(HttpResponse::Ok().json(SectionBody::from(written)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentBody {
    pub id: String,
    pub client_id: String,
    pub purpose: String,
    pub recipient_staff_id: Option<String>,
    pub recipient_organisation: Option<String>,
    #[schema(schema_with = section_list)]
    pub sections: Vec<String>,
    pub given_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub revoked_on: Option<NaiveDate>,
    pub revocation_reason: Option<String>,
    /// In force today.
    pub active: bool,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

impl From<ConsentRow> for ConsentBody {
    fn from(c: ConsentRow) -> Self {
        let today = Utc::now().date_naive();
        let terms = opora_domain::confidentiality::ConsentTerms {
            sections: split_sections(&c.sections),
            given_on: c.given_on,
            expires_on: c.expires_on,
            revoked_on: c.revoked_on,
        };
        ConsentBody {
            id: c.id,
            client_id: c.client_id,
            purpose: c.purpose,
            recipient_staff_id: c.recipient_staff_id,
            recipient_organisation: c.recipient_organisation,
            sections: terms.sections.iter().map(|s| s.code().to_owned()).collect(),
            given_on: c.given_on,
            expires_on: c.expires_on,
            revoked_on: c.revoked_on,
            revocation_reason: c.revocation_reason,
            active: terms.is_active(today),
            recorded_by: c.recorded_by,
            recorded_at: utc(c.recorded_at),
        }
    }
}

/// The client's consents, in force or not.
#[utoipa::path(
    tag = "confidentiality",
    operation_id = "list_consents",
    params(("id" = String, Path, description = "Client id")),
    responses((status = 200, description = "Consents", body = Vec<ConsentBody>),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/clients/{id}/consents")]
pub async fn list_consents(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let rows = crate::blocking(move || store.list_consents(&auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(ConsentBody::from).collect::<Vec<_>>()))
}

/// Who receives: a staff member (`recipient_staff_id`) or an organisation, exactly one.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "purpose": "Psychologist's support for the mother",
    "recipient_staff_id": "demo-specialist",
    "sections": ["health"],
    "given_on": "2026-11-23",
    "expires_on": "2027-05-23"
}))]
pub struct NewConsentBody {
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub purpose: String,
    #[validate(length(max = 64))]
    #[schema(max_length = 64)]
    pub recipient_staff_id: Option<String>,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub recipient_organisation: Option<String>,
    #[validate(length(min = 1, max = 8))]
    #[schema(schema_with = section_list)]
    pub sections: Vec<String>,
    pub given_on: NaiveDate,
    /// Consent without an end date is allowed but discouraged; set one.
    pub expires_on: Option<NaiveDate>,
}

fn recipient(staff: Option<String>, organisation: Option<String>) -> Result<Recipient, ApiError> {
    match (staff, organisation) {
        (Some(s), None) => Ok(Recipient::Staff(s)),
        (None, Some(o)) => Ok(Recipient::Organisation(o)),
        _ => Err(ApiError::field(
            "recipient_staff_id",
            "one_recipient",
            "give exactly one of recipient_staff_id and recipient_organisation",
        )),
    }
}

fn sections(list: &[String]) -> Result<Vec<SensitiveSection>, ApiError> {
    list.iter()
        .enumerate()
        .map(|(i, s)| parse_code(&format!("sections[{i}]"), s, SensitiveSection::parse))
        .collect()
}

/// Records the client's consent to disclose sections to a recipient (case team only).
#[utoipa::path(
    tag = "confidentiality",
    operation_id = "record_consent",
    params(("id" = String, Path, description = "Client id")),
    request_body = NewConsentBody,
    responses((status = 201, description = "Recorded", body = ConsentBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/clients/{id}/consents")]
pub async fn record_consent(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<NewConsentBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let new = NewConsent {
        purpose: body.purpose,
        recipient: recipient(body.recipient_staff_id, body.recipient_organisation)?,
        sections: sections(&body.sections)?,
        given_on: body.given_on,
        expires_on: body.expires_on,
    };
    let store = state.store.clone();
    let row = crate::blocking(move || store.record_consent(&auth.0, &id, new)).await?;
    Ok(HttpResponse::Created().json(ConsentBody::from(row)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevocationBody {
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub reason: Option<String>,
}

/// Revokes a consent from today; reads relying on it stop at once.
#[utoipa::path(
    tag = "confidentiality",
    operation_id = "revoke_consent",
    params(("id" = String, Path, description = "Client id"), ("consent_id" = String, Path, description = "Consent id")),
    request_body = RevocationBody,
    responses((status = 200, description = "Revoked", body = ConsentBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/clients/{id}/consents/{consent_id}/revocation")]
pub async fn revoke_consent(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: JsonBody<RevocationBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, consent_id) = path.into_inner();
    let reason = body.0.reason;
    let store = state.store.clone();
    let row =
        crate::blocking(move || store.revoke_consent(&auth.0, &id, &consent_id, reason)).await?;
    Ok(HttpResponse::Ok().json(ConsentBody::from(row)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosureBody {
    pub id: String,
    pub client_id: String,
    pub recipient_staff_id: Option<String>,
    pub recipient_organisation: Option<String>,
    #[schema(schema_with = section_list)]
    pub sections: Vec<String>,
    #[schema(schema_with = codes::legal_basis)]
    pub legal_basis: String,
    pub purpose: String,
    /// `requested`, `approved` or `rejected`.
    #[schema(example = "approved")]
    pub status: String,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
}

impl From<DisclosureRow> for DisclosureBody {
    fn from(d: DisclosureRow) -> Self {
        DisclosureBody {
            id: d.id,
            client_id: d.client_id,
            recipient_staff_id: d.recipient_staff_id,
            recipient_organisation: d.recipient_organisation,
            sections: split_sections(&d.sections)
                .iter()
                .map(|s| s.code().to_owned())
                .collect(),
            legal_basis: d.legal_basis,
            purpose: d.purpose,
            status: d.status,
            requested_by: d.requested_by,
            requested_at: utc(d.requested_at),
            decided_by: d.decided_by,
            decided_at: d.decided_at.map(utc),
            decision_note: d.decision_note,
        }
    }
}

/// The client's disclosures on a legal basis.
#[utoipa::path(
    tag = "confidentiality",
    operation_id = "list_disclosures",
    params(("id" = String, Path, description = "Client id")),
    responses((status = 200, description = "Disclosures", body = Vec<DisclosureBody>),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/clients/{id}/disclosures")]
pub async fn list_disclosures(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let rows = crate::blocking(move || store.list_disclosures(&auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(DisclosureBody::from)
            .collect::<Vec<_>>(),
    ))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "recipient_organisation": "Suvorovskyi district child-protection service",
    "sections": ["violence"],
    "legal_basis": "child_in_danger",
    "purpose": "Duty to inform: signs of violence against the children"
}))]
pub struct NewDisclosureBody {
    #[validate(length(max = 64))]
    #[schema(max_length = 64)]
    pub recipient_staff_id: Option<String>,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub recipient_organisation: Option<String>,
    #[validate(length(min = 1, max = 8))]
    #[schema(schema_with = section_list)]
    pub sections: Vec<String>,
    #[validate(custom(function = "crate::dto::codes::valid::legal_basis"))]
    #[schema(schema_with = codes::legal_basis)]
    pub legal_basis: String,
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub purpose: String,
}

/// Asks to disclose sections without consent, on a legal basis (case team); a supervisor decides.
#[utoipa::path(
    tag = "confidentiality",
    operation_id = "request_disclosure",
    params(("id" = String, Path, description = "Client id")),
    request_body = NewDisclosureBody,
    responses((status = 201, description = "Requested", body = DisclosureBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/clients/{id}/disclosures")]
pub async fn request_disclosure(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<NewDisclosureBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let new = NewDisclosure {
        recipient: recipient(body.recipient_staff_id, body.recipient_organisation)?,
        sections: sections(&body.sections)?,
        legal_basis: parse_code("legal_basis", &body.legal_basis, LegalBasis::parse)?,
        purpose: body.purpose,
    };
    let store = state.store.clone();
    let row = crate::blocking(move || store.request_disclosure(&auth.0, &id, new)).await?;
    Ok(HttpResponse::Created().json(DisclosureBody::from(row)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"approve": true, "note": "Legal duty under the child-protection law"}))]
pub struct DecisionBody {
    pub approve: bool,
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// A supervisor approves or rejects a requested disclosure (not one they asked for themselves).
#[utoipa::path(
    tag = "confidentiality",
    operation_id = "decide_disclosure",
    params(("id" = String, Path, description = "Client id"), ("disclosure_id" = String, Path, description = "Disclosure id")),
    request_body = DecisionBody,
    responses((status = 200, description = "Decided", body = DisclosureBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/clients/{id}/disclosures/{disclosure_id}/decision")]
pub async fn decide_disclosure(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: JsonBody<DecisionBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, disclosure_id) = path.into_inner();
    let body = body.0;
    let store = state.store.clone();
    let row = crate::blocking(move || {
        store.decide_disclosure(&auth.0, &id, &disclosure_id, body.approve, body.note)
    })
    .await?;
    Ok(HttpResponse::Ok().json(DisclosureBody::from(row)))
}
