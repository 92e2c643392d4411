//! The audit log for auditors: who did or looked at what, when; the chain's head for anchoring
//! outside the database; and a verification of the whole chain.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use opora_persistence::audit::{AuditFilter, AuditRecord, Verification};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Authenticated;
use crate::dto::{utc, Page};
use crate::json::QueryParams;
use crate::problem::{responses, ApiError};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_entries).service(verify_chain);
}

/// One audit entry: who, when, what, which record; for disclosures the purpose and legal basis.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryBody {
    /// Position in the chain, from 1.
    pub seq: i64,
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor_id: String,
    /// e.g. `case.viewed`, `case.transition.lifecycle`, `client.updated`, `case.listed`.
    #[schema(example = "case.viewed")]
    pub action: String,
    #[schema(example = "case")]
    pub subject_type: String,
    pub subject_id: String,
    pub unit_id: String,
    pub case_id: Option<String>,
    pub purpose: Option<String>,
    pub legal_basis: Option<String>,
    /// What changed; `null` once erased (the hash stays in the chain).
    #[schema(value_type = Option<Object>)]
    pub payload: Option<serde_json::Value>,
    pub payload_hash: String,
    pub prev_hash: String,
    pub entry_hash: String,
}

impl From<AuditRecord> for AuditEntryBody {
    fn from(r: AuditRecord) -> Self {
        let e = r.entry;
        AuditEntryBody {
            seq: e.seq,
            id: e.id,
            at: utc(e.at),
            actor_id: e.actor_id,
            action: e.action,
            subject_type: e.subject_type,
            subject_id: e.subject_id,
            unit_id: e.unit_id,
            case_id: e.case_id,
            purpose: e.purpose,
            legal_basis: e.legal_basis,
            payload: r.payload,
            payload_hash: e.payload_hash,
            prev_hash: e.prev_hash,
            entry_hash: e.entry_hash,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entries about this record, or about anything of this case: "who viewed this case".
    #[param(max_length = 64)]
    pub subject_id: Option<String>,
    /// What this staff member did.
    #[param(max_length = 64)]
    pub actor_id: Option<String>,
    #[param(max_length = 100)]
    pub action: Option<String>,
    /// From this time (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Until this time (exclusive).
    pub to: Option<DateTime<Utc>>,
    /// Items per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 64)]
    pub cursor: Option<String>,
}

/// The audit entries of the caller's units, oldest first (auditors).
#[utoipa::path(
    tag = "audit",
    operation_id = "list_audit_entries",
    params(AuditQuery),
    responses((status = 200, description = "One page of entries", body = Page<AuditEntryBody>),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[get("/audit/entries")]
pub async fn list_entries(
    auth: Authenticated,
    state: web::Data<AppState>,
    query: QueryParams<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let page = crate::dto::page(query.limit, query.cursor)?;
    let filter = AuditFilter {
        subject_id: query.subject_id,
        actor_id: query.actor_id,
        action: query.action,
        from: query.from.map(|t| t.naive_utc()),
        to: query.to.map(|t| t.naive_utc()),
    };
    let store = state.store.clone();
    let entries = crate::blocking(move || store.audit_entries(&auth.0, &filter, &page)).await?;
    Ok(HttpResponse::Ok().json(Page::from(entries, AuditEntryBody::from)))
}

/// The result of walking the whole chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationBody {
    pub valid: bool,
    pub entries_checked: i64,
    /// The latest entry: export `head_hash` to anchor the chain outside the database.
    pub head_seq: Option<i64>,
    pub head_hash: Option<String>,
    /// The first entry that does not verify.
    pub first_broken_seq: Option<i64>,
    pub first_broken_reason: Option<String>,
    /// Payloads erased on purpose; their hashes still verify the chain.
    pub erased_payloads: i64,
}

impl From<Verification> for VerificationBody {
    fn from(v: Verification) -> Self {
        let (head_seq, head_hash) = v.head.map_or((None, None), |(s, h)| (Some(s), Some(h)));
        let (first_broken_seq, first_broken_reason) = v
            .first_broken
            .map_or((None, None), |(s, r)| (Some(s), Some(r)));
        VerificationBody {
            valid: v.valid,
            entries_checked: v.entries_checked,
            head_seq,
            head_hash,
            first_broken_seq,
            first_broken_reason,
            erased_payloads: v.erased_payloads,
        }
    }
}

/// Verifies the whole chain and returns its head (auditors). Also `opora audit verify`.
#[utoipa::path(
    tag = "audit",
    operation_id = "verify_audit_chain",
    responses((status = 200, description = "The verification; `valid` is false when an entry was changed, removed or inserted", body = VerificationBody),
        responses::Unauthorized, responses::Forbidden, responses::Internal),
    security(("bearer" = []))
)]
#[post("/audit/verification")]
pub async fn verify_chain(
    auth: Authenticated,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let verification = crate::blocking(move || store.verify_audit(Some(&auth.0))).await?;
    Ok(HttpResponse::Ok().json(VerificationBody::from(verification)))
}
