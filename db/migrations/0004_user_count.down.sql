-- 0004_user_count: back to the schema of 0003.
DROP TRIGGER users_count_truncate ON users;
DROP TRIGGER users_count_delete ON users;
DROP TRIGGER users_count_insert ON users;
DROP FUNCTION users_count_rows();
DROP TABLE user_count;
