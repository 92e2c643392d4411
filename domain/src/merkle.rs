//! The audit log's verifiable tree: a Merkle tree over the log's entries as Certificate
//! Transparency defines it (RFC 9162 §2.1), with the inclusion and consistency proofs that let an
//! auditor check, without trusting the server, that an entry is in the log and that a later tree
//! extends an earlier one (nothing removed, changed or re-ordered).
//!
//! A tree is stored as its *perfect subtrees*: node `(level, index)` is the hash of leaves
//! `index·2^level .. (index+1)·2^level`. Appending a leaf adds it and every perfect subtree it
//! completes (two nodes per leaf on average); a tree of any size is the fold of the perfect
//! subtrees along its right edge ([`frontier`]), and every proof is assembled from `O(log n)`
//! stored nodes. Pure arithmetic: the store hands nodes in through a closure.

use sha2::{Digest, Sha256};

/// A SHA-256 value.
pub type Hash = [u8; 32];

/// A stored node: its level (0 = a leaf), its index on that level, and its hash.
pub type Node = (u32, u64, Hash);

/// The hash of a leaf: `SHA-256(0x00 ‖ data)` (RFC 9162 §2.1.1).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// The hash of an inner node: `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: the hash of the empty string.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The perfect subtrees a tree of `size` leaves is made of, leftmost (largest) first, as
/// `(level, index)`.
pub fn frontier(size: u64) -> Vec<(u32, u64)> {
    let mut out = Vec::new();
    let mut start = 0u64;
    for level in (0..64u32).rev() {
        if size & (1u64 << level) != 0 {
            out.push((level, start >> level));
            start += 1u64 << level;
        }
    }
    out
}

/// The root of a tree from the hashes of its [`frontier`], leftmost first.
pub fn root_from_frontier(hashes: &[Hash]) -> Hash {
    match hashes.split_last() {
        None => empty_root(),
        Some((last, rest)) => rest
            .iter()
            .rev()
            .fold(*last, |acc, left| node_hash(left, &acc)),
    }
}

/// What appending leaves produced: the nodes to store (leaves and completed subtrees) and the
/// new frontier, leftmost first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    pub nodes: Vec<Node>,
    pub frontier: Vec<Node>,
}

impl Appended {
    pub fn root(&self) -> Hash {
        let hashes: Vec<Hash> = self.frontier.iter().map(|n| n.2).collect();
        root_from_frontier(&hashes)
    }
}

/// Appends leaf hashes to a tree of `size` leaves whose frontier nodes are given (leftmost
/// first, as [`frontier`] names them).
pub fn append(frontier_nodes: Vec<Node>, size: u64, leaves: &[Hash]) -> Appended {
    let mut stack = frontier_nodes;
    let mut nodes = Vec::with_capacity(leaves.len() * 2);
    for (offset, leaf) in leaves.iter().enumerate() {
        let index = size + offset as u64;
        nodes.push((0, index, *leaf));
        stack.push((0, index, *leaf));
        while stack.len() >= 2 && stack[stack.len() - 1].0 == stack[stack.len() - 2].0 {
            let (level, _, right) = stack.pop().unwrap_or_default();
            let (_, left_index, left) = stack.pop().unwrap_or_default();
            let parent = (level + 1, left_index >> 1, node_hash(&left, &right));
            nodes.push(parent);
            stack.push(parent);
        }
    }
    Appended {
        nodes,
        frontier: stack,
    }
}

/// The largest power of two smaller than `n` (`n` ≥ 2).
fn split_point(n: u64) -> u64 {
    let k = 1u64 << (63 - n.leading_zeros());
    if k == n {
        k >> 1
    } else {
        k
    }
}

/// The hash of leaves `start..end` (the range RFC 9162's recursion produces: `start` aligned).
fn subtree<E>(
    start: u64,
    end: u64,
    node: &mut impl FnMut(u32, u64) -> Result<Hash, E>,
) -> Result<Hash, E> {
    let n = end - start;
    if n.is_power_of_two() && start.is_multiple_of(n) {
        let level = n.trailing_zeros();
        return node(level, start >> level);
    }
    let k = split_point(n);
    let left = subtree(start, start + k, node)?;
    let right = subtree(start + k, end, node)?;
    Ok(node_hash(&left, &right))
}

/// Why a proof cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProofError<E> {
    /// The indexes or sizes asked for do not name a proof (e.g. a leaf beyond the tree).
    OutOfRange,
    /// A node could not be read.
    Node(E),
}

/// The inclusion proof (audit path) of leaf `index` in the tree of `size` leaves
/// (RFC 9162 §2.1.3.1), nearest sibling first.
pub fn inclusion_proof<E>(
    index: u64,
    size: u64,
    mut node: impl FnMut(u32, u64) -> Result<Hash, E>,
) -> Result<Vec<Hash>, ProofError<E>> {
    if index >= size {
        return Err(ProofError::OutOfRange);
    }
    let mut out = Vec::new();
    path(index, 0, size, &mut node, &mut out).map_err(ProofError::Node)?;
    Ok(out)
}

fn path<E>(
    m: u64,
    start: u64,
    end: u64,
    node: &mut impl FnMut(u32, u64) -> Result<Hash, E>,
    out: &mut Vec<Hash>,
) -> Result<(), E> {
    let n = end - start;
    if n <= 1 {
        return Ok(());
    }
    let k = split_point(n);
    if m < k {
        path(m, start, start + k, node, out)?;
        out.push(subtree(start + k, end, node)?);
    } else {
        path(m - k, start + k, end, node, out)?;
        out.push(subtree(start, start + k, node)?);
    }
    Ok(())
}

/// The consistency proof between the tree of `first` leaves and the tree of `second` leaves
/// (RFC 9162 §2.1.4.1). Empty when the sizes are equal or the first tree is empty.
pub fn consistency_proof<E>(
    first: u64,
    second: u64,
    mut node: impl FnMut(u32, u64) -> Result<Hash, E>,
) -> Result<Vec<Hash>, ProofError<E>> {
    if first > second {
        return Err(ProofError::OutOfRange);
    }
    let mut out = Vec::new();
    if first == 0 || first == second {
        return Ok(out);
    }
    subproof(first, 0, second, true, &mut node, &mut out).map_err(ProofError::Node)?;
    Ok(out)
}

fn subproof<E>(
    m: u64,
    start: u64,
    end: u64,
    whole: bool,
    node: &mut impl FnMut(u32, u64) -> Result<Hash, E>,
    out: &mut Vec<Hash>,
) -> Result<(), E> {
    let n = end - start;
    if m == n {
        if !whole {
            out.push(subtree(start, end, node)?);
        }
        return Ok(());
    }
    let k = split_point(n);
    if m <= k {
        subproof(m, start, start + k, whole, node, out)?;
        out.push(subtree(start + k, end, node)?);
    } else {
        subproof(m - k, start + k, end, false, node, out)?;
        out.push(subtree(start, start + k, node)?);
    }
    Ok(())
}

/// Checks an inclusion proof (RFC 9162 §2.1.3.2): that the leaf with this hash is leaf `index`
/// of the tree of `size` leaves whose root is `root`.
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && r == *root
}

/// Checks a consistency proof (RFC 9162 §2.1.4.2): that the tree of `second` leaves with root
/// `second_root` extends the tree of `first` leaves with root `first_root`.
pub fn verify_consistency(
    first: u64,
    second: u64,
    first_root: &Hash,
    second_root: &Hash,
    proof: &[Hash],
) -> bool {
    if first > second {
        return false;
    }
    if first == second {
        return proof.is_empty() && first_root == second_root;
    }
    if first == 0 {
        return proof.is_empty() && *first_root == empty_root();
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if first.is_power_of_two() {
        path.push(*first_root);
    }
    path.extend_from_slice(proof);
    let Some((head, rest)) = path.split_first() else {
        return false;
    };
    let (mut fnode, mut snode) = (first - 1, second - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (*head, *head);
    for c in rest {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    fr == *first_root && sr == *second_root && snode == 0
}

/// Lower-case hex of a hash.
pub fn to_hex(hash: &Hash) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// A hash from 64 hex digits; `None` for anything else.
pub fn from_hex(text: &str) -> Option<Hash> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    /// RFC 9162's MTH, written as the RFC states it, over leaf hashes.
    fn reference_root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = split_point(n as u64) as usize;
                node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
            }
        }
    }

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(format!("entry {i}").as_bytes()))
            .collect()
    }

    /// A tree grown in batches, as the sequencer grows it; its stored nodes.
    fn grown(n: u64, batch: usize) -> (HashMap<(u32, u64), Hash>, Vec<Node>) {
        let all = leaves(n);
        let mut stored = HashMap::new();
        let mut frontier_nodes = Vec::new();
        let mut size = 0u64;
        for chunk in all.chunks(batch.max(1)) {
            let appended = append(frontier_nodes, size, chunk);
            for (level, index, hash) in &appended.nodes {
                stored.insert((*level, *index), *hash);
            }
            frontier_nodes = appended.frontier;
            size += chunk.len() as u64;
        }
        (stored, frontier_nodes)
    }

    fn lookup(stored: &HashMap<(u32, u64), Hash>) -> impl FnMut(u32, u64) -> Result<Hash, ()> + '_ {
        move |level, index| stored.get(&(level, index)).copied().ok_or(())
    }

    #[test]
    fn the_empty_tree_has_the_hash_of_the_empty_string_as_root() {
        assert_eq!(
            to_hex(&root_from_frontier(&[])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn leaves_and_nodes_are_hashed_apart_so_a_node_cannot_pass_for_a_leaf() {
        let (a, b) = (leaf_hash(b"a"), leaf_hash(b"b"));
        let mut joined = a.to_vec();
        joined.extend_from_slice(&b);
        assert_ne!(node_hash(&a, &b), leaf_hash(&joined));
    }

    #[test]
    fn the_frontier_of_a_tree_is_its_perfect_subtrees_along_the_right_edge() {
        assert_eq!(frontier(0), vec![]);
        assert_eq!(frontier(1), vec![(0, 0)]);
        assert_eq!(frontier(6), vec![(2, 0), (1, 2)]);
        assert_eq!(frontier(7), vec![(2, 0), (1, 2), (0, 6)]);
        assert_eq!(frontier(8), vec![(3, 0)]);
    }

    #[test]
    fn a_tree_grown_in_batches_has_the_root_rfc_9162_defines() {
        for n in 0..70u64 {
            for batch in [1, 3, 64] {
                let (_, frontier_nodes) = grown(n, batch);
                let hashes: Vec<Hash> = frontier_nodes.iter().map(|f| f.2).collect();
                assert_eq!(
                    root_from_frontier(&hashes),
                    reference_root(&leaves(n)),
                    "n={n}"
                );
                let positions: Vec<(u32, u64)> =
                    frontier_nodes.iter().map(|f| (f.0, f.1)).collect();
                assert_eq!(positions, frontier(n));
            }
        }
    }

    #[test]
    fn rfc_9162_example_proofs_have_the_published_shape() {
        // RFC 9162 §2.1.5: the tree of seven leaves d0..d6.
        let (stored, _) = grown(7, 7);
        let mut node = lookup(&stored);
        let leaf_0 = inclusion_proof(0, 7, &mut node).unwrap();
        assert_eq!(leaf_0.len(), 3); // b, h, l
        let leaf_3 = inclusion_proof(3, 7, &mut node).unwrap();
        assert_eq!(leaf_3.len(), 3); // c, g, l
        let leaf_4 = inclusion_proof(4, 7, &mut node).unwrap();
        assert_eq!(leaf_4.len(), 3); // f, j, k
        let leaf_6 = inclusion_proof(6, 7, &mut node).unwrap();
        assert_eq!(leaf_6.len(), 2); // i, k
        assert_eq!(consistency_proof(3, 7, &mut node).unwrap().len(), 4); // c, d, g, l
        assert_eq!(consistency_proof(4, 7, &mut node).unwrap().len(), 1); // l
        assert_eq!(consistency_proof(6, 7, &mut node).unwrap().len(), 3); // i, j, k
    }

    #[test]
    fn a_leaf_beyond_the_tree_has_no_inclusion_proof() {
        let (stored, _) = grown(5, 5);
        assert_eq!(
            inclusion_proof(5, 5, lookup(&stored)),
            Err(ProofError::OutOfRange)
        );
        assert_eq!(
            consistency_proof(6, 5, lookup(&stored)),
            Err(ProofError::OutOfRange)
        );
    }

    #[test]
    fn an_inclusion_proof_fails_for_another_leaf_another_index_another_root_or_a_short_path() {
        let (stored, _) = grown(11, 4);
        let root = reference_root(&leaves(11));
        let leaf = leaves(11)[5];
        let proof = inclusion_proof(5, 11, lookup(&stored)).unwrap();
        assert!(verify_inclusion(5, 11, &leaf, &proof, &root));
        assert!(!verify_inclusion(5, 11, &leaves(11)[6], &proof, &root));
        assert!(!verify_inclusion(4, 11, &leaf, &proof, &root));
        assert!(!verify_inclusion(5, 11, &leaf, &proof, &empty_root()));
        assert!(!verify_inclusion(
            5,
            11,
            &leaf,
            &proof[..proof.len() - 1],
            &root
        ));
    }

    #[test]
    fn a_consistency_proof_fails_when_the_first_tree_was_rewritten() {
        let (stored, _) = grown(13, 5);
        let second_root = reference_root(&leaves(13));
        let first_root = reference_root(&leaves(6));
        let proof = consistency_proof(6, 13, lookup(&stored)).unwrap();
        assert!(verify_consistency(6, 13, &first_root, &second_root, &proof));
        let mut rewritten = leaves(6);
        rewritten[2] = leaf_hash(b"forged");
        assert!(!verify_consistency(
            6,
            13,
            &reference_root(&rewritten),
            &second_root,
            &proof
        ));
        assert!(!verify_consistency(
            5,
            13,
            &first_root,
            &second_root,
            &proof
        ));
    }

    #[test]
    fn hex_round_trips_and_refuses_anything_else() {
        let h = leaf_hash(b"x");
        assert_eq!(from_hex(&to_hex(&h)), Some(h));
        assert_eq!(from_hex("zz"), None);
        assert_eq!(from_hex(&"g".repeat(64)), None);
    }

    proptest! {
        #[test]
        fn every_leaf_of_every_tree_proves_its_inclusion(n in 1u64..300, batch in 1usize..40, pick in 0u64..1000) {
            let (stored, _) = grown(n, batch);
            let index = pick % n;
            let root = reference_root(&leaves(n));
            let proof = inclusion_proof(index, n, lookup(&stored)).unwrap();
            prop_assert!(verify_inclusion(index, n, &leaves(n)[index as usize], &proof, &root));
        }

        #[test]
        fn every_tree_proves_it_extends_every_smaller_one(n in 1u64..300, batch in 1usize..40, pick in 0u64..1000) {
            let (stored, _) = grown(n, batch);
            let first = pick % (n + 1);
            let all = leaves(n);
            let proof = consistency_proof(first, n, lookup(&stored)).unwrap();
            prop_assert!(verify_consistency(
                first,
                n,
                &reference_root(&all[..first as usize]),
                &reference_root(&all),
                &proof
            ));
        }

        #[test]
        fn a_changed_proof_element_is_caught(n in 2u64..200, pick in 0u64..1000, flip in 0usize..32) {
            let (stored, _) = grown(n, 7);
            let index = pick % n;
            let root = reference_root(&leaves(n));
            let mut proof = inclusion_proof(index, n, lookup(&stored)).unwrap();
            let at = (pick as usize) % proof.len();
            proof[at][flip] ^= 1;
            prop_assert!(!verify_inclusion(index, n, &leaves(n)[index as usize], &proof, &root));
        }
    }
}
