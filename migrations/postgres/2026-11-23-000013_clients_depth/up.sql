-- Clients and families in depth (issue 3, item 1): client categories from the client-category
-- classifier, several phones, a child's school or kindergarten, and the non-sensitive part of
-- seed 003's client questionnaire (the sensitive part lives in client_sensitive).
CREATE TABLE client_categories (
    client_id TEXT NOT NULL REFERENCES clients (id),
    code TEXT NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (client_id, code)
);
CREATE INDEX client_categories_code ON client_categories (code, client_id);

CREATE TABLE client_phones (
    client_id TEXT NOT NULL REFERENCES clients (id),
    position INTEGER NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units (id),
    number TEXT NOT NULL,
    kind TEXT NOT NULL,
    note TEXT,
    PRIMARY KEY (client_id, position)
);

ALTER TABLE client_members ADD COLUMN school_name TEXT;
ALTER TABLE client_members ADD COLUMN school_class TEXT;

-- One questionnaire per client: a JSON object of sections, versioned for If-Match.
CREATE TABLE client_questionnaires (
    client_id TEXT PRIMARY KEY REFERENCES clients (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    content TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES staff (id),
    updated_at TIMESTAMP NOT NULL
);
