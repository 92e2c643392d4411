//! The audit log for auditors: who did or looked at what, when; signed checkpoints of its Merkle
//! tree (RFC 9162) to anchor outside the database; inclusion and consistency proofs that anyone
//! can check against a checkpoint without trusting this server; and a verification of the whole
//! log.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use opora_persistence::audit::{AuditFilter, AuditRecord};
use opora_persistence::audit_log::{Checkpoint, ConsistencyProof, InclusionProof, Verification};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Authenticated;
use crate::dto::{utc, Page};
use crate::json::QueryParams;
use crate::problem::{responses, ApiError};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_entries)
        .service(verify_chain)
        .service(latest_checkpoint)
        .service(inclusion_proof)
        .service(consistency_proof);
}

/// One audit entry: who, when, what, which record; for disclosures the purpose and legal basis.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryBody {
    /// Position in the log, from 1 (leaf `seq - 1` of the tree).
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
    /// The hash of the entry before it, for entries chained before the log became a tree; empty
    /// for the others.
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

/// The result of checking the whole log.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationBody {
    pub valid: bool,
    pub entries_checked: i64,
    /// The tree's size: the number of entries in the log.
    pub head_seq: Option<i64>,
    /// The tree's root hash (hex): anchor it, or a signed checkpoint, outside the database.
    pub head_hash: Option<String>,
    /// The first entry (or checkpoint, by its tree size) that does not verify.
    pub first_broken_seq: Option<i64>,
    pub first_broken_reason: Option<String>,
    /// Payloads erased on purpose; their hashes still verify the log.
    pub erased_payloads: i64,
    /// Signed checkpoints checked: signature, root, consistency with the one before.
    pub checkpoints_checked: i64,
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
            checkpoints_checked: v.checkpoints_checked,
        }
    }
}

/// Verifies the whole log: every entry against its leaf, every signed checkpoint against the
/// tree recomputed from the entries, the proofs between checkpoints (auditors). Also
/// `opora audit-verify`.
#[utoipa::path(
    tag = "audit",
    operation_id = "verify_audit_chain",
    responses((status = 200, description = "The verification; `valid` is false when an entry was changed, removed or inserted, or a checkpoint does not match", body = VerificationBody),
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

/// A signed checkpoint of the log's Merkle tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointBody {
    /// Entries in the tree.
    pub tree_size: i64,
    /// The tree's root (hex SHA-256, RFC 9162 §2.1.1).
    pub root_hash: String,
    pub at: DateTime<Utc>,
    /// The checkpoint as a signed note (C2SP tlog-checkpoint: origin, size, base64 root, then
    /// the Ed25519 signature line); check it with `verifier_key`.
    pub note: String,
    /// The verifier key, in the signed-note form `<origin>+<key id>+<base64 key>`.
    pub verifier_key: String,
    /// The longest any entry of the last batch waited between its request and the tree.
    pub max_delay_ms: i64,
}

fn checkpoint_body(c: Checkpoint, verifier_key: String) -> CheckpointBody {
    CheckpointBody {
        tree_size: c.tree_size,
        root_hash: c.root_hash,
        at: utc(c.at),
        note: c.note,
        verifier_key,
        max_delay_ms: c.max_delay_ms,
    }
}

/// The newest signed checkpoint, after everything committed before the request is in the tree
/// (auditors). Keep checkpoints outside the database: a later one must prove it extends them.
#[utoipa::path(
    tag = "audit",
    operation_id = "latest_audit_checkpoint",
    responses((status = 200, description = "The newest checkpoint", body = CheckpointBody),
        responses::NotFound, responses::Unauthorized, responses::Forbidden, responses::Internal),
    security(("bearer" = []))
)]
#[get("/audit/checkpoint")]
pub async fn latest_checkpoint(
    auth: Authenticated,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let (checkpoint, key) = crate::blocking(move || {
        Ok((
            store.latest_checkpoint(&auth.0)?,
            store.audit_verifier_key(),
        ))
    })
    .await?;
    let checkpoint = checkpoint.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(checkpoint_body(checkpoint, key)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InclusionQuery {
    /// The tree (a checkpoint's `tree_size`) to prove inclusion in; the current tree when absent.
    #[param(minimum = 1)]
    pub tree_size: Option<i64>,
}

/// An entry's inclusion proof (RFC 9162 §2.1.3).
#[derive(Debug, Serialize, ToSchema)]
pub struct InclusionProofBody {
    pub seq: i64,
    /// The leaf's index in the tree: `seq - 1`.
    pub leaf_index: i64,
    pub tree_size: i64,
    /// `SHA-256(0x00 ‖ entry)`, the entry being its fields length-prefixed, one per line, in
    /// the order of the entry body, with `payload_hash` last.
    pub leaf_hash: String,
    /// The root of the tree of `tree_size` entries.
    pub root_hash: String,
    /// The audit path, nearest sibling first (hex).
    pub proof: Vec<String>,
}

impl From<InclusionProof> for InclusionProofBody {
    fn from(p: InclusionProof) -> Self {
        InclusionProofBody {
            seq: p.seq,
            leaf_index: p.seq - 1,
            tree_size: p.tree_size,
            leaf_hash: p.leaf_hash,
            root_hash: p.root_hash,
            proof: p.proof,
        }
    }
}

/// The proof that an entry the caller sees is in the log's tree (auditors).
#[utoipa::path(
    tag = "audit",
    operation_id = "audit_inclusion_proof",
    params(("seq" = i64, Path, description = "The entry's position in the log", minimum = 1), InclusionQuery),
    responses((status = 200, description = "The proof", body = InclusionProofBody),
        responses::BadRequest, responses::NotFound, responses::Unauthorized, responses::Forbidden, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[get("/audit/entries/{seq}/inclusion-proof")]
pub async fn inclusion_proof(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: QueryParams<InclusionQuery>,
) -> Result<HttpResponse, ApiError> {
    let seq: i64 = path
        .into_inner()
        .parse()
        .ok()
        .filter(|s| *s >= 1)
        .ok_or(ApiError::NotFound)?;
    let tree_size = query.0.tree_size;
    let store = state.store.clone();
    let proof =
        crate::blocking(move || store.audit_inclusion_proof(&auth.0, seq, tree_size)).await?;
    Ok(HttpResponse::Ok().json(InclusionProofBody::from(proof)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// The earlier tree's size (a checkpoint kept outside).
    #[param(minimum = 0)]
    pub first: i64,
    /// The later tree's size; the current tree when absent.
    #[param(minimum = 0)]
    pub second: Option<i64>,
}

/// A consistency proof between two trees (RFC 9162 §2.1.4).
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsistencyProofBody {
    pub first: i64,
    pub second: i64,
    pub first_root: String,
    pub second_root: String,
    /// The proof's nodes (hex), as RFC 9162 §2.1.4.1 orders them.
    pub proof: Vec<String>,
}

impl From<ConsistencyProof> for ConsistencyProofBody {
    fn from(p: ConsistencyProof) -> Self {
        ConsistencyProofBody {
            first: p.first,
            second: p.second,
            first_root: p.first_root,
            second_root: p.second_root,
            proof: p.proof,
        }
    }
}

/// The proof that the later tree extends the earlier one: nothing in it was removed, changed or
/// re-ordered (auditors).
#[utoipa::path(
    tag = "audit",
    operation_id = "audit_consistency_proof",
    params(ConsistencyQuery),
    responses((status = 200, description = "The proof", body = ConsistencyProofBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[get("/audit/consistency-proof")]
pub async fn consistency_proof(
    auth: Authenticated,
    state: web::Data<AppState>,
    query: QueryParams<ConsistencyQuery>,
) -> Result<HttpResponse, ApiError> {
    let ConsistencyQuery { first, second } = query.0;
    let store = state.store.clone();
    let proof =
        crate::blocking(move || store.audit_consistency_proof(&auth.0, first, second)).await?;
    Ok(HttpResponse::Ok().json(ConsistencyProofBody::from(proof)))
}
