-- Seed 003's contact schedule: contacts planned with the client, and the record of each one that
-- took place. A held contact is immutable: corrections are appended as addenda. `contact_at` is
-- when the contact is planned for or took place (what the list's date filters use).
CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    cycle INTEGER NOT NULL,
    contact_type TEXT NOT NULL,
    status TEXT NOT NULL,
    contact_at TIMESTAMP NOT NULL,
    scheduled_at TIMESTAMP,
    place TEXT,
    purpose TEXT,
    occurred_at TIMESTAMP,
    duration_minutes INTEGER,
    discussed TEXT,
    agreements TEXT,
    child_seen BOOLEAN,
    child_heard BOOLEAN,
    child_note TEXT,
    next_steps TEXT,
    outcome_reason TEXT,
    recorded_by TEXT REFERENCES staff (id),
    recorded_at TIMESTAMP,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL REFERENCES staff (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX contacts_case ON contacts (case_id, contact_at);

-- Who took part: a member of the client's family (by id, with the name at the time, since a
-- client's members may be rewritten), a staff member, or someone else named in free text.
CREATE TABLE contact_participants (
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    position INTEGER NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units (id),
    kind TEXT NOT NULL,
    member_id TEXT,
    staff_id TEXT REFERENCES staff (id),
    name TEXT,
    PRIMARY KEY (contact_id, position)
);

CREATE TABLE contact_addenda (
    id TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    case_id TEXT NOT NULL REFERENCES cases (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    text TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES staff (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX contact_addenda_contact ON contact_addenda (contact_id, id);

-- Seed 003's success stories, in free form, with the client's consent to share them.
CREATE TABLE success_stories (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    title TEXT NOT NULL,
    story TEXT NOT NULL,
    written_by TEXT NOT NULL,
    written_on DATE NOT NULL,
    consent_given_on DATE,
    consent_given_by TEXT,
    consent_scope TEXT,
    consent_withdrawn_on DATE,
    withdrawal_reason TEXT,
    created_by TEXT NOT NULL REFERENCES staff (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX success_stories_case ON success_stories (case_id, id);
