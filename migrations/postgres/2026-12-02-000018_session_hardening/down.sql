DROP TABLE password_setup_tokens;
DROP TABLE login_attempts;
CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at TIMESTAMP NOT NULL
);
ALTER TABLE staff DROP COLUMN tokens_valid_from;
