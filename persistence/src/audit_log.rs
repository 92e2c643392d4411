//! The audit log as a verifiable log (issue 10), in the manner of Certificate Transparency
//! (RFC 9162) and Trillian/Tessera.
//!
//! - A request's transaction appends its entries to `audit_queue` ([`crate::audit::append`]) and
//!   takes no lock: the entries are durable when the answer is sent, and requests no longer wait
//!   in one line for the log.
//! - One **sequencer** at a time (a lease in `audit_sequencer`, taken over when its holder stops
//!   renewing it) moves queued entries into `audit_entries` in batches ([`integrate_batch`]): each
//!   gets its sequence number, becomes a leaf of the Merkle tree ([`opora_domain::merkle`]), and
//!   the batch ends in a **signed checkpoint** (C2SP tlog-checkpoint: origin, tree size, root,
//!   Ed25519 signature). The tree row changes by compare-and-set, so even two sequencers at once
//!   (a lease that lapsed during a pause) cannot fork the log: the second finds the size moved
//!   and writes nothing.
//! - Anyone who reads the log first integrates what is queued (`Store::integrate_audit`), so an
//!   auditor never misses an entry that was committed before they asked.
//! - The API serves **inclusion proofs** (this entry is leaf `n` of the tree of a checkpoint) and
//!   **consistency proofs** (the later checkpoint's tree extends the earlier one's);
//!   `opora audit-verify` ([`verify`]) recomputes every leaf from the entries, every checkpoint's
//!   root from the leaves, checks every signature and the proofs between checkpoints.
//! - A leaf holds the hash of its entry's payload, not the payload: erasing a payload (GDPR
//!   art. 17) leaves the tree verifiable. Entries chained by hash before the tree keep their chain
//!   (`prev_hash`) and are the tree's first leaves.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use opora_domain::merkle::{self, Hash};
use opora_domain::Action;
use sha2::{Digest, Sha256};

use crate::audit::{entry_hash, entry_text, sha256, AuditEntry, GENESIS};
use crate::schema::{
    audit_checkpoints, audit_entries, audit_payloads, audit_queue, audit_sequencer, audit_tree,
    audit_tree_nodes,
};
use crate::visibility::visible_case_records;
use crate::{AnyConnection, Caller, Store, StoreError, StoreResult};

/// How many queued entries one integration moves at most before it publishes a checkpoint.
pub const BATCH: i64 = 2_000;

/// How many queued entries one transaction moves: the sequencer takes SQLite's one writer only
/// for that long, so that the looks and changes queued behind it wait a millisecond or two, not
/// the length of a whole batch.
pub const CHUNK: i64 = 64;

/// How long a sequencer's lease lasts unless renewed: the longest the log waits when the
/// sequencer's instance dies.
pub const LEASE: Duration = Duration::from_secs(5);

/// The key that signs checkpoints, and the log's name (its origin).
#[derive(Clone)]
pub struct LogSigner {
    origin: String,
    key: SigningKey,
}

impl std::fmt::Debug for LogSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogSigner")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl LogSigner {
    /// A signer from a 32-byte Ed25519 seed.
    pub fn from_seed(origin: &str, seed: [u8; 32]) -> Self {
        LogSigner {
            origin: origin.to_owned(),
            key: SigningKey::from_bytes(&seed),
        }
    }

    /// A signer from configuration: the base64 of a 32-byte seed (`OPORA_AUDIT_SIGNING_KEY`).
    pub fn from_base64_seed(origin: &str, text: &str) -> Result<Self, String> {
        let bytes = BASE64
            .decode(text.trim())
            .map_err(|e| format!("the audit signing key is not base64: {e}"))?;
        let seed: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
            format!(
                "the audit signing key must be 32 bytes (base64 of 32 random bytes), not {}",
                b.len()
            )
        })?;
        Ok(Self::from_seed(origin, seed))
    }

    /// A signer whose seed is derived from another secret (development and tests; production
    /// sets its own key).
    pub fn derived(origin: &str, secret: &str) -> Self {
        let seed: [u8; 32] = Sha256::digest(format!("opora audit checkpoint key\n{secret}")).into();
        Self::from_seed(origin, seed)
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The verifier key in the signed-note form: `<name>+<key id>+<base64(0x01 ‖ public key)>`.
    pub fn verifier_key(&self) -> String {
        let public = self.key.verifying_key().to_bytes();
        let mut encoded = vec![1u8];
        encoded.extend_from_slice(&public);
        format!(
            "{}+{}+{}",
            self.origin,
            hex(&key_id(&self.origin, &public)),
            BASE64.encode(encoded)
        )
    }

    /// The signed checkpoint of a tree.
    pub fn sign(&self, size: u64, root: &Hash) -> String {
        let body = checkpoint_body(&self.origin, size, root);
        let signature = self.key.sign(body.as_bytes()).to_bytes();
        let public = self.key.verifying_key().to_bytes();
        let mut stamp = key_id(&self.origin, &public).to_vec();
        stamp.extend_from_slice(&signature);
        format!(
            "{body}\n\u{2014} {} {}\n",
            self.origin,
            BASE64.encode(stamp)
        )
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The signed-note key id: the first four bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key).
fn key_id(name: &str, public: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([1u8]);
    h.update(public);
    let digest: [u8; 32] = h.finalize().into();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// The text a checkpoint signs: origin, tree size, base64 root, each on its line.
fn checkpoint_body(origin: &str, size: u64, root: &Hash) -> String {
    format!("{origin}\n{size}\n{}\n", BASE64.encode(root))
}

/// Opens a signed checkpoint with a verifier key: its origin, tree size and root when it is
/// well formed and signed by that key; `None` otherwise.
pub fn open_checkpoint(verifier_key: &str, note: &str) -> Option<(String, u64, Hash)> {
    // A name never holds '+'; the base64 key may.
    let mut parts = verifier_key.splitn(3, '+');
    let name = parts.next()?;
    let id = parts.next()?;
    let encoded = BASE64.decode(parts.next()?).ok()?;
    let (&kind, public) = encoded.split_first()?;
    let public: [u8; 32] = public.try_into().ok()?;
    if kind != 1 || hex(&key_id(name, &public)) != id {
        return None;
    }
    let key = VerifyingKey::from_bytes(&public).ok()?;
    let (body, signatures) = note.split_once("\n\n")?;
    let body = format!("{body}\n");
    let mut lines = body.lines();
    let origin = lines.next()?.to_owned();
    let size: u64 = lines.next()?.parse().ok()?;
    let root: Hash = BASE64.decode(lines.next()?).ok()?.try_into().ok()?;
    let signed = signatures.lines().any(|line| {
        let Some(rest) = line.strip_prefix("\u{2014} ") else {
            return false;
        };
        let Some((signer, stamp)) = rest.split_once(' ') else {
            return false;
        };
        let Ok(stamp) = BASE64.decode(stamp) else {
            return false;
        };
        if signer != name || stamp.len() != 68 || stamp[..4] != key_id(name, &public) {
            return false;
        }
        let Ok(signature) = Signature::from_slice(&stamp[4..]) else {
            return false;
        };
        key.verify(body.as_bytes(), &signature).is_ok()
    });
    (signed && origin == name).then_some((origin, size, root))
}

/// A published checkpoint.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = audit_checkpoints)]
pub struct Checkpoint {
    pub tree_size: i64,
    pub root_hash: String,
    pub at: NaiveDateTime,
    pub note: String,
    pub max_delay_ms: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_queue)]
struct Queued {
    id: i64,
    entry_id: String,
    #[diesel(embed)]
    entry: crate::audit::OwnedEntry,
}

fn corrupt(what: String) -> StoreError {
    StoreError::Corrupt(what)
}

fn stored_hash(text: &str) -> StoreResult<Hash> {
    merkle::from_hex(text).ok_or_else(|| corrupt(format!("a stored tree hash is not one: {text}")))
}

/// One stored node of the tree.
fn node(conn: &mut AnyConnection, level: u32, index: u64) -> StoreResult<Hash> {
    let found: Option<String> = audit_tree_nodes::table
        .find((level as i32, index as i64))
        .select(audit_tree_nodes::hash)
        .first(conn)
        .optional()?;
    stored_hash(&found.ok_or_else(|| {
        corrupt(format!(
            "the audit tree lacks node {index} of level {level}"
        ))
    })?)
}

/// The tree's current size and root.
fn tree_state(conn: &mut AnyConnection) -> StoreResult<(i64, String)> {
    Ok(audit_tree::table
        .find(1)
        .select((audit_tree::size, audit_tree::root_hash))
        .first(conn)?)
}

/// The size of the tree under the newest checkpoint (0 before the first).
fn published_size(conn: &mut AnyConnection) -> StoreResult<i64> {
    Ok(audit_checkpoints::table
        .select(diesel::dsl::max(audit_checkpoints::tree_size))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// Signs and stores the checkpoint of the tree at `size` with `root`. Its delay is the longest
/// wait, until now, of an entry it is the first checkpoint of (from the entries' own times).
fn publish(
    conn: &mut AnyConnection,
    signer: &LogSigner,
    published: i64,
    size: i64,
    root: &Hash,
    at: NaiveDateTime,
) -> StoreResult<Checkpoint> {
    let oldest: Option<NaiveDateTime> = audit_entries::table
        .filter(audit_entries::seq.gt(published))
        .filter(audit_entries::seq.le(size))
        .select(diesel::dsl::min(audit_entries::at))
        .first(conn)?;
    let checkpoint = Checkpoint {
        tree_size: size,
        note: signer.sign(size as u64, root),
        root_hash: merkle::to_hex(root),
        at,
        max_delay_ms: oldest.map_or(0, |o| (at - o).num_milliseconds().max(0)),
    };
    diesel::insert_into(audit_checkpoints::table)
        .values((
            audit_checkpoints::tree_size.eq(checkpoint.tree_size),
            audit_checkpoints::root_hash.eq(&checkpoint.root_hash),
            audit_checkpoints::at.eq(checkpoint.at),
            audit_checkpoints::note.eq(&checkpoint.note),
            audit_checkpoints::max_delay_ms.eq(checkpoint.max_delay_ms),
        ))
        .execute(conn)?;
    Ok(checkpoint)
}

/// Moves one chunk of at most `max` queued entries (or, once, of the entries chained before the
/// tree) into the log and the tree; returns the tree's new size. It publishes a checkpoint once
/// [`BATCH`] entries have grown the tree since the last one; [`publish_tree`] publishes the rest.
/// `None` when nothing waited, or when another sequencer integrated meanwhile (then nothing is
/// written).
pub(crate) fn integrate_batch(
    conn: &mut AnyConnection,
    signer: &LogSigner,
    max: i64,
) -> StoreResult<Option<i64>> {
    let at = crate::now();
    let (size, _) = tree_state(conn)?;
    let published = published_size(conn)?;
    // Entries chained before the tree: already in the log, not yet leaves.
    let chained: Vec<AuditEntry> = audit_entries::table
        .filter(audit_entries::seq.gt(size))
        .order(audit_entries::seq)
        .limit(max)
        .select(AuditEntry::as_select())
        .load(conn)?;
    let (entries, queued) = if chained.is_empty() {
        let rows: Vec<Queued> = audit_queue::table
            .order(audit_queue::id)
            .limit(max)
            .select(Queued::as_select())
            .load(conn)?;
        if rows.is_empty() {
            return Ok(None);
        }
        let mut entries = Vec::with_capacity(rows.len());
        let mut queued = Vec::with_capacity(rows.len());
        for (
            offset,
            Queued {
                id,
                entry_id,
                entry: e,
            },
        ) in rows.into_iter().enumerate()
        {
            let mut entry = AuditEntry {
                seq: size + 1 + offset as i64,
                id: entry_id,
                at: e.at,
                actor_id: e.actor_id,
                action: e.action,
                subject_type: e.subject_type,
                subject_id: e.subject_id,
                unit_id: e.unit_id,
                case_id: e.case_id,
                purpose: e.purpose,
                legal_basis: e.legal_basis,
                payload_hash: sha256(&e.payload),
                prev_hash: String::new(),
                entry_hash: String::new(),
            };
            entry.entry_hash = entry_hash(&entry);
            queued.push((id, entry.seq, e.payload));
            entries.push(entry);
        }
        (entries, queued)
    } else {
        for (offset, entry) in chained.iter().enumerate() {
            if entry.seq != size + 1 + offset as i64 {
                return Err(corrupt(format!(
                    "audit entry {} follows the tree of {size} with a gap",
                    entry.seq
                )));
            }
        }
        (chained, Vec::new())
    };
    let leaves: Vec<Hash> = entries
        .iter()
        .map(|e| merkle::leaf_hash(entry_text(e).as_bytes()))
        .collect();
    let frontier = merkle::frontier(size as u64)
        .into_iter()
        .map(|(level, index)| Ok((level, index, node(conn, level, index)?)))
        .collect::<StoreResult<Vec<_>>>()?;
    let appended = merkle::append(frontier, size as u64, &leaves);
    let new_size = size + entries.len() as i64;
    let root = merkle::to_hex(&appended.root());
    // The compare-and-set that keeps two sequencers from forking the log: first, so that a
    // second one waits here (PostgreSQL) and then finds the size moved.
    let moved = diesel::update(
        audit_tree::table
            .filter(audit_tree::id.eq(1))
            .filter(audit_tree::size.eq(size)),
    )
    .set((
        audit_tree::size.eq(new_size),
        audit_tree::root_hash.eq(&root),
        audit_tree::updated_at.eq(at),
    ))
    .execute(conn)?;
    if moved == 0 {
        return Ok(None);
    }
    if !queued.is_empty() {
        for chunk in entries.chunks(200) {
            crate::db::batch_insert!(conn, audit_entries::table, chunk)?;
        }
        let payloads: Vec<_> = queued
            .iter()
            .map(|(_, seq, payload)| {
                (
                    audit_payloads::seq.eq(*seq),
                    audit_payloads::payload.eq(Some(payload.as_str())),
                )
            })
            .collect();
        for chunk in payloads.chunks(500) {
            crate::db::batch_insert!(conn, audit_payloads::table, chunk)?;
        }
        let ids: Vec<i64> = queued.iter().map(|(id, _, _)| *id).collect();
        for chunk in ids.chunks(1000) {
            diesel::delete(audit_queue::table.filter(audit_queue::id.eq_any(chunk)))
                .execute(conn)?;
        }
    }
    let nodes: Vec<_> = appended
        .nodes
        .iter()
        .map(|(level, index, hash)| {
            (
                audit_tree_nodes::level.eq(*level as i32),
                audit_tree_nodes::idx.eq(*index as i64),
                audit_tree_nodes::hash.eq(merkle::to_hex(hash)),
            )
        })
        .collect();
    for chunk in nodes.chunks(500) {
        crate::db::batch_insert!(conn, audit_tree_nodes::table, chunk)?;
    }
    if new_size - published >= BATCH {
        publish(conn, signer, published, new_size, &appended.root(), at)?;
    }
    Ok(Some(new_size))
}

/// Publishes the checkpoint of the tree as it stands, unless one covers it already: what ends
/// every integration ([`Store::integrate_audit`]), and what publishes a tree that grew under a
/// sequencer stopped before its checkpoint.
pub(crate) fn publish_tree(conn: &mut AnyConnection, signer: &LogSigner) -> StoreResult<()> {
    let at = crate::now();
    let (size, root) = tree_state(conn)?;
    if size <= published_size(conn)? {
        return Ok(());
    }
    // The tree's row first, by compare-and-set on its size: a second publisher of the same tree
    // waits here (PostgreSQL), then sees the first one's checkpoint and publishes nothing.
    let held = diesel::update(
        audit_tree::table
            .filter(audit_tree::id.eq(1))
            .filter(audit_tree::size.eq(size)),
    )
    .set(audit_tree::updated_at.eq(at))
    .execute(conn)?;
    let published = published_size(conn)?;
    if held == 0 || size <= published {
        return Ok(());
    }
    let root = merkle::from_hex(&root)
        .ok_or_else(|| corrupt(format!("the tree's root {root:?} is not a hash")))?;
    publish(conn, signer, published, size, &root, at)?;
    Ok(())
}

/// Takes or renews the sequencer's lease for `holder`: true when `holder` is the sequencer
/// until `at + LEASE`.
pub(crate) fn take_lease(
    conn: &mut AnyConnection,
    holder: &str,
    at: NaiveDateTime,
) -> StoreResult<bool> {
    let until = at + chrono::Duration::from_std(LEASE).unwrap_or_default();
    let taken = diesel::update(
        audit_sequencer::table
            .filter(audit_sequencer::id.eq(1))
            .filter(
                audit_sequencer::holder
                    .is_null()
                    .or(audit_sequencer::holder.eq(holder))
                    .or(audit_sequencer::lease_until.lt(at)),
            ),
    )
    .set((
        audit_sequencer::holder.eq(holder),
        audit_sequencer::lease_until.eq(until),
    ))
    .execute(conn)?;
    Ok(taken == 1)
}

/// An inclusion proof: entry `seq` is leaf `seq - 1` of the tree of `tree_size` leaves.
#[derive(Debug, Clone, PartialEq)]
pub struct InclusionProof {
    pub seq: i64,
    pub tree_size: i64,
    pub leaf_hash: String,
    pub root_hash: String,
    pub proof: Vec<String>,
}

/// A consistency proof between two tree sizes.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsistencyProof {
    pub first: i64,
    pub second: i64,
    pub first_root: String,
    pub second_root: String,
    pub proof: Vec<String>,
}

/// The root of the tree of `size` leaves (any size up to the current one), from stored nodes.
fn root_at(conn: &mut AnyConnection, size: u64) -> StoreResult<Hash> {
    let hashes = merkle::frontier(size)
        .into_iter()
        .map(|(level, index)| node(conn, level, index))
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(merkle::root_from_frontier(&hashes))
}

fn proof_error(e: merkle::ProofError<StoreError>) -> StoreError {
    match e {
        merkle::ProofError::OutOfRange => StoreError::NotFound,
        merkle::ProofError::Node(e) => e,
    }
}

fn size_in_tree(field: &'static str, size: i64, limit: i64, what: &str) -> StoreResult<()> {
    if size < 0 || size > limit {
        return Err(StoreError::refused(opora_domain::DomainError::invalid(
            field,
            "out_of_range",
            format!("must be from 0 to {limit}, {what}"),
        )));
    }
    Ok(())
}

/// The result of checking the whole log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub valid: bool,
    pub entries_checked: i64,
    /// The tree's size and root (export them, or a checkpoint, to anchor the log outside).
    pub head: Option<(i64, String)>,
    /// The first entry (or checkpoint, by its tree size) that does not verify, and why.
    pub first_broken: Option<(i64, String)>,
    /// Payloads erased on purpose (their hash is kept in the leaf).
    pub erased_payloads: i64,
    /// Signed checkpoints checked: signature, root, and consistency with the one before.
    pub checkpoints_checked: i64,
}

/// Checks the whole log: each entry's fields against its hash and its leaf, the chain of the
/// entries from before the tree, each payload against its hash, every checkpoint's signature and
/// root against the tree recomputed from the entries, and the consistency proof between
/// consecutive checkpoints.
pub fn verify(conn: &mut AnyConnection, verifier_key: &str) -> StoreResult<Verification> {
    let entries: Vec<AuditEntry> = audit_entries::table
        .order(audit_entries::seq)
        .select(AuditEntry::as_select())
        .load(conn)?;
    let payloads: std::collections::HashMap<i64, (Option<String>, Option<NaiveDateTime>)> =
        audit_payloads::table
            .select((
                audit_payloads::seq,
                audit_payloads::payload,
                audit_payloads::erased_at,
            ))
            .load::<(i64, Option<String>, Option<NaiveDateTime>)>(conn)?
            .into_iter()
            .map(|(s, p, e)| (s, (p, e)))
            .collect();
    let stored_leaves: Vec<(i64, String)> = audit_tree_nodes::table
        .filter(audit_tree_nodes::level.eq(0))
        .order(audit_tree_nodes::idx)
        .select((audit_tree_nodes::idx, audit_tree_nodes::hash))
        .load(conn)?;
    let (tree_size, tree_root) = tree_state(conn)?;
    let checkpoints: Vec<Checkpoint> = audit_checkpoints::table
        .order(audit_checkpoints::tree_size)
        .select(Checkpoint::as_select())
        .load(conn)?;

    let mut broken: Option<(i64, String)> = None;
    let mut prev = GENESIS.to_owned();
    let mut erased = 0;
    let mut leaves = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let expected_seq = i as i64 + 1;
        let leaf = merkle::leaf_hash(entry_text(e).as_bytes());
        let problem = if e.seq != expected_seq {
            Some(format!("sequence gap: expected {expected_seq}"))
        } else if !e.prev_hash.is_empty() && e.prev_hash != prev {
            Some("does not follow the entry before it".to_owned())
        } else if entry_hash(e) != e.entry_hash {
            Some("its fields do not match its hash".to_owned())
        } else if stored_leaves.get(i).map(|(_, h)| h.as_str()) != Some(&merkle::to_hex(&leaf)) {
            Some("its fields do not match its leaf in the tree".to_owned())
        } else {
            match payloads.get(&e.seq) {
                None | Some((None, None)) => Some("its payload is missing".to_owned()),
                Some((_, Some(_))) => {
                    erased += 1;
                    None
                }
                Some((Some(payload), None)) if sha256(payload) == e.payload_hash => None,
                Some((Some(_), None)) => Some("its payload was changed".to_owned()),
            }
        };
        if let Some(reason) = problem {
            broken = Some((e.seq, reason));
            break;
        }
        prev = e.entry_hash.clone();
        leaves.push(leaf);
    }
    let entries_checked = leaves.len() as i64;
    if broken.is_none() && entries_checked != tree_size {
        broken = Some((
            entries_checked + 1,
            format!("the tree holds {tree_size} entries, the log {entries_checked}"),
        ));
    }

    // Every checkpoint's root from the recomputed leaves; its signature; the consistency proof
    // (from stored nodes) from the checkpoint before it.
    let mut checkpoints_checked = 0;
    if broken.is_none() {
        let mut frontier = Vec::new();
        let mut grown = 0usize;
        let mut before: Option<(u64, Hash)> = None;
        for cp in &checkpoints {
            let size = cp.tree_size as usize;
            if size > leaves.len() {
                broken = Some((cp.tree_size, "a checkpoint is ahead of the log".to_owned()));
                break;
            }
            let appended = merkle::append(frontier, grown as u64, &leaves[grown..size]);
            frontier = appended.frontier.clone();
            grown = size;
            let root = appended.root();
            let signed = open_checkpoint(verifier_key, &cp.note);
            let problem = match signed {
                None => Some("its checkpoint's signature does not verify".to_owned()),
                Some((_, s, r)) if s != size as u64 || r != root => {
                    Some("the log does not have its checkpoint's root".to_owned())
                }
                Some(_) if merkle::to_hex(&root) != cp.root_hash => {
                    Some("its checkpoint row differs from the signed note".to_owned())
                }
                Some(_) => match before {
                    Some((first, first_root)) => {
                        let proof =
                            merkle::consistency_proof(first, size as u64, |l, i| node(conn, l, i))
                                .map_err(proof_error)?;
                        (!merkle::verify_consistency(
                            first,
                            size as u64,
                            &first_root,
                            &root,
                            &proof,
                        ))
                        .then(|| "its checkpoint is not consistent with the one before".to_owned())
                    }
                    None => None,
                },
            };
            if let Some(reason) = problem {
                broken = Some((cp.tree_size, reason));
                break;
            }
            before = Some((size as u64, root));
            checkpoints_checked += 1;
        }
        if broken.is_none() {
            let appended = merkle::append(frontier, grown as u64, &leaves[grown..]);
            if merkle::to_hex(&appended.root()) != tree_root {
                broken = Some((tree_size, "the tree's root is not the log's".to_owned()));
            }
        }
    }
    Ok(Verification {
        valid: broken.is_none(),
        entries_checked,
        head: (tree_size > 0).then_some((tree_size, tree_root)),
        first_broken: broken,
        erased_payloads: erased,
        checkpoints_checked,
    })
}

impl Store {
    /// Checks the whole log (auditors; also `opora audit-verify`), after integrating what is
    /// queued.
    pub fn verify_audit(&self, caller: Option<&Caller>) -> StoreResult<Verification> {
        if let Some(caller) = caller {
            caller.require(Action::ReadAudit)?;
        }
        self.integrate_audit()?;
        let key = self.log_signer().verifier_key();
        self.read(|conn| verify(conn, &key))
    }

    /// Integrates everything queued (in batches), so that what was committed before this call is
    /// in the log and under a checkpoint. Returns the tree size it reached (0 when it integrated
    /// nothing).
    pub fn integrate_audit(&self) -> StoreResult<u64> {
        // Only what was queued before this call: under a steady load the queue never empties.
        let target: Option<i64> = self.read(|conn| {
            Ok(audit_queue::table
                .select(diesel::dsl::max(audit_queue::id))
                .first(conn)?)
        })?;
        let mut integrated = 0;
        let done = |integrated| {
            self.write_log(|conn| publish_tree(conn, self.log_signer()))?;
            Ok(integrated)
        };
        loop {
            let batch = self.write_log(|conn| integrate_batch(conn, self.log_signer(), CHUNK))?;
            let Some(target) = target else {
                // Nothing was queued; entries chained before the tree may still wait.
                match batch {
                    Some(_) => continue,
                    None => return done(integrated),
                }
            };
            if let Some(size) = batch {
                integrated = size as u64;
            }
            let left: i64 = self.read(|conn| {
                Ok(audit_queue::table
                    .filter(audit_queue::id.le(target))
                    .count()
                    .get_result(conn)?)
            })?;
            if left == 0 {
                return done(integrated);
            }
            if batch.is_none() {
                // Another sequencer holds the tree row: its batch is ours too.
                std::thread::sleep(Duration::from_millis(2));
            }
        }
    }

    /// Takes or renews the sequencer's lease for `holder` (see [`LEASE`]).
    pub fn take_sequencer_lease(&self, holder: &str, at: NaiveDateTime) -> StoreResult<bool> {
        self.write_log(|conn| take_lease(conn, holder, at))
    }

    /// Gives the lease up (graceful shutdown), so another instance takes over at once.
    pub fn release_sequencer_lease(&self, holder: &str) -> StoreResult<()> {
        self.write(|conn| {
            diesel::update(audit_sequencer::table.filter(audit_sequencer::holder.eq(holder)))
                .set((
                    audit_sequencer::holder.eq(None::<String>),
                    audit_sequencer::lease_until.eq(None::<NaiveDateTime>),
                ))
                .execute(conn)?;
            Ok(())
        })
    }

    /// The sequencer's loop: while this instance holds the lease, integrates what is queued every
    /// `tick`; otherwise tries to take the lease. Returns when `stop` is set, giving the lease up.
    pub fn run_sequencer(&self, holder: &str, stop: &AtomicBool, tick: Duration) {
        while !stop.load(Ordering::Relaxed) {
            match self.take_sequencer_lease(holder, crate::now()) {
                Ok(true) => {
                    if let Err(e) = self.integrate_audit() {
                        log::error!("audit sequencer: {e}");
                    }
                }
                Ok(false) => {}
                Err(e) => log::warn!("audit sequencer cannot reach the database: {e}"),
            }
            std::thread::sleep(tick);
        }
        if let Err(e) = self.release_sequencer_lease(holder) {
            log::warn!("audit sequencer could not give its lease up: {e}");
        }
    }

    /// The newest checkpoint (after integrating what is queued), with the verifier key.
    pub fn latest_checkpoint(&self, caller: &Caller) -> StoreResult<Option<Checkpoint>> {
        caller.require(Action::ReadAudit)?;
        self.integrate_audit()?;
        self.read(|conn| {
            Ok(audit_checkpoints::table
                .order(audit_checkpoints::tree_size.desc())
                .select(Checkpoint::as_select())
                .first(conn)
                .optional()?)
        })
    }

    /// The verifier key of the checkpoints' signatures.
    pub fn audit_verifier_key(&self) -> String {
        self.log_signer().verifier_key()
    }

    /// The inclusion proof of an entry the caller sees, in the tree of `tree_size` leaves (the
    /// current tree when not given).
    pub fn audit_inclusion_proof(
        &self,
        caller: &Caller,
        seq: i64,
        tree_size: Option<i64>,
    ) -> StoreResult<InclusionProof> {
        self.integrate_audit()?;
        self.read(|conn| {
            // An entry outside the caller's scope is not there (404); one inside it needs the
            // auditor's right (403).
            let entry: AuditEntry = audit_entries::table
                .filter(audit_entries::seq.eq(seq))
                .filter(visible_case_records!(audit_entries, caller))
                .select(AuditEntry::as_select())
                .first(conn)
                .optional()?
                .ok_or(StoreError::NotFound)?;
            if crate::audit::hidden_report_entries(conn, caller, std::iter::once(&entry))?
                .contains(&entry.seq)
            {
                return Err(StoreError::NotFound);
            }
            caller.require(Action::ReadAudit)?;
            let (current, _) = tree_state(conn)?;
            let size = tree_size.unwrap_or(current);
            size_in_tree("tree_size", size, current, "the entries in the log")?;
            if seq > size {
                return Err(StoreError::refused(opora_domain::DomainError::invalid(
                    "tree_size",
                    "out_of_range",
                    format!("entry {seq} is not in the tree of {size} entries"),
                )));
            }
            let proof =
                merkle::inclusion_proof(seq as u64 - 1, size as u64, |l, i| node(conn, l, i))
                    .map_err(proof_error)?;
            let root = root_at(conn, size as u64)?;
            Ok(InclusionProof {
                seq,
                tree_size: size,
                leaf_hash: merkle::to_hex(&merkle::leaf_hash(entry_text(&entry).as_bytes())),
                root_hash: merkle::to_hex(&root),
                proof: proof.iter().map(merkle::to_hex).collect(),
            })
        })
    }

    /// The consistency proof between the trees of `first` and `second` leaves (`second`: the
    /// current tree when not given).
    pub fn audit_consistency_proof(
        &self,
        caller: &Caller,
        first: i64,
        second: Option<i64>,
    ) -> StoreResult<ConsistencyProof> {
        caller.require(Action::ReadAudit)?;
        self.integrate_audit()?;
        self.read(|conn| {
            let (current, _) = tree_state(conn)?;
            let second = second.unwrap_or(current);
            size_in_tree("second", second, current, "the entries in the log")?;
            size_in_tree("first", first, second, "the size of the second tree")?;
            let proof =
                merkle::consistency_proof(first as u64, second as u64, |l, i| node(conn, l, i))
                    .map_err(proof_error)?;
            Ok(ConsistencyProof {
                first,
                second,
                first_root: merkle::to_hex(&root_at(conn, first as u64)?),
                second_root: merkle::to_hex(&root_at(conn, second as u64)?),
                proof: proof.iter().map(merkle::to_hex).collect(),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::audit::{append, Entry};
    use crate::directory::{NewUnit, StaffUpsert};
    use crate::testing::{postgres_url, stores};
    use diesel::connection::SimpleConnection;
    use opora_domain::{Role, UnitKind};

    /// An auditor of a new unit, to ask for proofs.
    fn auditor(store: &Store) -> Caller {
        let unit = store
            .create_unit(NewUnit {
                parent_id: None,
                kind: UnitKind::Department,
                name: "D".into(),
            })
            .unwrap();
        store
            .upsert_staff(StaffUpsert {
                id: "aud".into(),
                full_name: None,
                roles: vec![Role::Auditor],
                unit_id: Some(unit.id),
                active: true,
            })
            .unwrap();
        store.authenticate("aud").unwrap().unwrap()
    }

    fn look(store: &Store, caller: &Caller, n: usize) {
        store
            .write(|conn| {
                for i in 0..n {
                    append(
                        conn,
                        Entry {
                            actor_id: &caller.actor.staff_id,
                            at: crate::now(),
                            action: "case.viewed",
                            subject_type: "case",
                            subject_id: &format!("case-{i}"),
                            unit_id: &caller.unit_id,
                            case_id: None,
                            purpose: None,
                            legal_basis: None,
                            payload: serde_json::json!({ "i": i }),
                        },
                    )?;
                }
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn parallel_appends_and_two_sequencers_never_fork_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let url = postgres_url("seq")
            .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("seq.db").display()));
        // Two instances on one database, each with its own sequencer.
        let first = Store::open(&url, 8).unwrap();
        let second = Store::open(&url, 8).unwrap();
        let caller = auditor(&first);
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let sequencers: Vec<_> = [first.clone(), second.clone()]
            .into_iter()
            .map(|store| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        store.integrate_audit().unwrap();
                    }
                })
            })
            .collect();
        let writers: Vec<_> = (0..8)
            .map(|w| {
                let store = if w % 2 == 0 {
                    first.clone()
                } else {
                    second.clone()
                };
                let caller = caller.clone();
                std::thread::spawn(move || {
                    for _ in 0..10 {
                        look(&store, &caller, 5);
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        stop.store(true, Ordering::Relaxed);
        for s in sequencers {
            s.join().unwrap();
        }
        let v = second.verify_audit(None).unwrap();
        assert!(v.valid, "{v:?}");
        // 400 looks, and the entries of the unit and the staff member set up first.
        let set_up = v.entries_checked - 400;
        assert!((0..10).contains(&set_up), "{v:?}");
        assert_eq!(v.head.map(|h| h.0), Some(v.entries_checked));
        assert!(v.checkpoints_checked >= 1);
        // Each integration ends in a checkpoint of the whole tree, published once.
        let newest = second.latest_checkpoint(&caller).unwrap().unwrap();
        assert_eq!(newest.tree_size, v.entries_checked);
    }

    #[test]
    fn an_integration_publishes_a_checkpoint_every_batch_and_one_of_the_whole_tree_at_its_end() {
        let (stores, _dir) = stores();
        for store in stores {
            let caller = auditor(&store);
            store.integrate_audit().unwrap();
            let start = store
                .latest_checkpoint(&caller)
                .unwrap()
                .map_or(0, |c| c.tree_size);
            let queued = BATCH as usize + 3 * CHUNK as usize / 2;
            look(&store, &caller, queued);
            let size = store.integrate_audit().unwrap() as i64;
            let sizes: Vec<i64> = store
                .read(|conn| {
                    Ok(audit_checkpoints::table
                        .filter(audit_checkpoints::tree_size.gt(start))
                        .order(audit_checkpoints::tree_size)
                        .select(audit_checkpoints::tree_size)
                        .load(conn)?)
                })
                .unwrap();
            assert_eq!(size, start + queued as i64);
            assert_eq!(sizes.len(), 2, "{sizes:?}");
            assert!(
                (start + BATCH..start + BATCH + CHUNK).contains(&sizes[0]),
                "{sizes:?}"
            );
            assert_eq!(sizes[1], size);
            // Nothing new: no new checkpoint.
            store.integrate_audit().unwrap();
            let again: i64 = store
                .read(|conn| {
                    Ok(audit_checkpoints::table
                        .filter(audit_checkpoints::tree_size.gt(start))
                        .count()
                        .get_result(conn)?)
                })
                .unwrap();
            assert_eq!(again, 2);
            let v = store.verify_audit(None).unwrap();
            assert!(v.valid, "{v:?}");
        }
    }

    #[test]
    fn the_sequencer_lease_has_one_holder_until_it_lapses() {
        let (stores, _dir) = stores();
        for store in stores {
            let t = crate::now();
            let lease = chrono::Duration::from_std(LEASE).unwrap();
            assert!(store.take_sequencer_lease("a", t).unwrap());
            assert!(!store.take_sequencer_lease("b", t).unwrap());
            assert!(store
                .take_sequencer_lease("a", t + chrono::Duration::seconds(1))
                .unwrap());
            // "a" stopped renewing (its instance died): "b" takes over after the lease.
            assert!(!store.take_sequencer_lease("b", t + lease).unwrap());
            assert!(store
                .take_sequencer_lease("b", t + lease + chrono::Duration::seconds(2))
                .unwrap());
            assert!(!store
                .take_sequencer_lease("a", t + lease + chrono::Duration::seconds(3))
                .unwrap());
            // A graceful stop gives the lease up at once.
            store.release_sequencer_lease("b").unwrap();
            assert!(store
                .take_sequencer_lease("a", t + lease + chrono::Duration::seconds(3))
                .unwrap());
        }
    }

    #[test]
    fn every_entry_proves_its_inclusion_and_each_checkpoint_extends_the_one_before() {
        let (stores, _dir) = stores();
        for store in stores {
            let caller = auditor(&store);
            let mut checkpoints = Vec::new();
            for batch in [3, 1, 8, 5, 16] {
                look(&store, &caller, batch);
                checkpoints.push(store.latest_checkpoint(&caller).unwrap().unwrap());
            }
            let key = store.audit_verifier_key();
            let opened: Vec<(u64, Hash)> = checkpoints
                .iter()
                .map(|c| {
                    let (_, size, root) = open_checkpoint(&key, &c.note).unwrap();
                    assert_eq!(
                        (size as i64, merkle::to_hex(&root)),
                        (c.tree_size, c.root_hash.clone())
                    );
                    (size, root)
                })
                .collect();
            let (size, root) = *opened.last().unwrap();
            let visible: Vec<i64> = store
                .audit_entries(
                    &caller,
                    &crate::audit::AuditFilter {
                        action: Some("case.viewed".into()),
                        ..Default::default()
                    },
                    &crate::PageRequest {
                        after: None,
                        limit: 200,
                    },
                )
                .unwrap()
                .items
                .iter()
                .map(|r| r.entry.seq)
                .collect();
            assert_eq!(visible.len(), 33);
            for seq in visible.iter().copied().filter(|s| *s as u64 <= size) {
                let proof = store
                    .audit_inclusion_proof(&caller, seq, Some(size as i64))
                    .unwrap();
                let path: Vec<Hash> = proof
                    .proof
                    .iter()
                    .map(|h| merkle::from_hex(h).unwrap())
                    .collect();
                let leaf = merkle::from_hex(&proof.leaf_hash).unwrap();
                assert!(
                    merkle::verify_inclusion(seq as u64 - 1, size, &leaf, &path, &root),
                    "entry {seq}"
                );
            }
            for pair in opened.windows(2) {
                let ((first, first_root), (second, second_root)) = (pair[0], pair[1]);
                let proof = store
                    .audit_consistency_proof(&caller, first as i64, Some(second as i64))
                    .unwrap();
                let path: Vec<Hash> = proof
                    .proof
                    .iter()
                    .map(|h| merkle::from_hex(h).unwrap())
                    .collect();
                assert!(merkle::verify_consistency(
                    first,
                    second,
                    &first_root,
                    &second_root,
                    &path
                ));
            }
            // A tree larger than the log's has no proof.
            assert!(matches!(
                store.audit_consistency_proof(&caller, 1, Some(size as i64 + 10_000)),
                Err(StoreError::Invalid { .. })
            ));
        }
    }

    #[test]
    fn a_checkpoint_signed_with_another_key_or_rewritten_is_caught() {
        let (stores, _dir) = stores();
        for store in stores {
            let caller = auditor(&store);
            look(&store, &caller, 4);
            assert!(store.verify_audit(None).unwrap().valid);
            // The same log checked against another key: no checkpoint verifies.
            let other = store
                .clone()
                .with_log_signer(LogSigner::derived(crate::DEFAULT_LOG_ORIGIN, "another key"));
            let v = other.verify_audit(None).unwrap();
            assert_eq!(
                v.first_broken.map(|b| b.1),
                Some("its checkpoint's signature does not verify".to_owned())
            );
            // A forger who rewrites an entry and its hash, its leaf and the tree's root is still
            // caught by the signed checkpoint.
            let mut conn = store.conn().unwrap();
            let mut entry: AuditEntry = audit_entries::table
                .order(audit_entries::seq.desc())
                .select(AuditEntry::as_select())
                .first(&mut *conn)
                .unwrap();
            entry.actor_id = "someone-else".into();
            entry.entry_hash = entry_hash(&entry);
            let leaf = merkle::to_hex(&merkle::leaf_hash(entry_text(&entry).as_bytes()));
            conn.batch_execute(&format!(
                "UPDATE audit_entries SET actor_id = 'someone-else', entry_hash = '{}' WHERE seq = {}; \
                 UPDATE audit_tree_nodes SET hash = '{leaf}' WHERE level = 0 AND idx = {}",
                entry.entry_hash,
                entry.seq,
                entry.seq - 1
            ))
            .unwrap();
            drop(conn);
            let v = store.verify_audit(None).unwrap();
            assert!(!v.valid);
            assert_eq!(
                v.first_broken.map(|b| b.1),
                Some("the log does not have its checkpoint's root".to_owned())
            );
        }
    }

    #[test]
    fn entries_chained_before_the_tree_become_its_first_leaves() {
        let (stores, _dir) = stores();
        for store in stores {
            // Three entries as the hash chain wrote them, before any was a leaf.
            let mut prev = GENESIS.to_owned();
            let mut conn = store.conn().unwrap();
            for seq in 1..=3 {
                let payload = format!("{{\"n\":{seq}}}");
                let mut e = AuditEntry {
                    seq,
                    id: crate::new_id(),
                    at: crate::now(),
                    actor_id: "old".into(),
                    action: "case.viewed".into(),
                    subject_type: "case".into(),
                    subject_id: format!("c{seq}"),
                    unit_id: "u".into(),
                    case_id: None,
                    purpose: None,
                    legal_basis: None,
                    payload_hash: sha256(&payload),
                    prev_hash: prev.clone(),
                    entry_hash: String::new(),
                };
                e.entry_hash = entry_hash(&e);
                prev = e.entry_hash.clone();
                diesel::insert_into(audit_entries::table)
                    .values(&e)
                    .execute(&mut *conn)
                    .unwrap();
                diesel::insert_into(audit_payloads::table)
                    .values((
                        audit_payloads::seq.eq(seq),
                        audit_payloads::payload.eq(Some(payload)),
                    ))
                    .execute(&mut *conn)
                    .unwrap();
            }
            drop(conn);
            let caller = auditor(&store);
            look(&store, &caller, 2);
            let v = store.verify_audit(None).unwrap();
            assert!(v.valid, "{v:?}");
            assert!(v.entries_checked >= 5);
            // The chain still guards the old entries: one changed breaks it there.
            let mut conn = store.conn().unwrap();
            conn.batch_execute("UPDATE audit_entries SET prev_hash = 'x' WHERE seq = 2")
                .unwrap();
            drop(conn);
            let v = store.verify_audit(None).unwrap();
            assert_eq!(v.first_broken.map(|b| b.0), Some(2));
        }
    }

    #[test]
    fn a_checkpoint_note_opens_only_with_its_key_and_unchanged() {
        let signer = LogSigner::derived("example.org/log", "k");
        let root = merkle::leaf_hash(b"x");
        let note = signer.sign(7, &root);
        assert!(note.starts_with("example.org/log\n7\n"), "{note}");
        assert_eq!(
            open_checkpoint(&signer.verifier_key(), &note),
            Some(("example.org/log".to_owned(), 7, root))
        );
        let other = LogSigner::derived("example.org/log", "other");
        assert_eq!(open_checkpoint(&other.verifier_key(), &note), None);
        assert_eq!(
            open_checkpoint(&signer.verifier_key(), &note.replace("\n7\n", "\n8\n")),
            None
        );
        let seed = BASE64.encode([7u8; 32]);
        assert!(LogSigner::from_base64_seed("o", &seed).is_ok());
        assert!(LogSigner::from_base64_seed("o", "c2hvcnQ=").is_err());
    }
}
