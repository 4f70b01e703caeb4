-- 0006_sessions: one row per login, the refresh token it holds, and
-- whether it has ended.
--
-- id is the access token's "sid" claim and the API's session id: random
-- (gen_random_uuid(), built into PostgreSQL 13 and later), so one
-- user's ids say nothing about another's.  Refresh tokens are never
-- stored: only the SHA-256 of the current one (refresh_hash), of the one
-- the latest rotation spent (previous_hash, presented again within the
-- grace window by a client that lost the answer), and of the one a grace
-- answer replaced (replaced_hash).  Presenting either spent one at any
-- other time is reuse and ends the session.  grace_used: the grace answer
-- of the latest rotation has been given.
--
-- token_version is the user's when the session started: a session is
-- live only while it still is (not ended, not expired), so a password
-- change or a logout everywhere (which bump the user's version) ends it
-- even if it was being started at that very moment.
--
-- ended_at is set by logout, reuse, a password change, the cap on live
-- sessions, and the admin; an ended or expired row only serves to refuse
-- its tokens until userapi-admin prune (or the user's next login) deletes
-- it.  A deleted user's sessions go with the row.

CREATE TABLE sessions (
	id		UUID PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id		INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at	TIMESTAMPTZ NOT NULL DEFAULT now(),
	last_used_at	TIMESTAMPTZ NOT NULL DEFAULT now(),
	expires_at	TIMESTAMPTZ NOT NULL,
	user_agent	TEXT,
	ip		TEXT NOT NULL,
	ended_at	TIMESTAMPTZ,
	refresh_hash	BYTEA NOT NULL,
	previous_hash	BYTEA,
	replaced_hash	BYTEA,
	rotated_at	TIMESTAMPTZ,
	grace_used	BOOLEAN NOT NULL DEFAULT false,
	token_version	INTEGER NOT NULL
);

-- A refresh is found by its hash; a spent one by either of the others.
CREATE UNIQUE INDEX ix_sessions_refresh_hash ON sessions (refresh_hash);
CREATE INDEX ix_sessions_previous_hash ON sessions (previous_hash)
    WHERE previous_hash IS NOT NULL;
CREATE INDEX ix_sessions_replaced_hash ON sessions (replaced_hash)
    WHERE replaced_hash IS NOT NULL;

-- A user's sessions, newest first (the list, logout, the cap).
CREATE INDEX ix_sessions_user ON sessions (user_id, created_at);

-- The sweep of rows that no longer refuse anything.
CREATE INDEX ix_sessions_expires_at ON sessions (expires_at);
CREATE INDEX ix_sessions_ended_at ON sessions (ended_at)
    WHERE ended_at IS NOT NULL;

-- A logout everywhere bumps users.token_version alone: that is no change
-- of the user as the API shows it, so updated_at stays as it was.
DROP TRIGGER users_set_updated_at ON users;
CREATE TRIGGER users_set_updated_at
    BEFORE UPDATE ON users
    FOR EACH ROW
    WHEN (to_jsonb(OLD) - 'token_version' IS DISTINCT FROM
	to_jsonb(NEW) - 'token_version')
    EXECUTE FUNCTION users_set_updated_at();
