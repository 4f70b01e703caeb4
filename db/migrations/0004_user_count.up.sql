-- 0004_user_count: the number of users, kept up to date by triggers.
--
-- Every page of GET /api/users/ reports the total; count(*) would read
-- the whole table on every request, so the list reads this one row
-- instead.  Statement-level triggers keep it right for every writer
-- (userapi, the admin tool, psql, another application sharing the
-- table): inserts and deletes change it by the number of rows they
-- touched, in the same transaction, and TRUNCATE resets it.  A list
-- reads the row and the users in one statement, so both come from the
-- same snapshot.  Writers update the row in turn, each holding it until
-- it commits; registrations are bcrypt-bound, far slower than that.

CREATE TABLE user_count (
	only_row	BOOLEAN PRIMARY KEY DEFAULT true CHECK (only_row),
	n		BIGINT NOT NULL CHECK (n >= 0)
);

LOCK TABLE users IN SHARE MODE;
INSERT INTO user_count (n) SELECT count(*) FROM users;

CREATE FUNCTION users_count_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		UPDATE user_count SET n = n + (SELECT count(*) FROM new_rows);
	ELSIF TG_OP = 'DELETE' THEN
		UPDATE user_count SET n = n - (SELECT count(*) FROM old_rows);
	ELSE
		UPDATE user_count SET n = 0;
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER users_count_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION users_count_rows();
CREATE TRIGGER users_count_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION users_count_rows();
CREATE TRIGGER users_count_truncate AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION users_count_rows();
