-- 0003_auth_state: what authentication keeps in the database.
--
-- users.token_version: every access token carries the version of its
-- user as the claim "ver"; a password change bumps it, so each token
-- issued before is refused.  It is part of the row like any other
-- column: 0002's trigger sets updated_at whenever it changes, which is
-- consistent since it only changes together with the password hash.
--
-- login_failures: one row per failed login, per e-mail address (stored
-- lower-cased) and client address, for throttling.  Rows older than the
-- throttling window mean nothing and are deleted as new failures come in.

ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;

CREATE TABLE login_failures (
	id		BIGSERIAL PRIMARY KEY,
	email		TEXT NOT NULL,
	client		TEXT NOT NULL,
	failed_at	TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Counting and clearing the failures of one address and client.
CREATE INDEX ix_login_failures_email_client
    ON login_failures (email, client, failed_at);

-- Sweeping out the oldest rows, whoever they belong to.
CREATE INDEX ix_login_failures_failed_at ON login_failures (failed_at);
