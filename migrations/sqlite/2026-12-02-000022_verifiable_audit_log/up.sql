-- The audit log becomes a verifiable log (issue 10), in the manner of Certificate Transparency
-- (RFC 9162) and Trillian/Tessera. A request's transaction appends its entries to the queue,
-- with no global lock: they are durable when the answer is sent. One sequencer at a time (the
-- lease below; the tree row's compare-and-set keeps two from ever forking it) moves queued
-- entries into audit_entries in batches, giving each its sequence number, adds them as leaves
-- to a Merkle tree kept as its perfect subtrees (audit_tree_nodes), and publishes a signed
-- checkpoint (tree size, root). Entries chained before this migration keep their prev_hash
-- chain and become the tree's first leaves; new entries have prev_hash ''. A leaf is the
-- entry's fields with the hash of its payload, so erasing a payload leaves the tree verifiable.
CREATE TABLE audit_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id TEXT NOT NULL UNIQUE,
    at TIMESTAMP NOT NULL,
    actor_id TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    case_id TEXT,
    purpose TEXT,
    legal_basis TEXT,
    payload TEXT NOT NULL
);
CREATE INDEX audit_queue_actor_action ON audit_queue (actor_id, action, at);

CREATE TABLE audit_tree_nodes (
    level INTEGER NOT NULL,
    idx BIGINT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE audit_tree (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    size BIGINT NOT NULL,
    root_hash TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO audit_tree (id, size, root_hash, updated_at)
VALUES (1, 0, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', CURRENT_TIMESTAMP);

CREATE TABLE audit_checkpoints (
    tree_size BIGINT PRIMARY KEY,
    root_hash TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    -- The signed note (C2SP tlog-checkpoint): origin, size, base64 root, signature line.
    note TEXT NOT NULL,
    -- The longest an entry of this batch waited in the queue.
    max_delay_ms BIGINT NOT NULL
);

CREATE TABLE audit_sequencer (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    holder TEXT,
    lease_until TIMESTAMP
);
INSERT INTO audit_sequencer (id, holder, lease_until) VALUES (1, NULL, NULL);
