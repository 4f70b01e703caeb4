/*
 * test_settings.c -- settings from the environment and .env files.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "userapi/settings.h"
#include "core-private.h"
#include "unit-env.h"

#define SECRET "0123456789abcdef0123456789abcdef"

static char err[512];

/* Load from "envp" (NULL-terminated) for the whole app. */
static enum ua_err
load(struct ua_settings *s, char **envp)
{
	err[0] = '\0';
	return ua_settings_load(s, envp, NULL, UA_NEED_ALL, err, sizeof(err));
}

/* Write "text" to a fresh temporary file; returns its path (static). */
static const char *
tmpfile_with(const char *text)
{
	static char path[64];
	int	    fd;

	snprintf(path, sizeof(path), "/tmp/ua-test-env-XXXXXX");
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
	return path;
}

START_TEST(defaults_fill_the_rest)
{
	struct ua_settings s;
	char **env = ENV("DATABASE_URL=dbname=x", "JWT_SECRET=" SECRET);

	ck_assert_int_eq(load(&s, env), UA_OK);
	ck_assert_str_eq(s.database_url, "dbname=x");
	ck_assert_uint_eq(s.jwt_secret_len, 32);
	ck_assert_int_eq(s.jwt_algorithm, UA_JWT_HS256);
	ck_assert_int_eq(s.access_token_expire_minutes, 30);
	ck_assert_str_eq(s.app_name, "userapi");
	ck_assert(!s.debug);
	ck_assert_str_eq(s.cors_origins, "");
	ck_assert_uint_eq(s.max_body_bytes, 1048576);
	ck_assert_int_eq(s.password_hash, UA_PW_BCRYPT);
	ck_assert_int_eq(s.bcrypt_cost, 12);
	ck_assert_int_eq(s.db_statement_timeout_ms, 5000);
	ck_assert(s.db_prepared_statements);
	ck_assert_int_eq(s.login_max_failures, 5);
	ck_assert_int_eq(s.login_window_seconds, 900);
	ck_assert_int_eq(s.refresh_token_expire_days, 30);
	ck_assert_int_eq(s.refresh_token_reuse_seconds, 10);
	ck_assert(s.docs_enabled);
	ck_assert_ptr_nonnull(s.docs_assets_url);
	ck_assert_uint_eq(s.trusted_proxies.len, 0);
	ck_assert_str_eq(s.root_path, "");
	ua_settings_cleanup(&s);
}
END_TEST

START_TEST(every_setting_is_read)
{
	struct ua_settings s;
	char **env = ENV("DATABASE_URL=dbname=x", "JWT_SECRET=" SECRET,
	    "JWT_ALGORITHM=HS512", "ACCESS_TOKEN_EXPIRE_MINUTES=5",
	    "APP_NAME=Accounts", "DEBUG=yes", "CORS_ORIGINS=https://a.example",
	    "MAX_BODY_BYTES=2048", "PASSWORD_HASH=yescrypt", "BCRYPT_COST=4",
	    "DB_STATEMENT_TIMEOUT_MS=100", "DB_PREPARED_STATEMENTS=false",
	    "LOGIN_MAX_FAILURES=3", "LOGIN_WINDOW_SECONDS=60",
	    "REFRESH_TOKEN_EXPIRE_DAYS=7", "REFRESH_TOKEN_REUSE_SECONDS=0",
	    "DOCS_ENABLED=off", "DOCS_ASSETS_URL=/static",
	    "TRUSTED_PROXIES=127.0.0.1, 10.0.0.0/8", "ROOT_PATH=/~ann/api");

	ck_assert_int_eq(load(&s, env), UA_OK);
	ck_assert_str_eq(s.root_path, "/~ann/api");
	ck_assert_int_eq(s.jwt_algorithm, UA_JWT_HS512);
	ck_assert_int_eq(s.access_token_expire_minutes, 5);
	ck_assert_str_eq(s.app_name, "Accounts");
	ck_assert(s.debug);
	ck_assert_str_eq(s.cors_origins, "https://a.example");
	ck_assert_uint_eq(s.max_body_bytes, 2048);
	ck_assert_int_eq(s.password_hash, UA_PW_YESCRYPT);
	ck_assert_int_eq(s.bcrypt_cost, 4);
	ck_assert_int_eq(s.db_statement_timeout_ms, 100);
	ck_assert(!s.db_prepared_statements);
	ck_assert_int_eq(s.login_max_failures, 3);
	ck_assert_int_eq(s.login_window_seconds, 60);
	ck_assert_int_eq(s.refresh_token_expire_days, 7);
	ck_assert_int_eq(s.refresh_token_reuse_seconds, 0);
	ck_assert(!s.docs_enabled);
	ck_assert_str_eq(s.docs_assets_url, "/static");
	ck_assert_uint_eq(s.trusted_proxies.len, 2);
	ck_assert(ua_netlist_contains(&s.trusted_proxies, "10.9.8.7"));
	ua_settings_cleanup(&s);
}
END_TEST

START_TEST(missing_database_url_is_named)
{
	struct ua_settings s;
	char		 **env = ENV("JWT_SECRET=" SECRET);

	ck_assert_int_eq(load(&s, env), UA_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "DATABASE_URL"));
	ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

START_TEST(missing_jwt_secret_is_named)
{
	struct ua_settings s;
	char		 **env = ENV("DATABASE_URL=dbname=x");

	ck_assert_int_eq(load(&s, env), UA_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "JWT_SECRET"));
}
END_TEST

START_TEST(db_only_tools_need_no_secret)
{
	struct ua_settings s;
	char		 **env = ENV("DATABASE_URL=dbname=x");

	ck_assert_int_eq(ua_settings_load(&s, env, NULL, UA_NEED_DB_ONLY, err,
			     sizeof(err)),
	    UA_OK);
	ck_assert_ptr_null(s.jwt_secret);
	ua_settings_cleanup(&s);
}
END_TEST

START_TEST(short_secret_refused_without_echo)
{
	struct ua_settings s;
	char **env = ENV("DATABASE_URL=dbname=x", "JWT_SECRET=hunter2hunter2");

	ck_assert_int_eq(load(&s, env), UA_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "JWT_SECRET"));
	ck_assert_ptr_null(strstr(err, "hunter2"));
}
END_TEST

START_TEST(bad_numbers_refused)
{
	static const char *const bad[] = {
		"BCRYPT_COST=3",
		"BCRYPT_COST=32",
		"BCRYPT_COST=12abc",
		"MAX_BODY_BYTES=0",
		"MAX_BODY_BYTES=-1",
		"ACCESS_TOKEN_EXPIRE_MINUTES=",
		"LOGIN_MAX_FAILURES=five",
		"REFRESH_TOKEN_EXPIRE_DAYS=0",
		"REFRESH_TOKEN_EXPIRE_DAYS=3651",
		"REFRESH_TOKEN_EXPIRE_DAYS=30d",
		"REFRESH_TOKEN_REUSE_SECONDS=-1",
		"REFRESH_TOKEN_REUSE_SECONDS=3601",
	};
	struct ua_settings s;
	char		   name[64];
	char		 **env;
	size_t		   i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		env =
		    ENV("DATABASE_URL=dbname=x", "JWT_SECRET=" SECRET, bad[i]);
		ck_assert_msg(load(&s, env) == UA_ERR_CONFIG, "accepted %s",
		    bad[i]);
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(bad[i], "="),
		    bad[i]);
		ck_assert_msg(strstr(err, name) != NULL, "%s not named in: %s",
		    name, err);
	}
}
END_TEST

/* The bounds themselves are accepted. */
START_TEST(refresh_bounds_accepted)
{
	static const char *const ok[][2] = {
		{ "REFRESH_TOKEN_EXPIRE_DAYS=1",
		    "REFRESH_TOKEN_REUSE_SECONDS=0" },
		{ "REFRESH_TOKEN_EXPIRE_DAYS=3650",
		    "REFRESH_TOKEN_REUSE_SECONDS=3600" },
	};
	struct ua_settings s;
	char		 **env;

	env = ENV("DATABASE_URL=dbname=x", "JWT_SECRET=" SECRET, ok[0][0],
	    ok[0][1]);
	ck_assert_int_eq(load(&s, env), UA_OK);
	ck_assert_int_eq(s.refresh_token_expire_days, 1);
	ck_assert_int_eq(s.refresh_token_reuse_seconds, 0);
	ua_settings_cleanup(&s);
	env = ENV("DATABASE_URL=dbname=x", "JWT_SECRET=" SECRET, ok[1][0],
	    ok[1][1]);
	ck_assert_int_eq(load(&s, env), UA_OK);
	ck_assert_int_eq(s.refresh_token_expire_days, 3650);
	ck_assert_int_eq(s.refresh_token_reuse_seconds, 3600);
	ua_settings_cleanup(&s);
}
END_TEST

/* ROOT_PATH: a path prefix, its trailing slash dropped. */
START_TEST(root_path_values)
{
	static const char *const ok[][2] = {
		{ "ROOT_PATH=", "" },
		{ "ROOT_PATH=/", "" },
		{ "ROOT_PATH=/~ann", "/~ann" },
		{ "ROOT_PATH=/~ann/", "/~ann" },
		{ "ROOT_PATH=/api-app/v1.2_x", "/api-app/v1.2_x" },
	};
	static const char *const bad[] = {
		"ROOT_PATH=~ann",	/* not absolute */
		"ROOT_PATH=/a//b",	/* an empty segment */
		"ROOT_PATH=/a/../b",	/* a dot segment */
		"ROOT_PATH=/.",		/* likewise */
		"ROOT_PATH=/a b",	/* a space */
		"ROOT_PATH=/a%20b",	/* percent-encoding */
		"ROOT_PATH=/a\"b",	/* a quote, for HTML and JS */
		"ROOT_PATH=/a?b",	/* a query */
		"ROOT_PATH=http://x/a", /* a URL */
	};
	struct ua_settings s;
	char		 **env;
	size_t		   i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		env = ENV("DATABASE_URL=dbname=x", "JWT_SECRET=" SECRET,
		    ok[i][0]);
		ck_assert_msg(load(&s, env) == UA_OK, "%s: %s", ok[i][0], err);
		ck_assert_str_eq(s.root_path, ok[i][1]);
		ua_settings_cleanup(&s);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		env =
		    ENV("DATABASE_URL=dbname=x", "JWT_SECRET=" SECRET, bad[i]);
		ck_assert_msg(load(&s, env) == UA_ERR_CONFIG, "accepted %s",
		    bad[i]);
		ck_assert_msg(strstr(err, "ROOT_PATH") != NULL, "%s", err);
	}
}
END_TEST

START_TEST(bad_enums_and_bools_refused)
{
	static const char *const bad[] = {
		"JWT_ALGORITHM=none",
		"JWT_ALGORITHM=RS256",
		"JWT_ALGORITHM=hs256",
		"PASSWORD_HASH=md5",
		"DEBUG=maybe",
		"DOCS_ENABLED=2",
		"TRUSTED_PROXIES=proxy.example",
		"TRUSTED_PROXIES=10.0.0.0/40",
	};
	struct ua_settings s;
	char		 **env;
	size_t		   i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		env =
		    ENV("DATABASE_URL=dbname=x", "JWT_SECRET=" SECRET, bad[i]);
		ck_assert_msg(load(&s, env) == UA_ERR_CONFIG, "accepted %s",
		    bad[i]);
	}
}
END_TEST

START_TEST(booleans_accept_every_spelling)
{
	static const char *const on[] = { "1", "true", "YES", "On" };
	static const char *const off[] = { "0", "False", "no", "OFF" };
	struct ua_settings	 s;
	char			 var[32];
	size_t			 i;

	for (i = 0; i < 4; i++) {
		snprintf(var, sizeof(var), "DEBUG=%s", on[i]);
		ck_assert_int_eq(load(&s,
				     ENV("DATABASE_URL=dbname=x",
					 "JWT_SECRET=" SECRET, var)),
		    UA_OK);
		ck_assert(s.debug);
		ua_settings_cleanup(&s);
		snprintf(var, sizeof(var), "DEBUG=%s", off[i]);
		ck_assert_int_eq(load(&s,
				     ENV("DATABASE_URL=dbname=x",
					 "JWT_SECRET=" SECRET, var)),
		    UA_OK);
		ck_assert(!s.debug);
		ua_settings_cleanup(&s);
	}
}
END_TEST

START_TEST(names_are_case_insensitive)
{
	struct ua_settings s;
	char **env = ENV("database_url=dbname=x", "Jwt_Secret=" SECRET,
	    "bcrypt_cost=10");

	ck_assert_int_eq(load(&s, env), UA_OK);
	ck_assert_str_eq(s.database_url, "dbname=x");
	ck_assert_int_eq(s.bcrypt_cost, 10);
	ua_settings_cleanup(&s);
}
END_TEST

START_TEST(request_headers_are_never_settings)
{
	struct ua_settings s;
	char **env = ENV("DATABASE_URL=dbname=x", "HTTP_JWT_SECRET=" SECRET,
	    "HTTP_BCRYPT_COST=4");

	ck_assert_int_eq(load(&s, env), UA_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "JWT_SECRET"));
}
END_TEST

START_TEST(sqlalchemy_urls_normalised)
{
	char *u;

	u = ua_settings_normalise_db_url(
	    "postgresql+psycopg2://u:p@db:5432/app");
	ck_assert_str_eq(u, "postgresql://u:p@db:5432/app");
	free(u);
	u = ua_settings_normalise_db_url("postgresql+asyncpg://u@/app");
	ck_assert_str_eq(u, "postgresql://u@/app");
	free(u);
	u = ua_settings_normalise_db_url("postgres://u@h/app");
	ck_assert_str_eq(u, "postgres://u@h/app");
	free(u);
	u = ua_settings_normalise_db_url("host=/run dbname=a+b");
	ck_assert_str_eq(u, "host=/run dbname=a+b");
	free(u);
}
END_TEST

START_TEST(env_file_fills_gaps_environment_wins)
{
	struct ua_settings s;
	char		   var[128];
	const char	  *path =
	    tmpfile_with("# settings\n"
			 "export DATABASE_URL='dbname=fromfile'\n"
			 "JWT_SECRET=\"" SECRET "\"  # trailing comment\n"
			 "APP_NAME=My App # comment\n"
			 "BCRYPT_COST = 10\n"
			 "not an assignment\n");
	snprintf(var, sizeof(var), "USERAPI_ENV_FILE=%s", path);
	ck_assert_int_eq(load(&s, ENV(var, "BCRYPT_COST=11")), UA_OK);
	ck_assert_str_eq(s.database_url, "dbname=fromfile");
	ck_assert_str_eq(s.jwt_secret, SECRET);
	ck_assert_str_eq(s.app_name, "My App");
	ck_assert_int_eq(s.bcrypt_cost, 11);
	ck_assert_str_eq(s.env_file, path);
	ua_settings_cleanup(&s);
	unlink(path);
}
END_TEST

START_TEST(unreadable_env_file_is_named)
{
	struct ua_settings s;
	char **env = ENV("USERAPI_ENV_FILE=/nonexistent/userapi.env",
	    "DATABASE_URL=dbname=x", "JWT_SECRET=" SECRET);

	ck_assert_int_eq(load(&s, env), UA_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/userapi.env"));
}
END_TEST

START_TEST(dotenv_quotes_and_escapes)
{
	struct ua_kvlist l;
	const char	*t = "A=\"line\\nbreak \\\"q\\\"\"\n"
			     "B='single # not a comment'\n"
			     "C=unquoted#hash\n"
			     "  export D=4\n"
			     "E=\n"
			     "A=later\n";

	ua_kvlist_init(&l);
	ua_dotenv_parse(t, strlen(t), &l);
	ck_assert_str_eq(ua_kvlist_get(&l, "A"), "later");
	ck_assert_str_eq(ua_kvlist_get(&l, "B"), "single # not a comment");
	ck_assert_str_eq(ua_kvlist_get(&l, "C"), "unquoted#hash");
	ck_assert_str_eq(ua_kvlist_get(&l, "D"), "4");
	ck_assert_str_eq(ua_kvlist_get(&l, "E"), "");
	ua_kvlist_cleanup(&l);

	ua_kvlist_init(&l);
	t = "X=\"a\\nb\"";
	ua_dotenv_parse(t, strlen(t), &l);
	ck_assert_str_eq(ua_kvlist_get(&l, "X"), "a\nb");
	ua_kvlist_cleanup(&l);
}
END_TEST

START_TEST(dotenv_nul_in_key_skips_the_line)
{
	struct ua_kvlist l;
	/* Found by fuzz_dotenv: the key was cut at the NUL. */
	static const char t[] = "\0\0=empty\nDATABASE_URL\0x=evil\nB=1\n";

	ua_kvlist_init(&l);
	ua_dotenv_parse(t, sizeof(t) - 1, &l);
	ck_assert_uint_eq(l.len, 1);
	ck_assert_str_eq(l.items[0].key, "B");
	ck_assert_ptr_null(ua_kvlist_get(&l, "DATABASE_URL"));
	ck_assert_ptr_null(ua_kvlist_get(&l, ""));
	ua_kvlist_cleanup(&l);
}
END_TEST

START_TEST(dotenv_hash_in_key_skips_the_line)
{
	struct ua_kvlist l;
	/* Found by fuzz_dotenv: "export #A=1" defined "#A". */
	const char *t = "export #A=1\nB#C=2\nD=3#4\n";

	ua_kvlist_init(&l);
	ua_dotenv_parse(t, strlen(t), &l);
	ck_assert_uint_eq(l.len, 1);
	ck_assert_str_eq(l.items[0].key, "D");
	ck_assert_str_eq(l.items[0].val, "3#4");
	ua_kvlist_cleanup(&l);
}
END_TEST

static Suite *
settings_suite(void)
{
	Suite *s = suite_create("settings");
	TCase *tc;

	tc = tcase_create("ua_settings_load");
	tcase_add_checked_fixture(tc, NULL, unit_env_free);
	tcase_add_test(tc, defaults_fill_the_rest);
	tcase_add_test(tc, every_setting_is_read);
	tcase_add_test(tc, missing_database_url_is_named);
	tcase_add_test(tc, missing_jwt_secret_is_named);
	tcase_add_test(tc, db_only_tools_need_no_secret);
	tcase_add_test(tc, short_secret_refused_without_echo);
	tcase_add_test(tc, bad_numbers_refused);
	tcase_add_test(tc, refresh_bounds_accepted);
	tcase_add_test(tc, bad_enums_and_bools_refused);
	tcase_add_test(tc, root_path_values);
	tcase_add_test(tc, booleans_accept_every_spelling);
	tcase_add_test(tc, names_are_case_insensitive);
	tcase_add_test(tc, request_headers_are_never_settings);
	suite_add_tcase(s, tc);

	tc = tcase_create("ua_settings_normalise_db_url");
	tcase_add_test(tc, sqlalchemy_urls_normalised);
	suite_add_tcase(s, tc);

	tc = tcase_create("env_file");
	tcase_add_checked_fixture(tc, NULL, unit_env_free);
	tcase_add_test(tc, env_file_fills_gaps_environment_wins);
	tcase_add_test(tc, unreadable_env_file_is_named);
	tcase_add_test(tc, dotenv_quotes_and_escapes);
	tcase_add_test(tc, dotenv_nul_in_key_skips_the_line);
	tcase_add_test(tc, dotenv_hash_in_key_skips_the_line);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(settings_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
