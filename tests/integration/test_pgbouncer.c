/*
 * test_pgbouncer.c -- the workers behind PgBouncer in transaction
 * pooling mode, set up as the README advises ("options" among
 * ignore_startup_parameters, the statement timeout as the role's
 * default in the database, set by userapi-admin set-statement-timeout).
 *
 * The run creates one scratch database (dropped at the end), migrated
 * by the built userapi-migrate, and settings files whose DATABASE_URL
 * goes through PgBouncer to it, with DB_STATEMENT_TIMEOUT_MS=1000.  The
 * workers run as plain CGI, or as FastCGI workers serving many
 * requests each, several at once.
 *
 * Environment (from scripts/test; a missing one fails the run):
 *	UA_TEST_PGBOUNCER_URL		PgBouncer, as the workers' role
 *	UA_TEST_PGBOUNCER_ADMIN_URL	its admin console
 *	UA_TEST_PG_ADMIN_URL		PostgreSQL itself, as a superuser
 *	UA_TEST_CGI_BIN			the installed worker programs
 *	UA_TEST_MIGRATE			userapi-migrate
 *	UA_TEST_ADMIN			userapi-admin (default: beside
 *					UA_TEST_MIGRATE)
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>

#include <check.h>
#include <libpq-fe.h>

#include "http.h"
#include "pgtest.h"

#ifndef UA_TEST_SRC_MIGRATIONS
#define UA_TEST_SRC_MIGRATIONS "db/migrations"
#endif

#define TEST_TIMEOUT_S 180
#define TIMEOUT_MS 1000	 /* DB_STATEMENT_TIMEOUT_MS of the run */
#define ANSWER_MAX_S 2.5 /* a blocked statement's 503 comes by then */
#define REQ_TIMEOUT_S 20 /* a worker that answers nothing by then */
#define SECRET "0123456789abcdef0123456789abcdef-pgbouncer"
#define CHILDREN 8 /* FastCGI clients at once, two workers each */
#define ROUNDS 4
#define PASSWORD "pgbouncer-secret-1"
#define FALLBACK_LINE "set DB_PREPARED_STATEMENTS=false"
#define TIMEOUT_LINE "userapi-admin set-statement-timeout"

/* Passed on to the programs run here when set. */
static const char *const pass_env[] = { "PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS",
	"LSAN_OPTIONS", NULL };

/* Set once by main() before any test runs; read-only afterwards. */
static struct {
	const char *pg_admin_url;
	const char *pgb_admin_url;
	char	    cgi_bin[PATH_MAX];
	char	    migrate[PATH_MAX];
	char	    admin[PATH_MAX];
	char	    src[PATH_MAX];
	char	    dir[PATH_MAX];	     /* temporary files */
	char	    db[64];		     /* the scratch database */
	char	   *direct;		     /* to it, as userapi, no pooler */
	char	   *pooled;		     /* to it through PgBouncer */
	char	    env_text[PATH_MAX + 16]; /* unnamed statements */
	char	    env_prep[PATH_MAX + 16]; /* prepared statements */
} cfg;

/* ---------------------------------------------------------------- */
/* Helpers. */

/* Run "sql" on "conn"; it must succeed. */
static void
sql_ok(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);

	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK ||
		PQresultStatus(res) == PGRES_TUPLES_OK,
	    "%s: %s", sql, PQerrorMessage(conn));
	PQclear(res);
}

static PGconn *
connect_ok(const char *conninfo, const char *what)
{
	PGconn *c = PQconnectdb(conninfo);

	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "connecting to %s: %s",
	    what, PQerrorMessage(c));
	return c;
}

/* The scratch database on the superuser connection to PostgreSQL. */
static PGconn *
superuser(void)
{
	char   *ci = pgt_conninfo_for(cfg.pg_admin_url, cfg.db);
	PGconn *c;

	ck_assert_ptr_nonnull(ci);
	c = connect_ok(ci, "the scratch database as superuser");
	free(ci);
	return c;
}

/*
 * Have PgBouncer replace its server connections once they are released,
 * so that the next ones start from the role's defaults as they are now.
 */
static void
pgb_reconnect(void)
{
	PGconn *c = connect_ok(cfg.pgb_admin_url, "PgBouncer's console");
	char   *q = pgt_fmt("RECONNECT %s", cfg.db);

	sql_ok(c, q);
	free(q);
	PQfinish(c);
}

/* ALTER ROLE userapi IN DATABASE <scratch> "tail", as the superuser. */
static void
alter_role(const char *tail)
{
	PGconn *c = superuser();
	char   *id, *q;

	id = PQescapeIdentifier(c, cfg.db, strlen(cfg.db));
	ck_assert_ptr_nonnull(id);
	q = pgt_fmt("ALTER ROLE userapi IN DATABASE %s %s", id, tail);
	sql_ok(c, q);
	free(q);
	PQfreemem(id);
	PQfinish(c);
}

/*
 * Run "prog" with "args" (NULL-ended, after argv[0]), the settings file
 * "envfile" and nothing else of ours; its stdout and stderr into "out".
 * Returns its exit status, or -1 if it did not exit.
 */
static int
run_prog(const char *prog, const char *const *args, const char *envfile,
    char *out, size_t outlen)
{
	char   *argv[8], *env[8], *v;
	size_t	n = 0, i, e = 0;
	ssize_t r;
	int	p[2], st;
	pid_t	pid;

	argv[n++] = pgt_fmt("%s", prog);
	for (i = 0; args[i] != NULL && n < 7; i++)
		argv[n++] = pgt_fmt("%s", args[i]);
	argv[n] = NULL;
	env[e++] = pgt_fmt("USERAPI_ENV_FILE=%s", envfile);
	for (i = 0; pass_env[i] != NULL; i++)
		if ((v = getenv(pass_env[i])) != NULL)
			env[e++] = pgt_fmt("%s=%s", pass_env[i], v);
	env[e] = NULL;
	/* Also run before the tests (migrate()): no ck_assert here. */
	if (pipe(p) == -1)
		abort();
	fflush(NULL);
	if ((pid = fork()) == -1)
		abort();
	if (pid == 0) {
		close(p[0]);
		if (dup2(p[1], STDOUT_FILENO) == -1 ||
		    dup2(p[1], STDERR_FILENO) == -1)
			_exit(126);
		execve(prog, argv, env);
		_exit(127);
	}
	close(p[1]);
	n = 0;
	while (n + 1 < outlen && (r = read(p[0], out + n, outlen - n - 1)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(p[0]);
	for (i = 0; i < e; i++)
		free(env[i]);
	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/*
 * The README's step for a pooler: userapi-admin set-statement-timeout
 * with the workers' settings, then new server connections in PgBouncer.
 */
static void
store_timeout(void)
{
	static const char *const args[] = { "set-statement-timeout", NULL };
	char			 out[4096];
	int			 rc;

	rc = run_prog(cfg.admin, args, cfg.env_text, out, sizeof(out));
	ck_assert_msg(rc == 0,
	    "userapi-admin set-statement-timeout: exit "
	    "%d: %s",
	    rc, out);
	pgb_reconnect();
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "program" of the installed workers, e.g. "users.fcgi". */
static char *
worker(const char *program)
{
	return pgt_fmt("%s/%s", cfg.cgi_bin, program);
}

/* One request as plain CGI with settings "envfile"; it must answer. */
static void
cgi(struct http_resp *resp, const char *envfile, const char *program,
    const char *method, const char *path, const char *token, const char *json)
{
	struct http_req req;
	const char     *headers[3] = { NULL, NULL, NULL };
	char	       *prog = worker(program), *auth = NULL, err[2048];
	size_t		h = 0;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.target = path;
	if (json != NULL) {
		headers[h++] = "Content-Type: application/json";
		req.body = json;
		req.body_len = strlen(json);
	}
	if (token != NULL)
		headers[h++] = auth =
		    pgt_fmt("Authorization: Bearer %s", token);
	req.headers = headers;
	ck_assert_msg(http_cgi(prog, envfile, &req, resp, REQ_TIMEOUT_S, err,
			  sizeof(err)) == 0,
	    "%s %s %s: %s", program, method, path, err);
	free(auth);
	free(prog);
}

/* How many times "word" occurs in "s". */
static int
count(const char *s, const char *word)
{
	int n = 0;

	while (s != NULL && (s = strstr(s, word)) != NULL) {
		n++;
		s += strlen(word);
	}
	return n;
}

/* The access token in a login answer, into "buf". */
static void
take_token(const char *body, char *buf, size_t len)
{
	const char *p = strstr(body, "\"access_token\":\"");
	size_t	    n;

	ck_assert_msg(p != NULL, "no access_token in %s", body);
	p += strlen("\"access_token\":\"");
	n = strcspn(p, "\"");
	ck_assert_uint_lt(n, len);
	memcpy(buf, p, n);
	buf[n] = '\0';
}

/* A fresh account through plain CGI; its token into "token". */
static void
account(const char *tag, char *token, size_t len)
{
	struct http_resp r;
	char		*email, *body;

	email = pgt_fmt("%s-%ld-%ld@example.com", tag, (long)getpid(),
	    (long)time(NULL));
	body = pgt_fmt("{\"email\":\"%s\",\"name\":\"Pooled\","
		       "\"password\":\"" PASSWORD "\"}",
	    email);
	cgi(&r, cfg.env_text, "users.fcgi", "POST", "/api/users/", NULL, body);
	ck_assert_msg(r.status == 201, "registering: %ld %s", r.status, r.body);
	http_resp_free(&r);
	free(body);
	body =
	    pgt_fmt("{\"email\":\"%s\",\"password\":\"" PASSWORD "\"}", email);
	cgi(&r, cfg.env_text, "auth.fcgi", "POST", "/api/auth/login", NULL,
	    body);
	ck_assert_msg(r.status == 200, "logging in: %ld %s", r.status, r.body);
	take_token(r.body, token, len);
	http_resp_free(&r);
	free(body);
	free(email);
}

/* 503 {"detail":"Service temporarily unavailable"} with Retry-After. */
static void
want_503(const struct http_resp *r, const char *what, double took)
{
	const char *ra = http_header(r, "Retry-After");
	char	   *end;

	ck_assert_msg(r->status == 503,
	    "%s: status %ld, want 503 (after "
	    "%.2f s): %s; log: %s",
	    what, r->status, took, r->body, r->log);
	ck_assert_str_eq(r->body,
	    "{\"detail\":\"Service temporarily unavailable\"}");
	ck_assert_msg(ra != NULL && strtol(ra, &end, 10) > 0 && *end == '\0',
	    "%s: Retry-After %s", what, ra != NULL ? ra : "missing");
	ck_assert_msg(took < ANSWER_MAX_S,
	    "%s: the 503 took %.2f s, want "
	    "under %.1f s (DB_STATEMENT_TIMEOUT_MS=%d)",
	    what, took, ANSWER_MAX_S, TIMEOUT_MS);
}

/* ---------------------------------------------------------------- */
/* The statement timeout. */

/*
 * With the role's default in place, a statement waiting for a lock is
 * cancelled after DB_STATEMENT_TIMEOUT_MS even though PgBouncer drops
 * the connection's "options": a read and a write both get 503 in time.
 */
START_TEST(blocked_read_and_write_answer_503_in_time)
{
	struct http_resp r;
	PGconn		*lock;
	char		 token[2048], *body;
	double		 t0, took;

	store_timeout();
	account("timeout", token, sizeof(token));

	lock = superuser();
	sql_ok(lock, "BEGIN");
	sql_ok(lock, "LOCK TABLE users IN ACCESS EXCLUSIVE MODE");

	t0 = now_s();
	cgi(&r, cfg.env_text, "auth.fcgi", "GET", "/api/auth/me", token, NULL);
	took = now_s() - t0;
	want_503(&r, "read: GET /api/auth/me", took);
	ck_assert_msg(count(r.log, TIMEOUT_LINE) == 0, "%s", r.log);
	http_resp_free(&r);

	body = pgt_fmt("{\"email\":\"blocked-%ld@example.com\",\"name\":"
		       "\"Blocked\",\"password\":\"" PASSWORD "\"}",
	    (long)getpid());
	t0 = now_s();
	cgi(&r, cfg.env_text, "users.fcgi", "POST", "/api/users/", NULL, body);
	took = now_s() - t0;
	want_503(&r, "write: POST /api/users/", took);
	http_resp_free(&r);
	free(body);

	sql_ok(lock, "ROLLBACK");
	PQfinish(lock);
}
END_TEST

/*
 * Without the role's default the server's timeout is not the one of
 * the settings: the worker says so in one line, naming the remedy, and
 * userapi-admin check-config refuses.  Once set, both are content.
 */
START_TEST(a_server_timeout_that_differs_is_named)
{
	static const char *const check[] = { "check-config", NULL };
	struct http_resp	 r;
	char			 out[4096];
	int			 rc;

	alter_role("RESET statement_timeout");
	pgb_reconnect();
	cgi(&r, cfg.env_text, "health.fcgi", "GET", "/health/ready", NULL,
	    NULL);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	ck_assert_msg(count(r.log, TIMEOUT_LINE) == 1,
	    "want one line "
	    "naming %s in the log: %s",
	    TIMEOUT_LINE, r.log);
	ck_assert_msg(strstr(r.log, "1000") != NULL, "%s", r.log);
	http_resp_free(&r);
	rc = run_prog(cfg.admin, check, cfg.env_text, out, sizeof(out));
	ck_assert_msg(rc == 1 && strstr(out, TIMEOUT_LINE) != NULL,
	    "check-config: exit %d: %s", rc, out);

	store_timeout();
	cgi(&r, cfg.env_text, "health.fcgi", "GET", "/health/ready", NULL,
	    NULL);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	ck_assert_msg(count(r.log, "statement_timeout") == 0, "%s", r.log);
	http_resp_free(&r);
	rc = run_prog(cfg.admin, check, cfg.env_text, out, sizeof(out));
	ck_assert_msg(rc == 0, "check-config: exit %d: %s", rc, out);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Prepared statements. */

/* One request of a client's round: what it sends, what it must get. */
struct step {
	const char *program;
	const char *method;
	const char *path;
	bool	    auth;
	int	    body; /* BODY_* */
	long	    want;
};

enum { BODY_NONE, BODY_REGISTER, BODY_LOGIN };

static const struct step steps[] = {
	{ "users", "POST", "/api/users/", false, BODY_REGISTER, 201 },
	{ "users", "POST", "/api/users/", false, BODY_REGISTER, 409 },
	{ "auth", "POST", "/api/auth/login", false, BODY_LOGIN, 200 },
	{ "auth", "GET", "/api/auth/me", true, BODY_NONE, 200 },
	{ "users", "GET", "/api/users/?limit=5", true, BODY_NONE, 200 },
	{ "users", "GET", "/api/users/9000000000000", true, BODY_NONE, 404 },
	{ "auth", "GET", "/api/auth/me", true, BODY_NONE, 200 },
};

/* How a client's round went: its exit status, bits of these. */
enum { ROUND_AGAINST_CONTRACT = 1, ROUND_SERVER_ERROR = 2 };

/*
 * Client "c" in round "round": every step to its two workers.  Runs in
 * a child; exits 0, or ROUND_* bits after saying on stderr what went
 * wrong.
 */
static void
client_round(const struct fcgi_worker *users, const struct fcgi_worker *auth,
    int c, int round)
{
	struct http_req	 req;
	struct http_resp r;
	const char	*headers[3];
	char		 email[128], body[512], token[2048];
	char		 bearer[2100], err[1024];
	size_t		 i, h;
	int		 bad = 0;

	snprintf(email, sizeof(email), "pooled-%ld-%d-%d@example.com",
	    (long)getppid(), c, round);
	token[0] = '\0';
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		memset(&req, 0, sizeof(req));
		h = 0;
		req.method = steps[i].method;
		req.target = steps[i].path;
		if (steps[i].body == BODY_REGISTER)
			snprintf(body, sizeof(body),
			    "{\"email\":\"%s\","
			    "\"name\":\"Pooled\",\"password\":\"" PASSWORD
			    "\"}",
			    email);
		else if (steps[i].body == BODY_LOGIN)
			snprintf(body, sizeof(body),
			    "{\"email\":\"%s\","
			    "\"password\":\"" PASSWORD "\"}",
			    email);
		if (steps[i].body != BODY_NONE) {
			headers[h++] = "Content-Type: application/json";
			req.body = body;
			req.body_len = strlen(body);
		}
		if (steps[i].auth) {
			snprintf(bearer, sizeof(bearer),
			    "Authorization: Bearer %s", token);
			headers[h++] = bearer;
		}
		headers[h] = NULL;
		req.headers = headers;
		if (fcgi_worker_request(strcmp(steps[i].program, "users") == 0 ?
			    users :
			    auth,
			&req, &r, REQ_TIMEOUT_S, err, sizeof(err)) != 0) {
			fprintf(stderr, "client %d round %d: %s %s: %s\n", c,
			    round, req.method, req.target, err);
			_exit(ROUND_AGAINST_CONTRACT);
		}
		if (r.status != steps[i].want) {
			fprintf(stderr,
			    "client %d round %d: %s %s: status "
			    "%ld, want %ld: %.300s\n",
			    c, round, req.method, req.target, r.status,
			    steps[i].want, r.body);
			bad |= ROUND_AGAINST_CONTRACT;
		}
		if (r.status >= 500)
			bad |= ROUND_SERVER_ERROR;
		if (steps[i].body == BODY_LOGIN && r.status == 200) {
			const char *p = strstr(r.body, "\"access_token\":\"");

			if (p != NULL) {
				p += strlen("\"access_token\":\"");
				snprintf(token, sizeof(token), "%.*s",
				    (int)strcspn(p, "\""), p);
			}
		}
		http_resp_free(&r);
	}
	_exit(bad);
}

/* The whole of file "path" (free it), "" if it cannot be read. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s;
	long  n;

	if (f == NULL)
		return pgt_fmt("%s", "");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
	ck_assert_ptr_nonnull(s);
	if (n > 0 && fread(s, 1, (size_t)n, f) != (size_t)n)
		s[0] = '\0';
	fclose(f);
	return s;
}

/*
 * DB_PREPARED_STATEMENTS=true behind transaction pooling: statements
 * prepared on one server connection are run on another, or meet
 * another worker's.  Sixteen FastCGI workers serving many requests
 * each, eight clients at once, and PgBouncer told between the first two
 * rounds to replace its server connections (so that every worker meets
 * the loss): no answer is a 5xx, every answer is the contract's, and
 * each worker says exactly once that it gave up on prepared statements,
 * naming the setting to change.
 */
START_TEST(prepared_statements_fall_back_behind_the_pooler)
{
	struct fcgi_worker w[CHILDREN][2];
	char		   err[1024], *log, *path[CHILDREN][2];
	char		  *logs[CHILDREN][2];
	bool		   stopped[CHILDREN][2];
	char		  *prog[2];
	pid_t		   pid[CHILDREN];
	int		   c, k, round, st, failed = 0, errors = 0, lines;

	store_timeout();
	prog[0] = worker("users.fcgi");
	prog[1] = worker("auth.fcgi");
	for (c = 0; c < CHILDREN; c++)
		for (k = 0; k < 2; k++) {
			path[c][k] = pgt_fmt("%s/worker-%d-%s.log", cfg.dir, c,
			    k == 0 ? "users" : "auth");
			unlink(path[c][k]);
			ck_assert_msg(fcgi_worker_start(&w[c][k], prog[k],
					  cfg.env_prep, path[c][k], err,
					  sizeof(err)) == 0,
			    "starting %s: %s", prog[k], err);
		}
	for (round = 0; round < ROUNDS; round++) {
		if (round == 1)
			pgb_reconnect();
		fflush(NULL);
		for (c = 0; c < CHILDREN; c++) {
			ck_assert_int_ne(pid[c] = fork(), -1);
			if (pid[c] == 0)
				client_round(&w[c][0], &w[c][1], c, round);
		}
		for (c = 0; c < CHILDREN; c++) {
			ck_assert_int_eq(waitpid(pid[c], &st, 0), pid[c]);
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				failed++;
			if (WIFEXITED(st) &&
			    (WEXITSTATUS(st) & ROUND_SERVER_ERROR))
				errors++;
		}
	}
	/* Every worker stopped, and its log read, before any verdict. */
	for (c = 0; c < CHILDREN; c++)
		for (k = 0; k < 2; k++) {
			stopped[c][k] =
			    fcgi_worker_stop(&w[c][k], 10, &st) == 0 &&
			    WIFEXITED(st) && WEXITSTATUS(st) == 0;
			logs[c][k] = slurp(path[c][k]);
		}
	ck_assert_msg(errors == 0,
	    "%d client rounds got a 5xx: lost or shared prepared "
	    "statements must never fail a request (see above)",
	    errors);
	ck_assert_msg(failed == 0,
	    "%d client rounds got an answer against "
	    "the contract (see above)",
	    failed);
	for (c = 0; c < CHILDREN; c++)
		for (k = 0; k < 2; k++) {
			log = logs[c][k];
			ck_assert_msg(stopped[c][k],
			    "%s did not exit 0 on SIGTERM", path[c][k]);
			lines = count(log, FALLBACK_LINE);
			ck_assert_msg(lines == 1,
			    "%s: %d lines naming \"%s\""
			    ", want one: %.3000s",
			    path[c][k], lines, FALLBACK_LINE, log);
			ck_assert_msg(strstr(log, "(a pooler") != NULL,
			    "%s: %s", path[c][k], log);
			free(log);
			free(path[c][k]);
		}
	free(prog[0]);
	free(prog[1]);
}
END_TEST

/* ---------------------------------------------------------------- */

static Suite *
pgbouncer_suite(void)
{
	Suite *s = suite_create("pgbouncer");
	TCase *tc;

	tc = tcase_create("statement_timeout");
	tcase_set_timeout(tc, TEST_TIMEOUT_S);
	tcase_add_test(tc, blocked_read_and_write_answer_503_in_time);
	tcase_add_test(tc, a_server_timeout_that_differs_is_named);
	suite_add_tcase(s, tc);

	tc = tcase_create("prepared_statements");
	tcase_set_timeout(tc, TEST_TIMEOUT_S);
	tcase_add_test(tc, prepared_statements_fall_back_behind_the_pooler);
	suite_add_tcase(s, tc);
	return s;
}

/* Remove the run's temporary directory and the files in it. */
static void
remove_dir(void)
{
	DIR	      *d;
	struct dirent *e;
	char	      *f;

	if (cfg.dir[0] == '\0' || (d = opendir(cfg.dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		f = pgt_fmt("%s/%s", cfg.dir, e->d_name);
		unlink(f);
		free(f);
	}
	closedir(d);
	rmdir(cfg.dir);
}

/* The value of "name", or NULL after saying on stderr that it is unset. */
static const char *
need_env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || v[0] == '\0') {
		fprintf(stderr,
		    "test_pgbouncer: %s is not set (scripts/test "
		    "sets it once PgBouncer runs)\n",
		    name);
		return NULL;
	}
	return v;
}

/* Write settings file "path" for the pooled database. */
static bool
write_settings(const char *path, bool prepared)
{
	FILE *f;
	bool  ok;

	if ((f = fopen(path, "w")) == NULL)
		return false;
	/* Double quotes: the key=value conninfo holds single ones. */
	fprintf(f,
	    "DATABASE_URL=\"%s\"\nJWT_SECRET=%s\nBCRYPT_COST=4\n"
	    "DB_STATEMENT_TIMEOUT_MS=%d\nDB_PREPARED_STATEMENTS=%s\n",
	    cfg.pooled, SECRET, TIMEOUT_MS, prepared ? "true" : "false");
	ok = ferror(f) == 0;
	return fclose(f) == 0 && ok;
}

/* Create (verb "CREATE") or drop the scratch database. */
static bool
scratch_db(const char *verb)
{
	PGconn	 *c = PQconnectdb(cfg.pg_admin_url);
	PGresult *res;
	char	 *id = NULL, *q = NULL;
	bool	  ok = false;

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "test_pgbouncer: UA_TEST_PG_ADMIN_URL: %s",
		    PQerrorMessage(c));
		goto out;
	}
	if ((id = PQescapeIdentifier(c, cfg.db, strlen(cfg.db))) == NULL)
		goto out;
	q = strcmp(verb, "CREATE") == 0 ?
	    pgt_fmt("CREATE DATABASE %s OWNER userapi", id) :
	    pgt_fmt("DROP DATABASE IF EXISTS %s WITH (FORCE)", id);
	res = PQexec(c, q);
	if (!(ok = PQresultStatus(res) == PGRES_COMMAND_OK))
		fprintf(stderr, "test_pgbouncer: %s: %s", q, PQerrorMessage(c));
	PQclear(res);
out:
	free(q);
	PQfreemem(id);
	PQfinish(c);
	return ok;
}

/* userapi-migrate upgrade head on the scratch database, directly. */
static bool
migrate(void)
{
	char		  *env = pgt_fmt("%s/migrate.env", cfg.dir), out[8192];
	FILE		  *f;
	int		   rc = -1;
	static const char *args[] = { "--dir", NULL, "upgrade", "head", NULL };

	args[1] = cfg.src;
	if ((f = fopen(env, "w")) != NULL) {
		fprintf(f, "DATABASE_URL=\"%s\"\n", cfg.direct);
		if (fclose(f) == 0)
			rc = run_prog(cfg.migrate, args, env, out, sizeof(out));
	}
	if (rc != 0)
		fprintf(stderr,
		    "test_pgbouncer: userapi-migrate: exit %d: "
		    "%s\n",
		    rc, rc == -1 ? "" : out);
	free(env);
	return rc == 0;
}

int
main(void)
{
	SRunner	   *sr;
	const char *pgb_url, *v, *tmp;
	char	   *ci, *p;
	int	    failed = 1;
	bool	    made = false;

	if ((cfg.pg_admin_url = need_env("UA_TEST_PG_ADMIN_URL")) == NULL ||
	    (pgb_url = need_env("UA_TEST_PGBOUNCER_URL")) == NULL ||
	    (cfg.pgb_admin_url = need_env("UA_TEST_PGBOUNCER_ADMIN_URL")) ==
		NULL ||
	    (v = need_env("UA_TEST_CGI_BIN")) == NULL)
		return EXIT_FAILURE;
	if (realpath(v, cfg.cgi_bin) == NULL ||
	    (v = need_env("UA_TEST_MIGRATE")) == NULL ||
	    realpath(v, cfg.migrate) == NULL) {
		fprintf(stderr,
		    "test_pgbouncer: UA_TEST_CGI_BIN or "
		    "UA_TEST_MIGRATE: %s\n",
		    strerror(errno));
		return EXIT_FAILURE;
	}
	if ((v = getenv("UA_TEST_ADMIN")) != NULL && v[0] != '\0')
		snprintf(cfg.admin, sizeof(cfg.admin), "%s", v);
	else if ((p = strrchr(cfg.migrate, '/')) != NULL)
		snprintf(cfg.admin, sizeof(cfg.admin), "%.*s/userapi-admin",
		    (int)(p - cfg.migrate), cfg.migrate);
	if (access(cfg.admin, X_OK) != 0) {
		fprintf(stderr,
		    "test_pgbouncer: %s: not an executable "
		    "(set UA_TEST_ADMIN)\n",
		    cfg.admin);
		return EXIT_FAILURE;
	}
	if (realpath(UA_TEST_SRC_MIGRATIONS, cfg.src) == NULL) {
		fprintf(stderr, "test_pgbouncer: %s: %s\n",
		    UA_TEST_SRC_MIGRATIONS, strerror(errno));
		return EXIT_FAILURE;
	}

	snprintf(cfg.db, sizeof(cfg.db), "ua_test_pgbouncer_%ld",
	    (long)getpid());
	/* The workers' role, on PostgreSQL's own socket. */
	if ((ci = pgt_conninfo_for(cfg.pg_admin_url, cfg.db)) == NULL ||
	    (cfg.pooled = pgt_conninfo_for(pgb_url, cfg.db)) == NULL) {
		fprintf(stderr,
		    "test_pgbouncer: a conninfo cannot be "
		    "parsed\n");
		return EXIT_FAILURE;
	}
	cfg.direct = pgt_fmt("%s user=userapi", ci);
	free(ci);

	if ((tmp = getenv("TMPDIR")) == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	snprintf(cfg.dir, sizeof(cfg.dir), "%s/ua-test-pgb-XXXXXX", tmp);
	if (mkdtemp(cfg.dir) == NULL) {
		fprintf(stderr, "test_pgbouncer: mkdtemp: %s\n",
		    strerror(errno));
		cfg.dir[0] = '\0';
		goto out;
	}
	snprintf(cfg.env_text, sizeof(cfg.env_text), "%s/text.env", cfg.dir);
	snprintf(cfg.env_prep, sizeof(cfg.env_prep), "%s/prep.env", cfg.dir);
	if (!write_settings(cfg.env_text, false) ||
	    !write_settings(cfg.env_prep, true)) {
		fprintf(stderr,
		    "test_pgbouncer: writing settings files in "
		    "%s: %s\n",
		    cfg.dir, strerror(errno));
		goto out;
	}
	if (!(made = scratch_db("CREATE")) || !migrate())
		goto out;

	http_global_init();
	sr = srunner_create(pgbouncer_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	http_global_cleanup();
out:
	if (made && !scratch_db("DROP"))
		failed = 1;
	/* Kept when something failed: the workers' logs are in it. */
	if (failed == 0)
		remove_dir();
	else if (cfg.dir[0] != '\0')
		fprintf(stderr, "test_pgbouncer: the workers' logs: %s\n",
		    cfg.dir);
	free(cfg.direct);
	free(cfg.pooled);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
