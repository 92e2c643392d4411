-- Assignment (issue 3 item 2). Leave: a member on leave today gets no key-worker suggestion and
-- no transferred case. Transfers: a case's key worker changes only when the new one accepts;
-- every request stays on record with its outcome (accepted, declined, cancelled).
CREATE TABLE staff_leave (
    id TEXT PRIMARY KEY NOT NULL,
    staff_id TEXT NOT NULL REFERENCES staff (id),
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    reason TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES staff (id),
    recorded_at TIMESTAMP NOT NULL,
    CHECK (starts_on <= ends_on)
);
CREATE INDEX staff_leave_staff ON staff_leave (staff_id, ends_on);

CREATE TABLE case_transfers (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    from_staff_id TEXT NOT NULL REFERENCES staff (id),
    to_staff_id TEXT NOT NULL REFERENCES staff (id),
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES staff (id),
    requested_at TIMESTAMP NOT NULL,
    decided_by TEXT REFERENCES staff (id),
    decided_at TIMESTAMP,
    decision_note TEXT
);
CREATE INDEX case_transfers_case ON case_transfers (case_id);
CREATE INDEX case_transfers_to ON case_transfers (to_staff_id, status);
-- At most one pending transfer per case, whatever races the application loses.
CREATE UNIQUE INDEX case_transfers_one_pending ON case_transfers (case_id) WHERE status = 'pending';
