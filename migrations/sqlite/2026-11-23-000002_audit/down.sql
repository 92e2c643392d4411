DROP TABLE audit_payloads;
DROP TABLE audit_entries;
