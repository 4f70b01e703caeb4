/*
 * test_admin.c -- the userapi-admin program against a real PostgreSQL
 * server.
 *
 * The run creates three scratch databases from the admin connection in
 * UA_TEST_PG_ADMIN_URL (all dropped at the end): one migrated to head
 * with the built userapi-migrate, one only to its first migration, one
 * left empty.  Every test starts
 * with empty tables and runs the program as a sysadmin would: in a
 * clean environment (PATH, the sanitizers' options if any, and
 * USERAPI_ENV_FILE naming a settings file written here), its password
 * on a pipe, its output captured.  The database is then read over a
 * plain libpq connection of the test's own.
 *
 * Environment:
 *	UA_TEST_PG_ADMIN_URL	libpq conninfo of a role that may CREATE
 *				DATABASE; required: without it, or without
 *				a reachable server, the run fails
 *	UA_TEST_MIGRATE		userapi-migrate (default ./userapi-migrate)
 *	UA_TEST_ADMIN		userapi-admin (default: the one beside
 *				UA_TEST_MIGRATE, else ./userapi-admin)
 *	UA_TEST_MIGRATIONS_DIR	the migrations (default: the source tree's
 *				db/migrations)
 *	UA_TEST_THROUGH_PGBOUNCER  1: once migrated, the databases are
 *				reached through UA_TEST_PGBOUNCER_URL
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <libpq-fe.h>

#include "pgtest.h"

#ifndef UA_TEST_SRC_MIGRATIONS
#define UA_TEST_SRC_MIGRATIONS "db/migrations"
#endif

#define TEST_TIMEOUT_S 60
#define OUTPUT_MAX (256 * 1024) /* kept of each stream */
#define PASSWORD "correct horse"
#define SECRET "0123456789abcdef0123456789abcdef" /* 32 bytes */
#define SHORT_SECRET "Sh0rtK3y10"		  /* 10 bytes */
#define HASH "$2b$04$abcdefghijklmnopqrstuuKQ5Ow0tM4Ng3nGC3Zb2v5kqR8zvX1zy"
#define NO_SERVER "host=/nonexistent dbname=x"
#define DEFAULT_TIMEOUT_MS 5000 /* DB_STATEMENT_TIMEOUT_MS's default */

/* Passed on to the program when set: not settings, but how to run it. */
static const char *const pass_env[] = { "ASAN_OPTIONS", "UBSAN_OPTIONS",
	"LSAN_OPTIONS", NULL };

/* Set once by main() before any test runs; read-only afterwards. */
static struct {
	const char *admin_url;
	char	    migrate[PATH_MAX];		/* absolute */
	char	    admin[PATH_MAX];		/* absolute */
	char	    src[PATH_MAX];		/* absolute */
	char	    dir[PATH_MAX];		/* temporary files */
	char	    db[64];			/* migrated to head */
	char	    db_old[80];			/* to 0001 only */
	char	    db_empty[80];		/* never migrated */
	char	   *conninfo;			/* to db */
	char	   *conninfo_old;		/* to db_old */
	char	   *conninfo_empty;		/* to db_empty */
	char	    envfile[PATH_MAX + 16];	/* settings for db */
	char	    envfile_old[PATH_MAX + 16]; /* for db_old */
} cfg;

/* What one run of a program did. */
struct run {
	int   code; /* exit status; 128 + signal if killed */
	char *out;  /* standard output */
	char *err;  /* standard error */
};

/* The running test's state. */
static struct {
	PGconn	  *raw;
	struct run run;			   /* the latest run */
	char	   envfile[PATH_MAX + 16]; /* one of its own */
} fx;

/* ---------------------------------------------------------------- */
/* Helpers. */

/*
 * Write a settings file at "path": DATABASE_URL "dburl", JWT_SECRET
 * "secret" unless NULL, BCRYPT_COST 4 (the cheapest, for speed).
 * Returns false, with errno set, if it cannot be written.
 */
static bool
write_settings(const char *path, const char *dburl, const char *secret)
{
	FILE  *f;
	size_t i;
	bool   ok;

	if ((f = fopen(path, "w")) == NULL)
		return false;
	/* Double-quoted, so that quotes and backslashes survive. */
	fputs("DATABASE_URL=\"", f);
	for (i = 0; dburl[i] != '\0'; i++) {
		if (dburl[i] == '"' || dburl[i] == '\\')
			fputc('\\', f);
		fputc(dburl[i], f);
	}
	fputs("\"\n", f);
	if (secret != NULL)
		fprintf(f, "JWT_SECRET=%s\n", secret);
	fputs("BCRYPT_COST=4\n", f);
	ok = !ferror(f);
	if (fclose(f) != 0)
		ok = false;
	return ok;
}

static void
run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

/* Append what "fd" has to "buf" (of "len", at most OUTPUT_MAX kept). */
static bool
drain(int fd, char **buf, size_t *len)
{
	char	chunk[4096];
	ssize_t n;
	size_t	keep;

	if ((n = read(fd, chunk, sizeof(chunk))) <= 0)
		return n == -1 && errno == EINTR;
	keep = *len + (size_t)n > OUTPUT_MAX ? OUTPUT_MAX - *len : (size_t)n;
	if ((*buf = realloc(*buf, *len + keep + 1)) == NULL)
		abort();
	memcpy(*buf + *len, chunk, keep);
	*len += keep;
	(*buf)[*len] = '\0';
	return true;
}

/*
 * Run "argv" (argv[0] is the program) in a clean environment naming
 * "envfile", with "inlen" bytes of "in" on its standard input (none:
 * NULL, 0), into "r" (run_free() it).  False if it could not be run.
 */
static bool
run_prog(char *const argv[], const char *envfile, const char *in, size_t inlen,
    struct run *r)
{
	char	     *env[8];
	const char   *v;
	struct pollfd pfd[2];
	size_t	      outlen = 0, errlen = 0, i, j = 0;
	pid_t	      pid;
	int	      p_in[2], p_out[2], p_err[2], st;
	bool	      ok = false;

	memset(r, 0, sizeof(*r));
	r->out = pgt_fmt("%s", "");
	r->err = pgt_fmt("%s", "");
	if ((v = getenv("PATH")) == NULL || v[0] == '\0')
		v = "/usr/local/bin:/usr/bin:/bin";
	env[j++] = pgt_fmt("PATH=%s", v);
	env[j++] = pgt_fmt("USERAPI_ENV_FILE=%s", envfile);
	for (i = 0; pass_env[i] != NULL; i++)
		if ((v = getenv(pass_env[i])) != NULL)
			env[j++] = pgt_fmt("%s=%s", pass_env[i], v);
	env[j] = NULL;

	if (pipe2(p_in, O_CLOEXEC) == -1)
		goto out;
	if (pipe2(p_out, O_CLOEXEC) == -1)
		goto close_in;
	if (pipe2(p_err, O_CLOEXEC) == -1)
		goto close_out;
	if ((pid = fork()) == -1)
		goto close_err;
	if (pid == 0) {
		if (dup2(p_in[0], STDIN_FILENO) == -1 ||
		    dup2(p_out[1], STDOUT_FILENO) == -1 ||
		    dup2(p_err[1], STDERR_FILENO) == -1)
			_exit(126);
		execve(argv[0], argv, env);
		_exit(127);
	}
	close(p_in[0]);
	close(p_out[1]);
	close(p_err[1]);
	p_in[0] = p_out[1] = p_err[1] = -1;

	/*
	 * The input is far smaller than a pipe's buffer: write it all,
	 * then read.  A program that exits without reading it makes the
	 * write fail with EPIPE (SIGPIPE is ignored), which is fine.
	 */
	for (i = 0; i < inlen;) {
		ssize_t n = write(p_in[1], in + i, inlen - i);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		i += (size_t)n;
	}
	close(p_in[1]);
	p_in[1] = -1;

	pfd[0].fd = p_out[0];
	pfd[1].fd = p_err[0];
	pfd[0].events = pfd[1].events = POLLIN;
	while (pfd[0].fd != -1 || pfd[1].fd != -1) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents != 0 && !drain(pfd[0].fd, &r->out, &outlen))
			pfd[0].fd = -1;
		if (pfd[1].revents != 0 && !drain(pfd[1].fd, &r->err, &errlen))
			pfd[1].fd = -1;
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			goto close_err;
	if (WIFEXITED(st))
		r->code = WEXITSTATUS(st);
	else
		r->code = 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	ok = true;
close_err:
	if (p_err[0] != -1)
		close(p_err[0]);
	if (p_err[1] != -1)
		close(p_err[1]);
close_out:
	if (p_out[0] != -1)
		close(p_out[0]);
	if (p_out[1] != -1)
		close(p_out[1]);
close_in:
	if (p_in[0] != -1)
		close(p_in[0]);
	if (p_in[1] != -1)
		close(p_in[1]);
out:
	while (j > 0)
		free(env[--j]);
	return ok;
}

/*
 * Run userapi-admin with the arguments after "in" (up to a NULL) and
 * the settings of "envfile", the string "in" on its standard input
 * (NULL: nothing).  Returns the test's run, valid until the next.
 */
static struct run *admin_with(const char *envfile, const char *in, ...)
    __attribute__((sentinel));

static struct run *
admin_with(const char *envfile, const char *in, ...)
{
	va_list	    ap;
	char	   *argv[16];
	const char *a;
	size_t	    n = 0;
	bool	    ok;

	argv[n++] = pgt_fmt("%s", cfg.admin);
	va_start(ap, in);
	while ((a = va_arg(ap, const char *)) != NULL) {
		ck_assert_uint_lt(n, sizeof(argv) / sizeof(argv[0]) - 1);
		argv[n++] = pgt_fmt("%s", a);
	}
	va_end(ap);
	argv[n] = NULL;

	run_free(&fx.run);
	ok = run_prog(argv, envfile, in, in != NULL ? strlen(in) : 0, &fx.run);
	while (n > 0)
		free(argv[--n]);
	ck_assert_msg(ok, "cannot run %s: %s", cfg.admin, strerror(errno));
	ck_assert_msg(fx.run.code != 126 && fx.run.code != 127,
	    "cannot execute %s: %s", cfg.admin, fx.run.err);
	return &fx.run;
}

/* Most runs: with the good settings. */
#define admin(in, ...) \
	admin_with(cfg.envfile, (in), __VA_ARGS__, (const char *)NULL)

/* The latest run exited with "want". */
static void
exit_is(int want)
{
	ck_assert_msg(fx.run.code == want,
	    "exit status %d, want %d\n--- stdout:\n%s--- stderr:\n%s",
	    fx.run.code, want, fx.run.out, fx.run.err);
}

/* "s" (the name of a stream of the latest run) holds "needle". */
static void
has(const char *name, const char *s, const char *needle)
{
	ck_assert_msg(strstr(s, needle) != NULL,
	    "%s does not contain \"%s\":\n%s", name, needle, s);
}

static void
lacks(const char *name, const char *s, const char *needle)
{
	ck_assert_msg(strstr(s, needle) == NULL, "%s contains \"%s\":\n%s",
	    name, needle, s);
}

#define out_has(n) has("stdout", fx.run.out, (n))
#define err_has(n) has("stderr", fx.run.err, (n))
#define err_lacks(n) lacks("stderr", fx.run.err, (n))
#define out_lacks(n) lacks("stdout", fx.run.out, (n))

/* The usage message, and nothing done. */
static void
is_usage(void)
{
	exit_is(2);
	err_has("usage:");
	ck_assert_str_eq(fx.run.out, "");
}

/*
 * Run "sql" with up to two text parameters on the test's plain
 * connection; it must succeed.  Returns the first value (a copy, free
 * it), "(null)" for SQL NULL, or "" when there are no rows.
 */
static char *
raw2(const char *sql, const char *p1, const char *p2)
{
	const char *params[2] = { p1, p2 };
	PGresult   *res;
	char	   *v;
	int	    n = p2 != NULL ? 2 : p1 != NULL ? 1 : 0;

	res = PQexecParams(fx.raw, sql, n, NULL, params, NULL, NULL, 0);
	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK ||
		PQresultStatus(res) == PGRES_TUPLES_OK,
	    "%s: %s", sql, PQresultErrorMessage(res));
	if (PQntuples(res) == 0 || PQnfields(res) == 0)
		v = pgt_fmt("%s", "");
	else if (PQgetisnull(res, 0, 0))
		v = pgt_fmt("%s", "(null)");
	else
		v = pgt_fmt("%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

/* Assert that "sql" yields "want". */
static void
raw_is(const char *sql, const char *want)
{
	char *v = raw2(sql, NULL, NULL);

	ck_assert_msg(strcmp(v, want) == 0, "%s: got \"%s\", want \"%s\"", sql,
	    v, want);
	free(v);
}

#define no_users() raw_is("SELECT count(*) FROM users", "0")

/* A user put in behind the program's back. */
static void
put(const char *email, const char *role)
{
	free(raw2("INSERT INTO users (email, hashed_password, name, role)"
		  " VALUES ($1, '" HASH "', 'Some Name', $2::userrole)",
	    email, role));
}

/* The role of "email", or "" if there is no such user; free it. */
static char *
role_of(const char *email)
{
	return raw2("SELECT role::text FROM users WHERE email = $1", email,
	    NULL);
}

static void
role_is(const char *email, const char *want)
{
	char *v = role_of(email);

	ck_assert_msg(strcmp(v, want) == 0,
	    "role of %s: \"%s\", want "
	    "\"%s\"",
	    email, v, want);
	free(v);
}

/* The test's own settings file, for the database at "dburl". */
static const char *
settings(const char *dburl, const char *secret)
{
	ck_assert_msg(write_settings(fx.envfile, dburl, secret), "%s: %s",
	    fx.envfile, strerror(errno));
	return fx.envfile;
}

/* ---------------------------------------------------------------- */
/* The fixture. */

static void
setup(void)
{
	ck_assert_msg(cfg.conninfo != NULL, "no scratch database");
	memset(&fx, 0, sizeof(fx));
	snprintf(fx.envfile, sizeof(fx.envfile), "%s/case.env", cfg.dir);
	fx.raw = PQconnectdb(cfg.conninfo);
	ck_assert_msg(PQstatus(fx.raw) == CONNECTION_OK,
	    "cannot connect to the scratch database: %s",
	    PQerrorMessage(fx.raw));
	free(raw2("TRUNCATE users, login_failures RESTART IDENTITY CASCADE",
	    NULL, NULL));
}

static void
teardown(void)
{
	run_free(&fx.run);
	unlink(fx.envfile);
	PQfinish(fx.raw);
	memset(&fx, 0, sizeof(fx));
}

/* ---------------------------------------------------------------- */
/* create-user */

START_TEST(create_user_makes_a_user)
{
	admin(PASSWORD "\n", "create-user", "ann@example.com", "Ann Lee");
	exit_is(0);
	raw_is("SELECT count(*) FROM users", "1");
	raw_is("SELECT email || ' ' || name || ' ' || role::text FROM users",
	    "ann@example.com Ann Lee USER");
}
END_TEST

START_TEST(create_user_stores_a_bcrypt_hash_of_the_password)
{
	char *hash;

	admin(PASSWORD "\n", "create-user", "ann@example.com", "Ann Lee");
	exit_is(0);
	hash = raw2("SELECT hashed_password FROM users", NULL, NULL);
	ck_assert_msg(strncmp(hash, "$2b$04$", 7) == 0 && strlen(hash) == 60,
	    "not a bcrypt hash of cost 4: %s", hash);
	ck_assert_msg(strstr(hash, PASSWORD) == NULL, "hash %s", hash);
	free(hash);
}
END_TEST

START_TEST(create_user_lowercases_the_email_domain)
{
	admin(PASSWORD "\n", "create-user", "Ann@Example.COM", "Ann Lee");
	exit_is(0);
	raw_is("SELECT email FROM users", "Ann@example.com");
}
END_TEST

START_TEST(create_user_prints_id_and_email)
{
	char *want, *id;

	admin(PASSWORD "\n", "create-user", "Ann@Example.COM", "Ann Lee");
	exit_is(0);
	id = raw2("SELECT id FROM users", NULL, NULL);
	want = pgt_fmt("created user %s Ann@example.com\n", id);
	ck_assert_str_eq(fx.run.out, want);
	free(want);
	free(id);
}
END_TEST

START_TEST(create_user_admin_flag_makes_an_admin)
{
	admin(PASSWORD "\n", "create-user", "--admin", "root@example.com",
	    "Root");
	exit_is(0);
	role_is("root@example.com", "ADMIN");
	out_has("created admin ");
}
END_TEST

START_TEST(create_user_refuses_a_taken_email_in_another_case)
{
	put("ann@example.com", "USER");
	admin(PASSWORD "\n", "create-user", "ANN@example.com", "Ann Again");
	exit_is(1);
	err_has("already registered");
	raw_is("SELECT count(*) FROM users", "1");
	raw_is("SELECT name FROM users", "Some Name");
}
END_TEST

START_TEST(create_user_refuses_an_invalid_email)
{
	admin(PASSWORD "\n", "create-user", "not-an-address", "Ann Lee");
	exit_is(1);
	err_has(" email:");
	err_lacks(" name:");
	err_lacks(" password:");
	no_users();
}
END_TEST

START_TEST(create_user_refuses_a_one_character_name)
{
	admin(PASSWORD "\n", "create-user", "ann@example.com", "A");
	exit_is(1);
	err_has(" name:");
	err_lacks(" email:");
	err_lacks(" password:");
	no_users();
}
END_TEST

START_TEST(create_user_refuses_a_seven_character_password)
{
	admin("1234567\n", "create-user", "ann@example.com", "Ann Lee");
	exit_is(1);
	err_has(" password:");
	err_lacks(" email:");
	err_lacks(" name:");
	no_users();
}
END_TEST

START_TEST(create_user_reports_every_problem)
{
	admin("1234567\n", "create-user", "not-an-address", "A");
	exit_is(1);
	err_has(" email:");
	err_has(" name:");
	err_has(" password:");
	no_users();
}
END_TEST

START_TEST(create_user_never_echoes_the_password)
{
	admin("s3cret-Pa55\n", "create-user", "not-an-address", "Ann Lee");
	exit_is(1);
	err_lacks("s3cret-Pa55");
	out_lacks("s3cret-Pa55");
}
END_TEST

START_TEST(create_user_refuses_an_empty_stdin)
{
	admin(NULL, "create-user", "ann@example.com", "Ann Lee");
	exit_is(1);
	err_has("password");
	no_users();
}
END_TEST

START_TEST(create_user_refuses_an_empty_line)
{
	admin("\n", "create-user", "ann@example.com", "Ann Lee");
	exit_is(1);
	no_users();
}
END_TEST

START_TEST(create_user_accepts_a_password_of_72_bytes)
{
	char pw[72 + 2];

	memset(pw, 'p', 72);
	pw[72] = '\n';
	pw[73] = '\0';
	admin(pw, "create-user", "ann@example.com", "Ann Lee");
	exit_is(0);
	raw_is("SELECT count(*) FROM users", "1");
}
END_TEST

START_TEST(create_user_refuses_a_password_of_73_bytes)
{
	char pw[73 + 2];

	memset(pw, 'p', 73);
	pw[73] = '\n';
	pw[74] = '\0';
	admin(pw, "create-user", "ann@example.com", "Ann Lee");
	exit_is(1);
	err_has("password");
	no_users();
}
END_TEST

START_TEST(create_user_without_a_name_is_usage)
{
	admin(PASSWORD "\n", "create-user", "ann@example.com");
	is_usage();
	no_users();
}
END_TEST

START_TEST(create_user_admin_flag_alone_is_usage)
{
	admin(PASSWORD "\n", "create-user", "--admin", "ann@example.com");
	is_usage();
	no_users();
}
END_TEST

START_TEST(create_user_takes_no_password_argument)
{
	/* Even with a good password on stdin too. */
	admin(PASSWORD "\n", "create-user", "ann@example.com", "Ann Lee",
	    PASSWORD);
	is_usage();
	err_lacks(PASSWORD);
	no_users();
}
END_TEST

/* ---------------------------------------------------------------- */
/* set-role */

START_TEST(set_role_makes_a_user_an_admin)
{
	put("root@example.com", "ADMIN");
	put("ann@example.com", "USER");
	admin(NULL, "set-role", "ann@example.com", "admin");
	exit_is(0);
	role_is("ann@example.com", "ADMIN");
	role_is("root@example.com", "ADMIN");
}
END_TEST

START_TEST(set_role_finds_the_email_in_any_case)
{
	put("ann@example.com", "USER");
	admin(NULL, "set-role", "ANN@Example.com", "admin");
	exit_is(0);
	role_is("ann@example.com", "ADMIN");
}
END_TEST

START_TEST(set_role_demotes_an_admin_when_another_remains)
{
	put("root@example.com", "ADMIN");
	put("ann@example.com", "ADMIN");
	admin(NULL, "set-role", "ann@example.com", "user");
	exit_is(0);
	role_is("ann@example.com", "USER");
	role_is("root@example.com", "ADMIN");
}
END_TEST

START_TEST(set_role_keeps_the_last_admin)
{
	put("root@example.com", "ADMIN");
	put("ann@example.com", "USER");
	admin(NULL, "set-role", "root@example.com", "user");
	exit_is(1);
	err_has("last admin");
	role_is("root@example.com", "ADMIN");
	raw_is("SELECT updated_at IS NULL FROM users"
	       " WHERE email = 'root@example.com'",
	    "t");
}
END_TEST

START_TEST(set_role_unknown_email)
{
	put("ann@example.com", "USER");
	admin(NULL, "set-role", "nobody@example.com", "admin");
	exit_is(1);
	err_has("nobody@example.com");
	raw_is("SELECT count(*) FROM users WHERE role = 'ADMIN'", "0");
}
END_TEST

START_TEST(set_role_bad_role_word_is_usage)
{
	put("ann@example.com", "USER");
	admin(NULL, "set-role", "ann@example.com", "root");
	is_usage();
	role_is("ann@example.com", "USER");
}
END_TEST

START_TEST(set_role_without_a_role_is_usage)
{
	put("ann@example.com", "USER");
	admin(NULL, "set-role", "ann@example.com");
	is_usage();
}
END_TEST

START_TEST(set_role_extra_argument_is_usage)
{
	put("ann@example.com", "USER");
	admin(NULL, "set-role", "ann@example.com", "admin", "now");
	is_usage();
	role_is("ann@example.com", "USER");
}
END_TEST

/* ---------------------------------------------------------------- */
/* check-config */

START_TEST(check_config_ok_on_a_migrated_database)
{
	admin(NULL, "check-config");
	exit_is(0);
	ck_assert_msg(strncmp(fx.run.out, "ok", 2) == 0, "stdout: %s",
	    fx.run.out);
}
END_TEST

START_TEST(check_config_without_jwt_secret)
{
	admin_with(settings(cfg.conninfo, NULL), NULL, "check-config",
	    (const char *)NULL);
	exit_is(1);
	err_has("JWT_SECRET");
	out_lacks("ok");
}
END_TEST

START_TEST(check_config_with_a_short_jwt_secret)
{
	admin_with(settings(cfg.conninfo, SHORT_SECRET), NULL, "check-config",
	    (const char *)NULL);
	exit_is(1);
	err_has("JWT_SECRET");
	err_lacks(SHORT_SECRET);
	out_lacks(SHORT_SECRET);
}
END_TEST

START_TEST(check_config_without_a_server)
{
	admin_with(settings(NO_SERVER, SECRET), NULL, "check-config",
	    (const char *)NULL);
	exit_is(1);
	out_lacks("ok");
}
END_TEST

START_TEST(check_config_on_a_database_not_migrated)
{
	admin_with(settings(cfg.conninfo_empty, SECRET), NULL, "check-config",
	    (const char *)NULL);
	exit_is(1);
	err_has("userapi-migrate upgrade");
}
END_TEST

START_TEST(check_config_on_a_database_behind)
{
	admin_with(settings(cfg.conninfo_old, SECRET), NULL, "check-config",
	    (const char *)NULL);
	exit_is(1);
	err_has("userapi-migrate upgrade");
}
END_TEST

START_TEST(check_config_extra_argument_is_usage)
{
	admin(NULL, "check-config", "now");
	is_usage();
}
END_TEST

/* ---------------------------------------------------------------- */
/* prune */

/*
 * A session of "email" put in behind the program's back: "state" is
 * "live", "ended", "expired" or "stale" (started before a password
 * change: another token version).
 */
static void
put_session(const char *email, const char *state)
{
	free(raw2("INSERT INTO sessions (user_id, expires_at, ip,"
		  " refresh_hash, token_version, ended_at)"
		  " SELECT id,"
		  "  now() + CASE WHEN $2 = 'expired' THEN interval '-1 day'"
		  "   ELSE interval '1 day' END,"
		  "  '127.0.0.1', sha256(convert_to($2 || random(), 'UTF8')),"
		  "  token_version + CASE WHEN $2 = 'stale' THEN -1 ELSE 0 END,"
		  "  CASE WHEN $2 = 'ended' THEN now() END"
		  " FROM users WHERE email = $1",
	    email, state));
}

START_TEST(prune_deletes_ended_expired_and_stale_sessions)
{
	put("ann@example.com", "USER");
	put("bob@example.com", "ADMIN");
	put_session("ann@example.com", "live");
	put_session("ann@example.com", "ended");
	put_session("ann@example.com", "expired");
	put_session("bob@example.com", "stale");
	put_session("bob@example.com", "live");
	admin(NULL, "prune");
	exit_is(0);
	ck_assert_str_eq(fx.run.out,
	    "ok: 3 ended or expired sessions deleted\n"
	    "ok: 0 failed logins older than the window deleted\n");
	raw_is("SELECT count(*) FROM sessions", "2");
	raw_is(
	    "SELECT count(*) FROM sessions AS s JOIN users AS u"
	    " ON u.id = s.user_id WHERE s.ended_at IS NULL"
	    " AND s.expires_at > now() AND s.token_version = u.token_version",
	    "2");
}
END_TEST

START_TEST(prune_with_nothing_to_delete)
{
	put("ann@example.com", "USER");
	put_session("ann@example.com", "live");
	admin(NULL, "prune");
	exit_is(0);
	ck_assert_str_eq(fx.run.out,
	    "ok: 0 ended or expired sessions deleted\n"
	    "ok: 0 failed logins older than the window deleted\n");
	raw_is("SELECT count(*) FROM sessions", "1");
}
END_TEST

/*
 * Failed logins older than the window (LOGIN_WINDOW_SECONDS, 900 s by
 * default) count no more: prune deletes them, everyone's, and keeps the
 * ones that still count.
 */
START_TEST(prune_deletes_failed_logins_past_the_window)
{
	free(raw2("INSERT INTO login_failures (email, client, failed_at)"
		  " VALUES ('ann@example.com', '192.0.2.1',"
		  "  now() - interval '1 day'),"
		  " ('bob@example.com', '192.0.2.2', now() - interval '901 s'),"
		  " ('ann@example.com', '192.0.2.1', now() - interval '60 s'),"
		  " ('cy@example.com', '192.0.2.3', now())",
	    NULL, NULL));
	admin(NULL, "prune");
	exit_is(0);
	ck_assert_str_eq(fx.run.out,
	    "ok: 0 ended or expired sessions deleted\n"
	    "ok: 2 failed logins older than the window deleted\n");
	raw_is("SELECT count(*) FROM login_failures", "2");
	raw_is("SELECT count(*) FROM login_failures"
	       " WHERE failed_at < now() - interval '900 s'",
	    "0");
}
END_TEST

START_TEST(prune_extra_argument_is_usage)
{
	admin(NULL, "prune", "now");
	is_usage();
}
END_TEST

/* ---------------------------------------------------------------- */
/* The command word. */

START_TEST(no_command_is_usage)
{
	admin_with(cfg.envfile, NULL, (const char *)NULL);
	is_usage();
}
END_TEST

START_TEST(unknown_command_is_usage)
{
	admin(NULL, "delete-user", "ann@example.com");
	is_usage();
}
END_TEST

/* ---------------------------------------------------------------- */

static TCase *
tcase(const char *name)
{
	TCase *tc;

	tc = tcase_create(name);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TEST_TIMEOUT_S);
	return tc;
}

static Suite *
admin_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("admin");

	tc = tcase("create_user");
	tcase_add_test(tc, create_user_makes_a_user);
	tcase_add_test(tc, create_user_stores_a_bcrypt_hash_of_the_password);
	tcase_add_test(tc, create_user_lowercases_the_email_domain);
	tcase_add_test(tc, create_user_prints_id_and_email);
	tcase_add_test(tc, create_user_admin_flag_makes_an_admin);
	tcase_add_test(tc, create_user_refuses_a_taken_email_in_another_case);
	tcase_add_test(tc, create_user_refuses_an_invalid_email);
	tcase_add_test(tc, create_user_refuses_a_one_character_name);
	tcase_add_test(tc, create_user_refuses_a_seven_character_password);
	tcase_add_test(tc, create_user_reports_every_problem);
	tcase_add_test(tc, create_user_never_echoes_the_password);
	tcase_add_test(tc, create_user_refuses_an_empty_stdin);
	tcase_add_test(tc, create_user_refuses_an_empty_line);
	tcase_add_test(tc, create_user_accepts_a_password_of_72_bytes);
	tcase_add_test(tc, create_user_refuses_a_password_of_73_bytes);
	tcase_add_test(tc, create_user_without_a_name_is_usage);
	tcase_add_test(tc, create_user_admin_flag_alone_is_usage);
	tcase_add_test(tc, create_user_takes_no_password_argument);
	suite_add_tcase(s, tc);

	tc = tcase("set_role");
	tcase_add_test(tc, set_role_makes_a_user_an_admin);
	tcase_add_test(tc, set_role_finds_the_email_in_any_case);
	tcase_add_test(tc, set_role_demotes_an_admin_when_another_remains);
	tcase_add_test(tc, set_role_keeps_the_last_admin);
	tcase_add_test(tc, set_role_unknown_email);
	tcase_add_test(tc, set_role_bad_role_word_is_usage);
	tcase_add_test(tc, set_role_without_a_role_is_usage);
	tcase_add_test(tc, set_role_extra_argument_is_usage);
	suite_add_tcase(s, tc);

	tc = tcase("check_config");
	tcase_add_test(tc, check_config_ok_on_a_migrated_database);
	tcase_add_test(tc, check_config_without_jwt_secret);
	tcase_add_test(tc, check_config_with_a_short_jwt_secret);
	tcase_add_test(tc, check_config_without_a_server);
	tcase_add_test(tc, check_config_on_a_database_not_migrated);
	tcase_add_test(tc, check_config_on_a_database_behind);
	tcase_add_test(tc, check_config_extra_argument_is_usage);
	suite_add_tcase(s, tc);

	tc = tcase("prune");
	tcase_add_test(tc, prune_deletes_ended_expired_and_stale_sessions);
	tcase_add_test(tc, prune_with_nothing_to_delete);
	tcase_add_test(tc, prune_deletes_failed_logins_past_the_window);
	tcase_add_test(tc, prune_extra_argument_is_usage);
	suite_add_tcase(s, tc);

	tc = tcase("command");
	tcase_add_test(tc, no_command_is_usage);
	tcase_add_test(tc, unknown_command_is_usage);
	suite_add_tcase(s, tc);

	return s;
}

/* ---------------------------------------------------------------- */

/* CREATE or DROP database "db" on the admin connection. */
static bool
admin_db(PGconn *conn, const char *verb, const char *db, const char *tail)
{
	PGresult *res;
	char	 *id, *q;
	bool	  ok;

	if ((id = PQescapeIdentifier(conn, db, strlen(db))) == NULL)
		return false;
	q = pgt_fmt("%s DATABASE %s%s", verb, id, tail);
	res = PQexec(conn, q);
	if (!(ok = PQresultStatus(res) == PGRES_COMMAND_OK))
		fprintf(stderr, "test_admin: %s: %s", q, PQerrorMessage(conn));
	PQclear(res);
	free(q);
	PQfreemem(id);
	return ok;
}

/*
 * "userapi-migrate --dir SRC upgrade TARGET" on the database of the
 * settings file "envfile".
 */
static bool
migrate_scratch(const char *envfile, const char *target)
{
	struct run r;
	char	  *argv[6];
	bool	   ok;
	size_t	   i;

	argv[0] = pgt_fmt("%s", cfg.migrate);
	argv[1] = pgt_fmt("%s", "--dir");
	argv[2] = pgt_fmt("%s", cfg.src);
	argv[3] = pgt_fmt("%s", "upgrade");
	argv[4] = pgt_fmt("%s", target);
	argv[5] = NULL;
	ok = run_prog(argv, envfile, NULL, 0, &r) && r.code == 0;
	if (!ok)
		fprintf(stderr, "test_admin: %s upgrade %s failed (%d): %s",
		    cfg.migrate, target, r.code, r.err != NULL ? r.err : "");
	run_free(&r);
	for (i = 0; i < 5; i++)
		free(argv[i]);
	return ok;
}

/*
 * Where the programs are: UA_TEST_MIGRATE (default ./userapi-migrate);
 * UA_TEST_ADMIN, else userapi-admin beside it.  False if either is not
 * an executable.
 */
static bool
find_programs(void)
{
	const char *migrate, *adm, *src, *slash;
	char	   *beside = NULL;
	bool	    ok = false;

	if ((migrate = getenv("UA_TEST_MIGRATE")) == NULL || migrate[0] == '\0')
		migrate = "./userapi-migrate";
	if (realpath(migrate, cfg.migrate) == NULL ||
	    access(cfg.migrate, X_OK) != 0) {
		fprintf(stderr,
		    "test_admin: %s: not an executable "
		    "(set UA_TEST_MIGRATE)\n",
		    migrate);
		return false;
	}
	if ((adm = getenv("UA_TEST_ADMIN")) == NULL || adm[0] == '\0') {
		if ((slash = strrchr(migrate, '/')) != NULL)
			beside = pgt_fmt("%.*s/userapi-admin",
			    (int)(slash - migrate), migrate);
		else
			beside = pgt_fmt("%s", "./userapi-admin");
		adm = beside;
	}
	if (realpath(adm, cfg.admin) == NULL || access(cfg.admin, X_OK) != 0) {
		fprintf(stderr,
		    "test_admin: %s: not an executable "
		    "(set UA_TEST_ADMIN)\n",
		    adm);
		goto out;
	}
	if ((src = getenv("UA_TEST_MIGRATIONS_DIR")) == NULL || src[0] == '\0')
		src = UA_TEST_SRC_MIGRATIONS;
	if (realpath(src, cfg.src) == NULL) {
		fprintf(stderr, "test_admin: %s: %s\n", src, strerror(errno));
		goto out;
	}
	ok = true;
out:
	free(beside);
	return ok;
}

/*
 * ALTER ROLE <the admin role> IN DATABASE "db" SET statement_timeout to
 * the settings' default, as userapi-admin set-statement-timeout would,
 * before any connection through PgBouncer exists to take the old one.
 */
static bool
role_timeout(PGconn *conn, const char *db)
{
	PGresult *res;
	char	 *role, *id, *q;
	bool	  ok = false;

	role = PQescapeIdentifier(conn, PQuser(conn), strlen(PQuser(conn)));
	id = PQescapeIdentifier(conn, db, strlen(db));
	if (role != NULL && id != NULL) {
		q = pgt_fmt("ALTER ROLE %s IN DATABASE %s SET "
			    "statement_timeout = %d",
		    role, id, DEFAULT_TIMEOUT_MS);
		res = PQexec(conn, q);
		if (!(ok = PQresultStatus(res) == PGRES_COMMAND_OK))
			fprintf(stderr, "test_admin: %s: %s", q,
			    PQerrorMessage(conn));
		PQclear(res);
		free(q);
	}
	PQfreemem(role);
	PQfreemem(id);
	return ok;
}

/*
 * The run goes through PgBouncer: once migrated (directly), the three
 * databases are reached through it, by the program and by the tests,
 * with the statement timeout stored as the role's default, as the
 * README sets it up.
 */
static bool
through_pgbouncer(PGconn *conn)
{
	struct {
		const char *db;
		char	  **conninfo;
	} dbs[] = {
		{ cfg.db, &cfg.conninfo },
		{ cfg.db_old, &cfg.conninfo_old },
		{ cfg.db_empty, &cfg.conninfo_empty },
	};
	char  *pooled;
	size_t i;

	for (i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		if (!role_timeout(conn, dbs[i].db) ||
		    (pooled = pgt_pooled_conninfo("test_admin", dbs[i].db,
			 PQuser(conn))) == NULL)
			return false;
		free(*dbs[i].conninfo);
		*dbs[i].conninfo = pooled;
	}
	if (!write_settings(cfg.envfile, cfg.conninfo, SECRET)) {
		fprintf(stderr, "test_admin: %s: %s\n", cfg.envfile,
		    strerror(errno));
		return false;
	}
	return true;
}

int
main(void)
{
	SRunner	   *sr;
	PGconn	   *conn;
	const char *tmp;
	int	    failed = 1;
	bool	    made = false, made_old = false, made_empty = false;

	signal(SIGPIPE, SIG_IGN);
	if ((cfg.admin_url = getenv("UA_TEST_PG_ADMIN_URL")) == NULL ||
	    cfg.admin_url[0] == '\0') {
		fprintf(stderr,
		    "test_admin: UA_TEST_PG_ADMIN_URL is not "
		    "set: give it the libpq conninfo of a PostgreSQL role "
		    "that may create databases\n");
		return EXIT_FAILURE;
	}
	if (!find_programs())
		return EXIT_FAILURE;

	conn = PQconnectdb(cfg.admin_url);
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr,
		    "test_admin: cannot connect with "
		    "UA_TEST_PG_ADMIN_URL: %s",
		    PQerrorMessage(conn));
		PQfinish(conn);
		return EXIT_FAILURE;
	}
	snprintf(cfg.db, sizeof(cfg.db), "ua_test_admin_%ld", (long)getpid());
	snprintf(cfg.db_old, sizeof(cfg.db_old), "%s_old", cfg.db);
	snprintf(cfg.db_empty, sizeof(cfg.db_empty), "%s_empty", cfg.db);
	if ((cfg.conninfo = pgt_conninfo_for(cfg.admin_url, cfg.db)) == NULL ||
	    (cfg.conninfo_old = pgt_conninfo_for(cfg.admin_url, cfg.db_old)) ==
		NULL ||
	    (cfg.conninfo_empty =
		    pgt_conninfo_for(cfg.admin_url, cfg.db_empty)) == NULL) {
		fprintf(stderr,
		    "test_admin: UA_TEST_PG_ADMIN_URL cannot "
		    "be parsed\n");
		goto out;
	}
	if (!(made = admin_db(conn, "CREATE", cfg.db, "")) ||
	    !(made_old = admin_db(conn, "CREATE", cfg.db_old, "")) ||
	    !(made_empty = admin_db(conn, "CREATE", cfg.db_empty, "")))
		goto out;

	if ((tmp = getenv("TMPDIR")) == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	snprintf(cfg.dir, sizeof(cfg.dir), "%s/ua-test-admin-XXXXXX", tmp);
	if (mkdtemp(cfg.dir) == NULL) {
		fprintf(stderr, "test_admin: mkdtemp %s: %s\n", cfg.dir,
		    strerror(errno));
		cfg.dir[0] = '\0';
		goto out;
	}
	snprintf(cfg.envfile, sizeof(cfg.envfile), "%s/userapi.env", cfg.dir);
	if (!write_settings(cfg.envfile, cfg.conninfo, SECRET)) {
		fprintf(stderr, "test_admin: %s: %s\n", cfg.envfile,
		    strerror(errno));
		goto out;
	}
	snprintf(cfg.envfile_old, sizeof(cfg.envfile_old), "%s/old.env",
	    cfg.dir);
	if (!write_settings(cfg.envfile_old, cfg.conninfo_old, SECRET)) {
		fprintf(stderr, "test_admin: %s: %s\n", cfg.envfile_old,
		    strerror(errno));
		goto out;
	}
	if (!migrate_scratch(cfg.envfile, "head") ||
	    !migrate_scratch(cfg.envfile_old, "1"))
		goto out;
	if (pgt_through_pgbouncer() && !through_pgbouncer(conn))
		goto out;

	sr = srunner_create(admin_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
out:
	if (made)
		admin_db(conn, "DROP", cfg.db, " WITH (FORCE)");
	if (made_old)
		admin_db(conn, "DROP", cfg.db_old, " WITH (FORCE)");
	if (made_empty)
		admin_db(conn, "DROP", cfg.db_empty, " WITH (FORCE)");
	PQfinish(conn);
	if (cfg.envfile[0] != '\0')
		unlink(cfg.envfile);
	if (cfg.envfile_old[0] != '\0')
		unlink(cfg.envfile_old);
	if (cfg.dir[0] != '\0')
		rmdir(cfg.dir);
	free(cfg.conninfo);
	free(cfg.conninfo_old);
	free(cfg.conninfo_empty);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
