//! Agreements with the client: service agreement, informed consent, preliminary or concluded
//! contract, termination, programme inclusion, each in its form. Implements seed 001, stage 3 (the
//! preliminary contract is oral, agreed before a witness) and seed 003 (the service agreement is
//! written and signed); the rules are in `opora_domain::casework::agreement`.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use opora_domain::casework::agreement::Signatures;
use opora_domain::{AgreementForm, AgreementKind};
use opora_persistence::casework::NewAgreement;
use opora_persistence::models::AgreementRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Authenticated;
use crate::dto::{codes, parse_code, parse_opt, utc};
use crate::json::JsonBody;
use crate::problem::{responses, ApiError};
use crate::AppState;

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
