-- Staff accounts: an argon2id password hash (PHC string), throttling of failed logins by account
-- and by address (growing delays, never a lockout), and rotating refresh tokens stored as hashes.
ALTER TABLE staff ADD COLUMN password_hash TEXT;

CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at TIMESTAMP NOT NULL
);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff (id),
    token_hash TEXT NOT NULL UNIQUE,
    family TEXT NOT NULL,
    issued_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX refresh_tokens_staff ON refresh_tokens (staff_id);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
