-- Retention: a legal hold keeps a client's records from being archived; `pseudonymised_at` marks a
-- client whose personal data was replaced after the retention period.
ALTER TABLE clients ADD COLUMN legal_hold BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE clients ADD COLUMN legal_hold_reason TEXT;
ALTER TABLE clients ADD COLUMN pseudonymised_at TIMESTAMP;
