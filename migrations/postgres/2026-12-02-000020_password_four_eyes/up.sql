-- Four eyes on passwords (issue 9, finding 5): an admin's request for a setup token for an
-- account that reads case content waits (this flag) until a second admin completes it; only
-- the second admin is shown the token. A waiting row's token_hash is never a hash of a token.
ALTER TABLE password_setup_tokens ADD COLUMN awaiting_second_admin BOOLEAN NOT NULL DEFAULT FALSE;
-- At most one request waits per member, whatever races the application loses.
CREATE UNIQUE INDEX password_setup_tokens_one_request ON password_setup_tokens (staff_id)
    WHERE awaiting_second_admin = TRUE AND used_at IS NULL;
