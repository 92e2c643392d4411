//! The audit log as a verifiable log (RFC 9162): an auditor keeps signed checkpoints and checks,
//! with nothing but the verifier key and the proofs the API hands out, that every entry they see
//! is in the tree and that a later tree extends an earlier one. The proofs are checked here by the
//! RFC's algorithms, not by asking the server.

use opora_domain::merkle::{from_hex, leaf_hash, verify_consistency, verify_inclusion, Hash};
use opora_domain::Role;
use opora_persistence::audit::{entry_text, AuditEntry};
use opora_persistence::audit_log::open_checkpoint;
use opora_tests::walk::{family, opened_case};
use opora_tests::TestApp;
use serde_json::{json, Value};

/// District A with a case manager (olena) and an auditor (maria).
struct Office {
    app: TestApp,
    manager: String,
    auditor: String,
}

fn office() -> Office {
    let app = TestApp::start();
    let a = app.district_a.clone();
    let manager = app.staff("olena", &[Role::CaseManager], &a);
    let auditor = app.staff("maria", &[Role::Auditor], &a);
    Office {
        app,
        manager,
        auditor,
    }
}

/// A checkpoint as an auditor keeps it: opened with the verifier key it came with.
#[derive(Debug, Clone)]
struct Kept {
    size: u64,
    root: Hash,
    note: String,
    verifier_key: String,
}

impl Office {
    /// `clients` new clients, each created and then looked at by the case manager; their ids.
    fn work(&self, clients: usize) -> Vec<String> {
        (0..clients)
            .map(|_| {
                let id = family(&self.app, &self.manager, None).id();
                let viewed = self
                    .app
                    .get(&format!("/api/v1/clients/{id}"), &self.manager);
                assert_eq!(viewed.status, 200, "{:?}", viewed.body);
                id
            })
            .collect()
    }

    /// The latest checkpoint, its signed note opened with its verifier key and matched against
    /// the size and root it is served with.
    fn checkpoint(&self) -> Kept {
        let answer = self.app.get("/api/v1/audit/checkpoint", &self.auditor);
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        let body = &answer.body;
        let size = body["tree_size"].as_u64().unwrap();
        let root = from_hex(body["root_hash"].as_str().unwrap()).unwrap();
        let note = body["note"].as_str().unwrap().to_owned();
        let verifier_key = body["verifier_key"].as_str().unwrap().to_owned();
        let (origin, signed_size, signed_root) =
            open_checkpoint(&verifier_key, &note).expect("the note opens with the verifier key");
        assert_eq!((signed_size, signed_root), (size, root), "{body}");
        assert!(
            verifier_key.starts_with(&format!("{origin}+")),
            "{verifier_key} signs for {origin}"
        );
        assert!(body["max_delay_ms"].as_i64().unwrap() >= 0, "{body}");
        Kept {
            size,
            root,
            note,
            verifier_key,
        }
    }

    /// One page of the entries the auditor sees (`query` without the leading `?`).
    fn entries(&self, query: &str) -> Vec<Value> {
        let answer = self
            .app
            .get(&format!("/api/v1/audit/entries?{query}"), &self.auditor);
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        answer.body["items"].as_array().unwrap().clone()
    }

    fn inclusion_proof(&self, token: &str, seq: i64, tree_size: u64) -> opora_tests::Answer {
        self.app.get(
            &format!("/api/v1/audit/entries/{seq}/inclusion-proof?tree_size={tree_size}"),
            token,
        )
    }
}

fn hashes(proof: &Value) -> Vec<Hash> {
    proof
        .as_array()
        .unwrap()
        .iter()
        .map(|h| from_hex(h.as_str().unwrap()).unwrap())
        .collect()
}

fn text(value: &Value) -> Option<String> {
    value.as_str().map(str::to_owned)
}

/// The leaf an entry, as the API lists it, must be: recomputed here from its fields.
fn leaf_of(entry: &Value) -> Hash {
    let field = |name: &str| text(&entry[name]).unwrap();
    let at: chrono::DateTime<chrono::Utc> = field("at").parse().unwrap();
    let entry = AuditEntry {
        seq: entry["seq"].as_i64().unwrap(),
        id: field("id"),
        at: at.naive_utc(),
        actor_id: field("actor_id"),
        action: field("action"),
        subject_type: field("subject_type"),
        subject_id: field("subject_id"),
        unit_id: field("unit_id"),
        case_id: text(&entry["case_id"]),
        purpose: text(&entry["purpose"]),
        legal_basis: text(&entry["legal_basis"]),
        payload_hash: field("payload_hash"),
        prev_hash: field("prev_hash"),
        entry_hash: field("entry_hash"),
    };
    leaf_hash(entry_text(&entry).as_bytes())
}

#[test]
fn a_later_checkpoint_proves_that_it_extends_the_one_an_auditor_kept() {
    let o = office();
    o.work(2);
    let old = o.checkpoint();
    assert!(old.size > 0, "{old:?}");

    o.work(3);
    let new = o.checkpoint();
    assert_eq!(new.verifier_key, old.verifier_key);
    assert!(new.size > old.size, "{old:?} then {new:?}");
    assert_ne!(new.root, old.root);
    // The old note still opens, and not once its size is changed.
    assert!(open_checkpoint(&new.verifier_key, &old.note).is_some());
    let forged = old.note.replacen(
        &format!("\n{}\n", old.size),
        &format!("\n{}\n", new.size),
        1,
    );
    assert_ne!(forged, old.note);
    assert_eq!(open_checkpoint(&new.verifier_key, &forged), None);

    let answer = o.app.get(
        &format!(
            "/api/v1/audit/consistency-proof?first={}&second={}",
            old.size, new.size
        ),
        &o.auditor,
    );
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let body = &answer.body;
    assert_eq!(
        (body["first"].as_u64(), body["second"].as_u64()),
        (Some(old.size), Some(new.size))
    );
    assert_eq!(
        from_hex(body["first_root"].as_str().unwrap()),
        Some(old.root)
    );
    assert_eq!(
        from_hex(body["second_root"].as_str().unwrap()),
        Some(new.root)
    );
    let proof = hashes(&body["proof"]);
    assert!(!proof.is_empty());
    assert!(verify_consistency(
        old.size, new.size, &old.root, &new.root, &proof
    ));

    // The same proof does not tie the new tree to another first root (that of a smaller tree),
    // nor to another second root.
    let smaller = o.app.get(
        &format!(
            "/api/v1/audit/consistency-proof?first={}&second={}",
            old.size - 1,
            new.size
        ),
        &o.auditor,
    );
    assert_eq!(smaller.status, 200, "{:?}", smaller.body);
    let wrong_root = from_hex(smaller.body["first_root"].as_str().unwrap()).unwrap();
    assert_ne!(wrong_root, old.root);
    assert!(!verify_consistency(
        old.size,
        new.size,
        &wrong_root,
        &new.root,
        &proof
    ));
    assert!(!verify_consistency(
        old.size, new.size, &old.root, &old.root, &proof
    ));
}

#[test]
fn every_entry_an_auditor_lists_proves_its_inclusion_in_the_latest_checkpoint() {
    let o = office();
    o.work(3);
    let listed = o.entries("limit=200");
    assert!(listed.len() >= 6, "{listed:?}");
    let latest = o.checkpoint();

    for entry in &listed {
        let seq = entry["seq"].as_i64().unwrap();
        assert!(seq as u64 <= latest.size, "entry {seq}: {latest:?}");
        let answer = o.inclusion_proof(&o.auditor, seq, latest.size);
        assert_eq!(answer.status, 200, "entry {seq}: {:?}", answer.body);
        let body = &answer.body;
        assert_eq!(body["seq"].as_i64(), Some(seq));
        assert_eq!(body["leaf_index"].as_i64(), Some(seq - 1));
        assert_eq!(body["tree_size"].as_u64(), Some(latest.size));
        assert_eq!(
            from_hex(body["root_hash"].as_str().unwrap()),
            Some(latest.root)
        );
        // The leaf is the entry the auditor was shown, not just some leaf of the tree.
        let leaf = from_hex(body["leaf_hash"].as_str().unwrap()).unwrap();
        assert_eq!(leaf, leaf_of(entry), "entry {seq}");
        let proof = hashes(&body["proof"]);
        let index = seq as u64 - 1;
        assert!(
            verify_inclusion(index, latest.size, &leaf, &proof, &latest.root),
            "entry {seq}"
        );
        // And at no other place.
        let elsewhere = if index == 0 { 1 } else { index - 1 };
        assert!(
            !verify_inclusion(elsewhere, latest.size, &leaf, &proof, &latest.root),
            "entry {seq} also at leaf {elsewhere}"
        );
    }
}

#[test]
fn an_inclusion_proof_is_not_found_outside_the_callers_units_and_forbidden_to_non_auditors() {
    let o = office();
    let case = opened_case(&o.app, &o.manager, "olena", "case_management");
    let case_id = case["id"].as_str().unwrap().to_owned();
    let about_case = o.entries(&format!("subject_id={case_id}&limit=200"));
    let seq = about_case
        .iter()
        .find(|e| e["case_id"] == case_id.as_str())
        .unwrap_or_else(|| panic!("no entry of case {case_id}: {about_case:?}"))["seq"]
        .as_i64()
        .unwrap();
    let size = o.checkpoint().size;
    assert_eq!(o.inclusion_proof(&o.auditor, seq, size).status, 200);

    let b = o.app.district_b.clone();
    let other_auditor = o.app.staff("taras", &[Role::Auditor], &b);
    let foreign = o.inclusion_proof(&other_auditor, seq, size);
    assert_eq!(foreign.status, 404, "{:?}", foreign.body);
    let manager = o.inclusion_proof(&o.manager, seq, size);
    assert_eq!(manager.status, 403, "{:?}", manager.body);

    let beyond = o.inclusion_proof(&o.auditor, seq, size + 1000);
    assert_eq!(
        (beyond.status, beyond.fields_at_fault()),
        (422, vec!["tree_size".to_owned()]),
        "{:?}",
        beyond.body
    );
    let before = o.inclusion_proof(&o.auditor, seq, seq as u64 - 1);
    assert_eq!(
        (before.status, before.fields_at_fault()),
        (422, vec!["tree_size".to_owned()]),
        "{:?}",
        before.body
    );

    // The report's entries from before the case existed carry no case id, but are the case's.
    let registered = o.entries("action=report.registered&limit=200");
    assert_eq!(registered.len(), 1, "{registered:?}");
    let report_seq = registered[0]["seq"].as_i64().unwrap();
    assert_eq!(o.inclusion_proof(&o.auditor, report_seq, size).status, 200);

    // Once the case is restricted, an auditor of its unit not named on it finds no proof of it,
    // nor of its report's entries.
    let supervisor = o.app.staff("iryna", &[Role::Supervisor], &o.app.district_a);
    let restricted = o.app.send(
        "PUT",
        &format!("/api/v1/cases/{case_id}/restriction"),
        Some(&supervisor),
        &[],
        Some(&json!({"restricted": true, "named_staff": ["iryna"],
                     "reason": "The mother's partner works in the unit"})),
    );
    assert_eq!(restricted.status, 200, "{:?}", restricted.body);
    let unnamed = o.inclusion_proof(&o.auditor, seq, size);
    assert_eq!(unnamed.status, 404, "{:?}", unnamed.body);
    let report_entry = o.inclusion_proof(&o.auditor, report_seq, size);
    assert_eq!(report_entry.status, 404, "{:?}", report_entry.body);
}

#[test]
fn an_entry_committed_just_before_the_auditor_asks_is_already_in_the_checkpoint() {
    let o = office();
    for _ in 0..5 {
        let client = family(&o.app, &o.manager, None).id();
        let viewed = o.app.get(&format!("/api/v1/clients/{client}"), &o.manager);
        assert_eq!(viewed.status, 200, "{:?}", viewed.body);
        let checkpoint = o.checkpoint();

        let views = o.entries(&format!("subject_id={client}&action=client.viewed"));
        assert_eq!(views.len(), 1, "{views:?}");
        let seq = views[0]["seq"].as_i64().unwrap();
        assert!(
            seq as u64 <= checkpoint.size,
            "entry {seq} is not in the checkpoint of {}",
            checkpoint.size
        );
        let answer = o.inclusion_proof(&o.auditor, seq, checkpoint.size);
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        let leaf = from_hex(answer.body["leaf_hash"].as_str().unwrap()).unwrap();
        assert_eq!(leaf, leaf_of(&views[0]));
        assert!(verify_inclusion(
            seq as u64 - 1,
            checkpoint.size,
            &leaf,
            &hashes(&answer.body["proof"]),
            &checkpoint.root
        ));
    }
}

#[test]
fn the_whole_log_verifies_with_every_signed_checkpoint_after_work() {
    let o = office();
    o.work(2);
    let first = o.checkpoint();
    o.work(2);
    let second = o.checkpoint();
    assert!(second.size > first.size);

    let answer = o
        .app
        .post("/api/v1/audit/verification", &o.auditor, json!({}));
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let v = &answer.body;
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["first_broken_seq"], Value::Null, "{v}");
    assert!(v["checkpoints_checked"].as_i64().unwrap() >= 2, "{v}");
    let head = v["head_seq"].as_u64().unwrap();
    assert_eq!(v["entries_checked"].as_u64(), Some(head), "{v}");
    // Nothing was done since the second checkpoint: the verified head is that checkpoint.
    assert_eq!(head, second.size, "{v}");
    assert_eq!(
        from_hex(v["head_hash"].as_str().unwrap()),
        Some(second.root),
        "{v}"
    );

    // A case manager may not run it.
    let refused = o
        .app
        .post("/api/v1/audit/verification", &o.manager, json!({}));
    assert_eq!(refused.status, 403, "{:?}", refused.body);
}
