-- Sensitive sections of a client (health, HIV status, substance use and treatment, violence,
-- conflict with the law, legal history, identity documents, who reported the family), stored apart
-- from the ordinary fields; consents to disclose them; disclosures on a legal basis.
CREATE TABLE client_sensitive (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES clients (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    section TEXT NOT NULL,
    content TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES staff (id),
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (client_id, section)
);

CREATE TABLE consents (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES clients (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    purpose TEXT NOT NULL,
    recipient_staff_id TEXT REFERENCES staff (id),
    recipient_organisation TEXT,
    sections TEXT NOT NULL,
    given_on DATE NOT NULL,
    expires_on DATE,
    revoked_on DATE,
    revocation_reason TEXT,
    recorded_by TEXT NOT NULL REFERENCES staff (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX consents_client ON consents (client_id, id);
CREATE INDEX consents_recipient ON consents (recipient_staff_id);

CREATE TABLE disclosures (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES clients (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    recipient_staff_id TEXT REFERENCES staff (id),
    recipient_organisation TEXT,
    sections TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    purpose TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES staff (id),
    requested_at TIMESTAMP NOT NULL,
    decided_by TEXT REFERENCES staff (id),
    decided_at TIMESTAMP,
    decision_note TEXT
);
CREATE INDEX disclosures_client ON disclosures (client_id, id);
CREATE INDEX disclosures_recipient ON disclosures (recipient_staff_id);
