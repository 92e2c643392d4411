-- Session hardening (issue 9).
--
-- Access tokens issued before this instant are refused (401): logout, a reused refresh token, a
-- password change or reset, and enabling or disabling the account move it forward. NULL: no
-- session has been ended yet.
ALTER TABLE staff ADD COLUMN tokens_valid_from TIMESTAMP;

-- Failed logins per (staff id tried, client address), replacing the per-account and per-address
-- counters of login_throttle, with which three wrong guesses from anywhere delayed the owner. The
-- address's and the account's counts are sums over these rows; the last success from an address
-- exempts it from the account-wide delay. The staff id is what was typed: it may name nobody.
DROP TABLE login_throttle;
CREATE TABLE login_attempts (
    staff_id TEXT NOT NULL,
    address TEXT NOT NULL,
    failures INTEGER NOT NULL,
    last_failure_at TIMESTAMP,
    last_success_at TIMESTAMP,
    PRIMARY KEY (staff_id, address)
);
CREATE INDEX login_attempts_address ON login_attempts (address);
-- Rows of addresses that never logged in are deleted once their failures are forgotten.
CREATE INDEX login_attempts_last_failure ON login_attempts (last_failure_at);

-- One-time tokens an admin issues so that a member sets a local password they do not have (or
-- have forgotten) at PUT /me/password; stored only as SHA-256 hashes, single use.
CREATE TABLE password_setup_tokens (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff (id),
    token_hash TEXT NOT NULL UNIQUE,
    issued_by TEXT NOT NULL,
    issued_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX password_setup_tokens_staff ON password_setup_tokens (staff_id);
