-- Four eyes on access (issue 9, finding 5): a role that reads case content (or admin) is granted
-- only when a second admin approves; until then the request waits here. Nobody decides their own
-- request or a grant to themself (domain/src/accounts.rs).
CREATE TABLE staff_role_grants (
    id TEXT PRIMARY KEY NOT NULL,
    staff_id TEXT NOT NULL REFERENCES staff (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    -- The roles granted, comma-separated codes.
    roles TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES staff (id),
    requested_at TIMESTAMP NOT NULL,
    decided_by TEXT REFERENCES staff (id),
    decided_at TIMESTAMP,
    decision_note TEXT
);
CREATE INDEX staff_role_grants_unit ON staff_role_grants (unit_id, status);
-- At most one pending grant per staff member.
CREATE UNIQUE INDEX staff_role_grants_one_pending ON staff_role_grants (staff_id) WHERE status = 'pending';
