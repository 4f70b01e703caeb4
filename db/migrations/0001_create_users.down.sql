-- 0001_create_users: drop the users table and its role type.
DROP TABLE users;
DROP TYPE userrole;
