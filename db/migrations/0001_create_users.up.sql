-- 0001_create_users: the users table as the FastAPI template's SQLAlchemy
-- model creates it.  On a database that the template already made every
-- statement leaves the data alone, so such a database is adopted as is.

-- The role enum: SQLAlchemy stores the member names, ADMIN and USER.
DO $$
DECLARE
	labels text[];
BEGIN
	IF to_regtype('userrole') IS NULL THEN
		CREATE TYPE userrole AS ENUM ('ADMIN', 'USER');
	END IF;
	SELECT array_agg(enumlabel::text ORDER BY enumsortorder) INTO labels
	    FROM pg_enum WHERE enumtypid = 'userrole'::regtype;
	IF labels IS DISTINCT FROM ARRAY['ADMIN', 'USER'] THEN
		RAISE EXCEPTION 'type userrole exists with labels %, not {ADMIN,USER}',
		    labels;
	END IF;
END
$$;

CREATE TABLE IF NOT EXISTS users (
	id		SERIAL PRIMARY KEY,
	email		VARCHAR NOT NULL,
	hashed_password	VARCHAR NOT NULL,
	name		VARCHAR NOT NULL,
	role		userrole NOT NULL DEFAULT 'USER',
	created_at	TIMESTAMPTZ DEFAULT now(),
	updated_at	TIMESTAMPTZ
);

-- An adopted table must have the template's columns, of these types.
DO $$
DECLARE
	missing text;
BEGIN
	SELECT string_agg(want.col || ' ' || want.typ, ', ') INTO missing
	    FROM (VALUES
		('id', 'integer'),
		('email', 'character varying'),
		('hashed_password', 'character varying'),
		('name', 'character varying'),
		('role', 'userrole'),
		('created_at', 'timestamp with time zone'),
		('updated_at', 'timestamp with time zone')) AS want(col, typ)
	    WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a
		WHERE a.attrelid = 'users'::regclass AND a.attname = want.col
		    AND NOT a.attisdropped
		    AND format_type(a.atttypid, NULL) = want.typ);
	IF missing IS NOT NULL THEN
		RAISE EXCEPTION 'table users exists without the column(s) %',
		    missing;
	END IF;
END
$$;

-- SQLAlchemy sets these two defaults on the client side; the database
-- holds them from here on, so a fresh and an adopted table are alike.
ALTER TABLE users
	ALTER COLUMN role SET DEFAULT 'USER',
	ALTER COLUMN created_at SET DEFAULT now();

-- What index=True and unique=True make.
CREATE UNIQUE INDEX IF NOT EXISTS ix_users_email ON users (email);
CREATE INDEX IF NOT EXISTS ix_users_id ON users (id);
