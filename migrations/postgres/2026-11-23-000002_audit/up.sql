-- The audit log: every change and every look at case records, chained by hash so that a changed,
-- removed or inserted entry is detected. Entries hold only the hash of their payload; payloads are
-- stored apart so that personal data in them can later be erased or pseudonymised without
-- breaking the chain. Appended by one writer at a time (PostgreSQL: an advisory lock; SQLite:
-- the immediate write transaction).
CREATE TABLE audit_entries (
    seq BIGINT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    at TIMESTAMP NOT NULL,
    actor_id TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    case_id TEXT,
    purpose TEXT,
    legal_basis TEXT,
    payload_hash TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    entry_hash TEXT NOT NULL
);
CREATE INDEX audit_entries_subject ON audit_entries (subject_id, seq);
CREATE INDEX audit_entries_case ON audit_entries (case_id, seq);
CREATE INDEX audit_entries_actor ON audit_entries (actor_id, seq);
CREATE INDEX audit_entries_at ON audit_entries (at);

CREATE TABLE audit_payloads (
    seq BIGINT PRIMARY KEY REFERENCES audit_entries (seq),
    payload TEXT,
    erased_at TIMESTAMP
);
