/*
 * test_faults.c -- what the workers hold when PostgreSQL or the clients
 * misbehave, through lighttpd (mod_fastcgi) and Apache (mod_fcgid)
 * from the shipped configs.
 *
 * A PostgreSQL restart under parallel writers loses no acknowledged
 * registration and answers nothing but 201 and 503 with Retry-After;
 * ten seconds without PostgreSQL are 503s, then service again with the
 * same workers; a table lock held past DB_STATEMENT_TIMEOUT_MS is a 503
 * at that timeout; clients that hang up before their answer crash no
 * worker.
 *
 * The settings come from $UA_TEST_ENV_FILE; DATABASE_URL (the test
 * stack's) is read directly.  Run: make check-integration (through
 * scripts/test).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <libpq-fe.h>

#include "api_helpers.h"
#include "http.h"
#include "stack.h"

#define TGT ((enum target)_i)

/* Writers during the restart, and how long they write. */
#define WRITERS 8
#define WRITE_S 6.0
/* How long PostgreSQL stays away in the outage case. */
#define OUTAGE_S 10.0
/* Clients that hang up before their answer. */
#define HANGUPS 200

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static const char *
base_url(enum target t)
{
	return target_url(t);
}

static PGconn *
db_connect(void)
{
	PGconn *c = PQconnectdb(stack_env("DATABASE_URL"));

	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "DATABASE_URL: %s",
	    PQerrorMessage(c));
	return c;
}

static void
db_command(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", sql,
	    PQerrorMessage(c));
	PQclear(r);
}

/* GET "path" with "token" through "t": the status, and Retry-After. */
static long
get_status(enum target t, const char *path, const char *token,
    bool *retry_after)
{
	struct http_req	 req;
	struct http_resp resp;
	char		 auth[2200], err[512];
	const char	*h[2] = { auth, NULL };
	long		 st;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.target = path;
	req.headers = h;
	ck_assert_msg(http_do(base_url(t), &req, &resp, err, sizeof(err)) == 0,
	    "%s GET %s: %s", target_name(t), path, err);
	st = resp.status;
	if (retry_after != NULL)
		*retry_after = http_header(&resp, "Retry-After") != NULL;
	http_resp_free(&resp);
	return st;
}

/* ------------------------------------------------------------------ */
/* Suite restart: writers while PostgreSQL restarts                    */
/* ------------------------------------------------------------------ */

/*
 * One writer: register fresh addresses one after another for WRITE_S
 * seconds; one line "<status> <retry-after 0/1> <email>" per answer,
 * status 0 for none, into "fd".  Runs in a child: no Check calls.
 */
static void
writer(enum target t, int n, int fd)
{
	static const char *const h[] = { "Content-Type: application/json",
		NULL };
	struct http_req		 req;
	struct http_resp	 resp;
	char			 email[128], body[512], line[256], err[512];
	double			 end = stack_now() + WRITE_S;
	int			 i;

	for (i = 0; stack_now() < end; i++) {
		snprintf(email, sizeof(email), "w%d-%d-%d-%ld@example.com",
		    (int)t, n, i, (long)getpid());
		snprintf(body, sizeof(body),
		    "{\"email\":\"%s\",\"name\":"
		    "\"Writer\",\"password\":\"writer-password\"}",
		    email);
		memset(&req, 0, sizeof(req));
		req.method = "POST";
		req.target = "/api/users/";
		req.headers = h;
		req.body = body;
		req.body_len = strlen(body);
		if (http_do(base_url(t), &req, &resp, err, sizeof(err)) != 0) {
			snprintf(line, sizeof(line), "0 0 %s\n", email);
		} else {
			snprintf(line, sizeof(line), "%ld %d %s\n", resp.status,
			    http_header(&resp, "Retry-After") != NULL, email);
			http_resp_free(&resp);
		}
		if (write(fd, line, strlen(line)) != (ssize_t)strlen(line))
			_exit(2);
	}
	_exit(0);
}

START_TEST(restart_under_writes_loses_no_acknowledged_write)
{
	PGconn	   *c;
	PGresult   *r;
	FILE	   *in;
	pid_t	    pids[WRITERS];
	char	    line[256], email[200];
	const char *params[1] = { email };
	long	    st;
	int	    p[2], i, ra, ok = 0, unavailable = 0, missing = 0;
	int	    wst;

	ck_assert_int_eq(pipe(p), 0);
	fflush(NULL);
	for (i = 0; i < WRITERS; i++) {
		ck_assert_int_ne(pids[i] = fork(), -1);
		if (pids[i] == 0) {
			close(p[0]);
			writer(TGT, i, p[1]);
		}
	}
	close(p[1]);
	usleep(1500000);
	stack_ctl("pg-stop");
	stack_ctl("pg-start");

	c = db_connect();
	ck_assert_ptr_nonnull(in = fdopen(p[0], "r"));
	while (fgets(line, sizeof(line), in) != NULL) {
		ck_assert_int_eq(sscanf(line, "%ld %d %199s", &st, &ra, email),
		    3);
		ck_assert_msg(st == 201 || (st == 503 && ra == 1),
		    "%s: registering %s during a restart: %ld%s",
		    target_name(TGT), email, st,
		    st == 503 ? " without Retry-After" : "");
		if (st == 503) {
			unavailable++;
			continue;
		}
		ok++;
		r = PQexecParams(c, "SELECT 1 FROM users WHERE email = $1", 1,
		    NULL, params, NULL, NULL, 0);
		ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
		if (PQntuples(r) != 1)
			missing++;
		PQclear(r);
	}
	fclose(in);
	PQfinish(c);
	for (i = 0; i < WRITERS; i++) {
		ck_assert_int_eq(waitpid(pids[i], &wst, 0), pids[i]);
		ck_assert(WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
	}
	ck_assert_msg(missing == 0,
	    "%s: %d of %d acknowledged registrations "
	    "lost",
	    target_name(TGT), missing, ok);
	ck_assert_msg(ok > WRITERS,
	    "%s: only %d registrations acknowledged "
	    "(%d answered 503)",
	    target_name(TGT), ok, unavailable);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Suite outage: ten seconds without PostgreSQL                        */
/* ------------------------------------------------------------------ */

START_TEST(ten_second_outage_then_service)
{
	struct api_user	   a;
	struct worker_proc before[16], after[16];
	const char	  *server = target_server(TGT);
	char		   path[64];
	double		   end;
	size_t		   nb, na, i;
	long		   st;
	bool		   ra;

	api_user_new(TGT, &a, "outage", false);
	snprintf(path, sizeof(path), "/api/users/%lld", (long long)a.id);
	ck_assert_int_eq(get_status(TGT, path, a.token, NULL), 200);
	nb = stack_workers("users.fcgi", server, before, 16);

	pg_stop();
	for (end = stack_now() + OUTAGE_S; stack_now() < end;) {
		st = get_status(TGT, path, a.token, &ra);
		ck_assert_msg(st == 503 && ra,
		    "%s: %ld%s while PostgreSQL is "
		    "away",
		    target_name(TGT), st,
		    ra ? "" :
			 " without "
			 "Retry-After");
		ck_assert_int_eq(get_status(TGT, "/health", "-", NULL), 200);
		usleep(500000);
	}
	pg_start_cold();
	for (end = stack_now() + 3; stack_now() < end; usleep(100000))
		if ((st = get_status(TGT, path, a.token, NULL)) == 200)
			break;
	ck_assert_msg(st == 200,
	    "%s: still %ld 3 s after PostgreSQL came "
	    "back",
	    target_name(TGT), st);
	/*
	 * The same workers: none died or had to be restarted (the server
	 * may have started more beside them).
	 */
	na = stack_workers("users.fcgi", server, after, 16);
	ck_assert_msg(nb > 0 && na > 0, "%s: no users worker found",
	    target_name(TGT));
	for (i = 0; i < nb; i++) {
		size_t j;
		bool   alive = false;

		for (j = 0; j < na; j++)
			alive = alive || after[j].pid == before[i].pid;
		ck_assert_msg(alive, "%s: worker %ld is gone after the outage",
		    target_name(TGT), (long)before[i].pid);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Suite lock: a statement blocked past DB_STATEMENT_TIMEOUT_MS        */
/* ------------------------------------------------------------------ */

START_TEST(lock_past_the_statement_timeout_is_503)
{
	struct api_user a;
	PGconn	       *c;
	char		path[64];
	double		t0, took;
	long		st;
	bool		ra;

	api_user_new(TGT, &a, "lock", false);
	snprintf(path, sizeof(path), "/api/users/%lld", (long long)a.id);
	c = db_connect();
	db_command(c, "BEGIN");
	db_command(c, "LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
	t0 = stack_now();
	st = get_status(TGT, path, a.token, &ra);
	took = stack_now() - t0;
	db_command(c, "ROLLBACK");
	PQfinish(c);
	ck_assert_msg(st == 503 && ra, "%s: %ld%s behind a lock",
	    target_name(TGT), st, ra ? "" : " without Retry-After");
	/* DB_STATEMENT_TIMEOUT_MS of the test stack: the default, 5 s. */
	ck_assert_msg(took >= 4.5 && took < 8.0,
	    "%s: the 503 came after "
	    "%.2f s, want about 5 s",
	    target_name(TGT), took);
	ck_assert_int_eq(get_status(TGT, path, a.token, NULL), 200);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Suite hangups: clients that leave before their answer               */
/* ------------------------------------------------------------------ */

/* Connect to "t", send the first "len" bytes of "req", hang up. */
static void
send_and_hang_up(enum target t, const char *req, size_t len)
{
	struct sockaddr_in sa;
	const char	  *url = base_url(t), *port;
	int		   fd;

	ck_assert_ptr_nonnull(port = strrchr(url, ':'));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(port + 1));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd = socket(AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_msg(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0,
	    "connect %s: %s", url, strerror(errno));
	ck_assert(write(fd, req, len) == (ssize_t)len);
	close(fd);
}

START_TEST(hang_ups_crash_no_worker)
{
	struct api_user	   a;
	struct worker_proc before[16], after[16];
	const char	  *server = target_server(TGT);
	char		   me[2600], reg[1024], body[512];
	size_t		   nb, na, i, j;
	int		   nme, nreg;

	api_user_new(TGT, &a, "hangup", false);
	nb = stack_workers("users.fcgi", server, before, 16);
	ck_assert_msg(nb > 0, "%s: no users worker", target_name(TGT));
	nme = snprintf(me, sizeof(me),
	    "GET /api/users/%lld HTTP/1.1\r\n"
	    "Host: localhost\r\nAuthorization: Bearer %s\r\n\r\n",
	    (long long)a.id, a.token);
	snprintf(body, sizeof(body),
	    "{\"email\":\"%s\",\"name\":\"Again\","
	    "\"password\":\"again-password\"}",
	    a.email);
	nreg = snprintf(reg, sizeof(reg),
	    "POST /api/users/ HTTP/1.1\r\n"
	    "Host: localhost\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\n\r\n%s",
	    strlen(body), body);
	ck_assert(nme < (int)sizeof(me) && nreg < (int)sizeof(reg));
	for (i = 0; i < HANGUPS; i++) {
		/* Whole requests, and bodies cut short. */
		if (i % 2 == 0)
			send_and_hang_up(TGT, me, (size_t)nme);
		else
			send_and_hang_up(TGT, reg,
			    (size_t)nreg - (i % 4 == 1 ? strlen(body) / 2 : 0));
	}
	usleep(500000);
	ck_assert_int_eq(get_status(TGT, "/health", "-", NULL), 200);
	ck_assert_int_eq(api_me_status(TGT, a.token), 200);
	na = stack_workers("users.fcgi", server, after, 16);
	for (i = 0; i < nb; i++) {
		bool alive = false;

		for (j = 0; j < na; j++)
			alive = alive || after[j].pid == before[i].pid;
		ck_assert_msg(alive, "%s: worker %ld is gone after %d hang-ups",
		    target_name(TGT), (long)before[i].pid, HANGUPS);
	}
}
END_TEST

/* ------------------------------------------------------------------ */

static Suite *
faults_suite(void)
{
	Suite *s = suite_create("faults");
	TCase *tc;

	tc = tcase_create("restart");
	tcase_add_checked_fixture(tc, pg_setup, NULL);
	tcase_add_unchecked_fixture(tc, NULL, pg_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc,
	    restart_under_writes_loses_no_acknowledged_write, 0,
	    TARGET_SERVERS_MAX);
	suite_add_tcase(s, tc);

	tc = tcase_create("outage");
	tcase_add_checked_fixture(tc, pg_setup, NULL);
	tcase_add_unchecked_fixture(tc, NULL, pg_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, ten_second_outage_then_service, 0,
	    TARGET_SERVERS_MAX);
	suite_add_tcase(s, tc);

	tc = tcase_create("lock");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, lock_past_the_statement_timeout_is_503, 0,
	    TARGET_SERVERS_MAX);
	suite_add_tcase(s, tc);

	tc = tcase_create("hangups");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, hang_ups_crash_no_worker, 0,
	    TARGET_SERVERS_MAX);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int	 failed;

	api_init();
	api_prepare();
	sr = srunner_create(faults_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	api_cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
