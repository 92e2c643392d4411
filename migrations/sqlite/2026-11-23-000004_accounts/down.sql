DROP TABLE refresh_tokens;
DROP TABLE login_throttle;
ALTER TABLE staff DROP COLUMN password_hash;
