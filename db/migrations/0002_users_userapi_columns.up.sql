-- 0002_users_userapi_columns: what userapi adds beside the template's
-- columns: e-mail addresses unique whatever their case, created_at always
-- set by the database, and updated_at kept by a trigger.

-- Case-insensitive uniqueness.  Addresses that differ only in case are
-- two accounts the template allowed; they have to be merged by hand.
DO $$
DECLARE
	dups text;
BEGIN
	SELECT string_agg(e, ', ') INTO dups FROM (
	    SELECT lower(email) AS e FROM users
	    GROUP BY lower(email) HAVING count(*) > 1
	    ORDER BY 1 LIMIT 10) AS d;
	IF dups IS NOT NULL THEN
		RAISE EXCEPTION 'users: e-mail addresses that differ only in case: %',
		    dups
		    USING HINT = 'Merge or rename those accounts, then upgrade again.';
	END IF;
END
$$;
CREATE UNIQUE INDEX uq_users_lower_email ON users (lower(email));

-- created_at: always set, by the database (its default now() is 0001's).
-- A template row without one gets the time of this migration.
UPDATE users SET created_at = now() WHERE created_at IS NULL;
ALTER TABLE users ALTER COLUMN created_at SET NOT NULL;

-- updated_at: NULL until the first change of the row, then the time of
-- the latest.  An UPDATE that changes nothing leaves it alone.
CREATE FUNCTION users_set_updated_at() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
	NEW.updated_at := now();
	RETURN NEW;
END
$$;
CREATE TRIGGER users_set_updated_at
    BEFORE UPDATE ON users
    FOR EACH ROW
    WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION users_set_updated_at();
