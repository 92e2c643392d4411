ALTER TABLE clients DROP COLUMN pseudonymised_at;
ALTER TABLE clients DROP COLUMN legal_hold_reason;
ALTER TABLE clients DROP COLUMN legal_hold;
