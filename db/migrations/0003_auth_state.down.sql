-- 0003_auth_state: back to the schema of 0002.
DROP TABLE login_failures;
ALTER TABLE users DROP COLUMN token_version;
