-- Restricted cases (violence, a staff member in the family, ...): visible only to the staff named
-- here, which always include a supervisor, and the key worker.
ALTER TABLE cases ADD COLUMN restricted BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE case_access (
    case_id TEXT NOT NULL REFERENCES cases (id),
    staff_id TEXT NOT NULL REFERENCES staff (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    granted_by TEXT NOT NULL REFERENCES staff (id),
    granted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (case_id, staff_id)
);
CREATE INDEX case_access_staff ON case_access (staff_id);
