-- 0002_users_userapi_columns: back to the schema of 0001.
DROP TRIGGER users_set_updated_at ON users;
DROP FUNCTION users_set_updated_at();
ALTER TABLE users ALTER COLUMN created_at DROP NOT NULL;
DROP INDEX uq_users_lower_email;
