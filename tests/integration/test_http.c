/*
 * test_http.c -- the health worker through the real stack: lighttpd
 * (mod_fastcgi) and Apache (mod_fcgid) started from the shipped configs,
 * and the same worker run as plain CGI.  Every case that applies runs
 * against each of the three (a Check loop over enum target).  A fourth
 * target speaks FastCGI to the worker directly, for what neither server
 * sends here (a body without CONTENT_LENGTH) and for how it stops.
 *
 * The stack is started by scripts/test, which exports where it listens;
 * see stack.h.  Run: make check-integration (through scripts/test).
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include "http.h"
#include "stack.h"

/* The worker's command name, as /proc/<pid>/comm shows it. */
#define WORKER_COMM "health.fcgi"
#define PIDS_MAX 256

/* After pg-start returns, /health/ready must be 200 within this. */
#define RECOVERY_S 2.0
#define POLL_US 100000

#define BODY_HEALTHY "{\"status\":\"healthy\"}"
#define BODY_READY "{\"status\":\"ready\",\"database\":\"ok\"}"
#define BODY_UNAVAIL "{\"status\":\"unavailable\",\"database\":\"unreachable\"}"

/*
 * Set by main() before any test runs: a file that exists while a case
 * has PostgreSQL stopped, so the fixtures know to start it again even
 * when the case failed or was killed half-way.
 */
static char pg_down_marker[256];

/* ------------------------------------------------------------------ */
/* Assertions on one exchange                                          */
/* ------------------------------------------------------------------ */

static void
want_status(const struct xchg *x, long status)
{
	ck_assert_msg(x->resp.status == status,
	    "%s: status %ld, want %ld; body: %.300s", x->label, x->resp.status,
	    status, x->resp.body);
}

/* The body is JSON and, byte for byte, the compact text "json". */
static void
want_body(const struct xchg *x, const char *json)
{
	struct json_tokener *tok;
	struct json_object  *o;

	ck_assert_msg((tok = json_tokener_new()) != NULL, "json_tokener_new");
	o = json_tokener_parse_ex(tok, x->resp.body, (int)x->resp.body_len);
	ck_assert_msg(o != NULL &&
		json_tokener_get_error(tok) == json_tokener_success,
	    "%s: body is not JSON (%s): %.300s", x->label,
	    json_tokener_error_desc(json_tokener_get_error(tok)), x->resp.body);
	json_object_put(o);
	json_tokener_free(tok);
	ck_assert_msg(strlen(json) == x->resp.body_len &&
		memcmp(json, x->resp.body, x->resp.body_len) == 0,
	    "%s: body %.300s, want %s", x->label, x->resp.body, json);
}

static void
want_detail(const struct xchg *x, long status, const char *detail)
{
	char json[256];

	snprintf(json, sizeof(json), "{\"detail\":\"%s\"}", detail);
	want_status(x, status);
	want_body(x, json);
}

/* Header "name" is there exactly once, with exactly "value". */
static void
want_header(const struct xchg *x, const char *name, const char *value)
{
	const char *v;
	size_t	    n;

	n = http_header_count(&x->resp, name);
	ck_assert_msg(n == 1, "%s: %zu %s headers, want 1", x->label, n, name);
	v = http_header(&x->resp, name);
	ck_assert_msg(strcmp(v, value) == 0, "%s: %s: \"%s\", want \"%s\"",
	    x->label, name, v, value);
}

static void
want_no_header(const struct xchg *x, const char *name)
{
	const char *v;

	v = http_header(&x->resp, name);
	ck_assert_msg(v == NULL, "%s: unexpected %s: \"%s\"", x->label, name,
	    v == NULL ? "" : v);
}

static void
want_empty_body(const struct xchg *x)
{
	ck_assert_msg(x->resp.body_len == 0,
	    "%s: %zu body bytes, want "
	    "none: %.200s",
	    x->label, x->resp.body_len, x->resp.body);
}

/* 1..128 visible ASCII characters (API.md, X-Request-ID). */
static bool
id_sane(const char *id)
{
	size_t i;

	for (i = 0; id[i] != '\0'; i++)
		if ((unsigned char)id[i] < 0x21 || (unsigned char)id[i] > 0x7e)
			return false;
	return i >= 1 && i <= 128;
}

/* The one X-Request-ID of the response; it is sane. */
static const char *
want_request_id(const struct xchg *x)
{
	const char *id;
	size_t	    n;

	n = http_header_count(&x->resp, "X-Request-ID");
	ck_assert_msg(n == 1, "%s: %zu X-Request-ID headers, want 1", x->label,
	    n);
	id = http_header(&x->resp, "X-Request-ID");
	ck_assert_msg(id_sane(id),
	    "%s: X-Request-ID \"%s\" is not 1..128 "
	    "visible ASCII characters",
	    x->label, id);
	return id;
}

/* ------------------------------------------------------------------ */
/* PostgreSQL down and up again                                        */
/* ------------------------------------------------------------------ */

static void
pg_stop(void)
{
	int fd;

	fd = open(pg_down_marker, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_msg(fd != -1, "%s: %s", pg_down_marker, strerror(errno));
	close(fd);
	stack_ctl("pg-stop");
}

static void
pg_start(void)
{
	stack_ctl("pg-start");
	unlink(pg_down_marker);
}

/* Checked setup: a case that failed with PostgreSQL down left it down. */
static void
pg_setup(void)
{
	if (access(pg_down_marker, F_OK) == 0)
		pg_start();
}

/* Unchecked teardown: runs in the runner even after a crash or timeout. */
static void
pg_teardown(void)
{
	if (access(pg_down_marker, F_OK) != 0)
		return;
	if (stack_ctl_quiet("pg-start"))
		unlink(pg_down_marker);
	else
		fprintf(stderr,
		    "PostgreSQL could not be started again; "
		    "the cases after this one will fail\n");
}

/* Append "pid/parent" for each of "p" not in "q" to "buf". */
static void
list_missing(char *buf, size_t len, const struct worker_proc *p, size_t np,
    const struct worker_proc *q, size_t nq)
{
	size_t i, j, used;

	for (i = 0; i < np; i++) {
		for (j = 0; j < nq; j++)
			if (p[i].pid == q[j].pid)
				break;
		if (j < nq)
			continue;
		used = strlen(buf);
		snprintf(buf + used, len - used, " %ld/%s", (long)p[i].pid,
		    p[i].parent);
	}
}

/*
 * The workers that the server of "t" runs, into "procs".  Under CGI and
 * direct FastCGI every request has its own process: nothing to compare.
 */
static size_t
target_workers(enum target t, struct worker_proc *procs)
{
	size_t n;

	if (target_server(t) == NULL)
		return 0;
	n = stack_workers(WORKER_COMM, target_server(t), procs, PIDS_MAX);
	ck_assert_msg(n > 0,
	    "%s: no %s process whose parent is %s found "
	    "in /proc",
	    target_name(t), WORKER_COMM, target_server(t));
	return n;
}

/* The server's worker processes are the ones from before the outage. */
static void
want_same_workers(const struct worker_proc *a, size_t na,
    const struct worker_proc *b, size_t nb, const char *label)
{
	char   gone[512] = "", born[512] = "";
	bool   same;
	size_t i;

	same = na == nb;
	for (i = 0; same && i < na; i++)
		same = a[i].pid == b[i].pid;
	if (!same) {
		list_missing(gone, sizeof(gone), a, na, b, nb);
		list_missing(born, sizeof(born), b, nb, a, na);
	}
	ck_assert_msg(same,
	    "%s: a worker was restarted during the outage: "
	    "%s processes gone:%s; new:%s",
	    label, WORKER_COMM, gone[0] != '\0' ? gone : " none",
	    born[0] != '\0' ? born : " none");
}

/*
 * Poll GET /health/ready on "t" every POLL_US until it is 200, which must
 * come, answered in full, within RECOVERY_S of "t0" (pg-start returning).
 */
static void
want_ready_again(enum target t, double t0)
{
	struct xchg x;
	long	    status;
	double	    took;

	for (;;) {
		xchg_simple(&x, t, "GET", "/health/ready", NULL);
		took = stack_now() - t0;
		status = x.resp.status;
		if (status == 200)
			want_body(&x, BODY_READY);
		xchg_free(&x);
		ck_assert_msg(took <= RECOVERY_S,
		    "%s: /health/ready %s %ld "
		    "%.2f s after pg-start returned (limit %.1f s)",
		    target_name(t), status == 200 ? "answered" : "still",
		    status, took, RECOVERY_S);
		if (status == 200)
			return;
		usleep(POLL_US);
	}
}

/* ------------------------------------------------------------------ */
/* Suite health: GET /health and /health/ready                         */
/* ------------------------------------------------------------------ */

START_TEST(health_status_ok)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "GET", "/health", NULL);
	want_status(&x, 200);
	xchg_free(&x);
}
END_TEST

START_TEST(health_body)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "GET", "/health", NULL);
	want_body(&x, BODY_HEALTHY);
	xchg_free(&x);
}
END_TEST

START_TEST(health_content_type_json)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "GET", "/health", NULL);
	want_header(&x, "Content-Type", "application/json");
	xchg_free(&x);
}
END_TEST

START_TEST(health_nosniff)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "GET", "/health", NULL);
	want_header(&x, "X-Content-Type-Options", "nosniff");
	xchg_free(&x);
}
END_TEST

START_TEST(health_has_request_id)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "GET", "/health", NULL);
	want_request_id(&x);
	xchg_free(&x);
}
END_TEST

/* no-store is for /api/ only. */
START_TEST(health_no_cache_control)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "GET", "/health", NULL);
	want_no_header(&x, "Cache-Control");
	xchg_free(&x);
}
END_TEST

START_TEST(health_trailing_slash)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "GET", "/health/", NULL);
	want_status(&x, 200);
	want_body(&x, BODY_HEALTHY);
	xchg_free(&x);
}
END_TEST

START_TEST(health_query_ignored)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "GET", "/health?probe=1&x=%20", NULL);
	want_status(&x, 200);
	want_body(&x, BODY_HEALTHY);
	xchg_free(&x);
}
END_TEST

START_TEST(ready_ok)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "GET", "/health/ready", NULL);
	want_status(&x, 200);
	want_body(&x, BODY_READY);
	xchg_free(&x);
}
END_TEST

START_TEST(ready_headers)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "GET", "/health/ready", NULL);
	want_header(&x, "Content-Type", "application/json");
	want_header(&x, "X-Content-Type-Options", "nosniff");
	want_request_id(&x);
	want_no_header(&x, "Cache-Control");
	xchg_free(&x);
}
END_TEST

START_TEST(ready_trailing_slash)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "GET", "/health/ready/", NULL);
	want_status(&x, 200);
	want_body(&x, BODY_READY);
	xchg_free(&x);
}
END_TEST

/* ---- with PostgreSQL stopped ---- */

START_TEST(ready_503_while_db_down)
{
	struct xchg x;

	pg_stop();
	xchg_simple(&x, (enum target)_i, "GET", "/health/ready", NULL);
	want_status(&x, 503);
	want_body(&x, BODY_UNAVAIL);
	xchg_free(&x);
	pg_start();
}
END_TEST

START_TEST(ready_503_headers)
{
	struct xchg x;

	pg_stop();
	xchg_simple(&x, (enum target)_i, "GET", "/health/ready", NULL);
	want_header(&x, "Content-Type", "application/json");
	want_header(&x, "X-Content-Type-Options", "nosniff");
	want_request_id(&x);
	xchg_free(&x);
	pg_start();
}
END_TEST

/* Liveness touches no database: a DB outage is not a liveness failure. */
START_TEST(health_ok_while_db_down)
{
	struct xchg x;

	pg_stop();
	xchg_simple(&x, (enum target)_i, "GET", "/health", NULL);
	want_status(&x, 200);
	want_body(&x, BODY_HEALTHY);
	xchg_free(&x);
	pg_start();
}
END_TEST

/*
 * The worker answers 503 during the outage and 200 within RECOVERY_S of
 * PostgreSQL coming back, over the same processes: no worker restarts.
 */
START_TEST(ready_recovers_after_outage)
{
	enum target	   t = (enum target)_i;
	struct xchg	   x;
	struct worker_proc before[PIDS_MAX], after[PIDS_MAX];
	size_t		   nbefore, nafter;
	double		   t0;

	xchg_simple(&x, t, "GET", "/health/ready", NULL);
	want_status(&x, 200);
	xchg_free(&x);
	nbefore = target_workers(t, before);

	pg_stop();
	xchg_simple(&x, t, "GET", "/health/ready", NULL);
	want_status(&x, 503);
	xchg_free(&x);
	xchg_simple(&x, t, "GET", "/health/ready", NULL);
	want_status(&x, 503);
	xchg_free(&x);
	pg_start();

	t0 = stack_now();
	want_ready_again(t, t0);
	nafter = target_workers(t, after);
	want_same_workers(before, nbefore, after, nafter, target_name(t));
}
END_TEST

/* Restarted with no request in between: the stale connection is noticed. */
START_TEST(ready_recovers_after_silent_restart)
{
	enum target	   t = (enum target)_i;
	struct xchg	   x;
	struct worker_proc before[PIDS_MAX], after[PIDS_MAX];
	size_t		   nbefore, nafter;
	double		   t0;

	xchg_simple(&x, t, "GET", "/health/ready", NULL);
	want_status(&x, 200);
	xchg_free(&x);
	nbefore = target_workers(t, before);

	pg_stop();
	pg_start();

	t0 = stack_now();
	want_ready_again(t, t0);
	nafter = target_workers(t, after);
	want_same_workers(before, nbefore, after, nafter, target_name(t));
}
END_TEST

static Suite *
health_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("health");

	tc = tcase_create("get_health");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, health_status_ok, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, health_body, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, health_content_type_json, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, health_nosniff, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, health_has_request_id, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, health_no_cache_control, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, health_trailing_slash, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, health_query_ignored, 0, TARGET_TABLE_MAX);
	suite_add_tcase(s, tc);

	tc = tcase_create("get_ready");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, pg_setup, NULL);
	tcase_add_loop_test(tc, ready_ok, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, ready_headers, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, ready_trailing_slash, 0, TARGET_TABLE_MAX);
	suite_add_tcase(s, tc);

	tc = tcase_create("db_outage");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, pg_setup, NULL);
	tcase_add_unchecked_fixture(tc, NULL, pg_teardown);
	tcase_add_loop_test(tc, ready_503_while_db_down, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, ready_503_headers, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, health_ok_while_db_down, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, ready_recovers_after_outage, 0,
	    TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, ready_recovers_after_silent_restart, 0,
	    TARGET_TABLE_MAX);
	suite_add_tcase(s, tc);

	return s;
}

/* ------------------------------------------------------------------ */
/* Suite router: 404 and 405                                           */
/* ------------------------------------------------------------------ */

START_TEST(unknown_path_404)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "GET", "/no/such/thing", NULL);
	want_detail(&x, 404, "Not Found");
	xchg_free(&x);
}
END_TEST

START_TEST(unknown_path_headers)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "GET", "/no/such/thing", NULL);
	want_header(&x, "Content-Type", "application/json");
	want_header(&x, "X-Content-Type-Options", "nosniff");
	want_request_id(&x);
	want_no_header(&x, "Cache-Control");
	xchg_free(&x);
}
END_TEST

START_TEST(unknown_under_health_404)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "GET", "/health/nope", NULL);
	want_detail(&x, 404, "Not Found");
	xchg_free(&x);
}
END_TEST

/* A path that only shares the prefix is not /health. */
START_TEST(health_prefix_only_404)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "GET", "/healthz", NULL);
	want_detail(&x, 404, "Not Found");
	xchg_free(&x);
}
END_TEST

/* One trailing slash is optional; two are another path. */
START_TEST(health_two_slashes_404)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "GET", "/health//", NULL);
	want_detail(&x, 404, "Not Found");
	xchg_free(&x);
}
END_TEST

START_TEST(unknown_api_path_404)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "GET", "/api/no-such-route", NULL);
	want_detail(&x, 404, "Not Found");
	xchg_free(&x);
}
END_TEST

START_TEST(unknown_api_path_no_store)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "GET", "/api/no-such-route", NULL);
	want_header(&x, "Cache-Control", "no-store");
	xchg_free(&x);
}
END_TEST

START_TEST(delete_health_405)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "DELETE", "/health", NULL);
	want_detail(&x, 405, "Method Not Allowed");
	xchg_free(&x);
}
END_TEST

START_TEST(delete_health_allow)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "DELETE", "/health", NULL);
	want_header(&x, "Allow", "GET, HEAD");
	xchg_free(&x);
}
END_TEST

START_TEST(delete_health_405_headers)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "DELETE", "/health", NULL);
	want_header(&x, "Content-Type", "application/json");
	want_header(&x, "X-Content-Type-Options", "nosniff");
	want_request_id(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(post_health_405)
{
	static const char *const hdr[] = { "Content-Type: application/json",
		NULL };
	struct http_req		 req = { .method = "POST",
			 .target = "/health",
			 .headers = hdr,
			 .body = "{}",
			 .body_len = 2 };
	struct xchg		 x;

	xchg_run(&x, (enum target)_i, &req);
	want_detail(&x, 405, "Method Not Allowed");
	want_header(&x, "Allow", "GET, HEAD");
	xchg_free(&x);
}
END_TEST

START_TEST(put_ready_slash_405)
{
	static const char *const hdr[] = { "Content-Type: application/json",
		NULL };
	struct http_req		 req = { .method = "PUT",
			 .target = "/health/ready/",
			 .headers = hdr,
			 .body = "{}",
			 .body_len = 2 };
	struct xchg		 x;

	xchg_run(&x, (enum target)_i, &req);
	want_detail(&x, 405, "Method Not Allowed");
	want_header(&x, "Allow", "GET, HEAD");
	xchg_free(&x);
}
END_TEST

static Suite *
router_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("router");

	tc = tcase_create("not_found");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, unknown_path_404, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, unknown_path_headers, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, unknown_under_health_404, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, health_prefix_only_404, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, health_two_slashes_404, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, unknown_api_path_404, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, unknown_api_path_no_store, 0, TARGET_TABLE_MAX);
	suite_add_tcase(s, tc);

	tc = tcase_create("method_not_allowed");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, delete_health_405, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, delete_health_allow, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, delete_health_405_headers, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, post_health_405, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, put_ready_slash_405, 0, TARGET_TABLE_MAX);
	suite_add_tcase(s, tc);

	return s;
}

/* ------------------------------------------------------------------ */
/* Suite limits: the body cap, chunked bodies, CGI's CONTENT_LENGTH     */
/* ------------------------------------------------------------------ */

/* How a body is framed. */
enum framing {
	FRAME_LENGTH,	/* Content-Length / CONTENT_LENGTH */
	FRAME_CHUNKED,	/* HTTP: Transfer-Encoding: chunked */
	FRAME_NO_LENGTH /* CGI variables: no CONTENT_LENGTH */
};

/* POST /health with "len" bytes of body, framed as asked. */
static void
post_sized(struct xchg *x, enum target t, size_t len, enum framing fr)
{
	static const char *const hdr[] = {
		"Content-Type: application/octet-stream", NULL
	};
	struct http_req req;
	char	       *body;

	body = malloc(len + 1);
	ck_assert_msg(body != NULL, "malloc %zu", len);
	memset(body, 'a', len);
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.target = "/health";
	req.headers = hdr;
	req.body = body;
	req.body_len = len;
	req.chunked = fr == FRAME_CHUNKED;
	req.no_length = fr == FRAME_NO_LENGTH;
	xchg_run(x, t, &req);
	free(body);
}

START_TEST(body_over_cap_413)
{
	struct xchg x;

	post_sized(&x, (enum target)_i, stack_max_body() + 1, FRAME_LENGTH);
	want_detail(&x, 413, "Request body too large");
	want_header(&x, "Content-Type", "application/json");
	want_request_id(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(body_far_over_cap_413)
{
	struct xchg x;

	post_sized(&x, (enum target)_i, stack_max_body() * 3, FRAME_LENGTH);
	want_detail(&x, 413, "Request body too large");
	xchg_free(&x);
}
END_TEST

/* Exactly MAX_BODY_BYTES is allowed: the route answers, not the cap. */
START_TEST(body_at_cap_not_413)
{
	struct xchg x;

	post_sized(&x, (enum target)_i, stack_max_body(), FRAME_LENGTH);
	want_detail(&x, 405, "Method Not Allowed");
	xchg_free(&x);
}
END_TEST

START_TEST(body_under_cap_not_413)
{
	struct xchg x;

	post_sized(&x, (enum target)_i, stack_max_body() - 1, FRAME_LENGTH);
	want_detail(&x, 405, "Method Not Allowed");
	xchg_free(&x);
}
END_TEST

/*
 * A server that runs the workers as plain CGI hands the body on without
 * a length, and a route that takes none answers first: 405 (README,
 * "Plain CGI"), which is checked instead.
 */
START_TEST(chunked_over_cap_413)
{
	struct xchg x;

	post_sized(&x, (enum target)_i, stack_max_body() + 1, FRAME_CHUNKED);
	if (stack_server_cgi()) {
		printf("%s: the workers run as plain CGI: a chunked body over "
		       "the cap gets the route's 405, not 413\n",
		    x.label);
		want_detail(&x, 405, "Method Not Allowed");
	} else
		want_detail(&x, 413, "Request body too large");
	xchg_free(&x);
}
END_TEST

START_TEST(chunked_at_cap_not_413)
{
	struct xchg x;

	post_sized(&x, (enum target)_i, stack_max_body(), FRAME_CHUNKED);
	want_detail(&x, 405, "Method Not Allowed");
	xchg_free(&x);
}
END_TEST

/* A small chunked body is read, not refused for its missing length. */
START_TEST(chunked_small_accepted)
{
	struct xchg x;

	post_sized(&x, (enum target)_i, 2, FRAME_CHUNKED);
	want_detail(&x, 405, "Method Not Allowed");
	xchg_free(&x);
}
END_TEST

/*
 * FastCGI without CONTENT_LENGTH (what mod_fcgid can send for a chunked
 * body): the worker reads stdin to its end, under the cap.
 */
START_TEST(fcgi_no_length_over_cap_413)
{
	struct xchg x;

	post_sized(&x, TARGET_FASTCGI, stack_max_body() + 1, FRAME_NO_LENGTH);
	want_detail(&x, 413, "Request body too large");
	xchg_free(&x);
}
END_TEST

START_TEST(fcgi_no_length_far_over_cap_413)
{
	struct xchg x;

	post_sized(&x, TARGET_FASTCGI, stack_max_body() * 3, FRAME_NO_LENGTH);
	want_detail(&x, 413, "Request body too large");
	xchg_free(&x);
}
END_TEST

START_TEST(fcgi_no_length_at_cap_not_413)
{
	struct xchg x;

	post_sized(&x, TARGET_FASTCGI, stack_max_body(), FRAME_NO_LENGTH);
	want_detail(&x, 405, "Method Not Allowed");
	xchg_free(&x);
}
END_TEST

START_TEST(fcgi_no_length_small_body_read)
{
	struct xchg x;

	post_sized(&x, TARGET_FASTCGI, 2, FRAME_NO_LENGTH);
	want_detail(&x, 405, "Method Not Allowed");
	xchg_free(&x);
}
END_TEST

/*
 * Plain CGI, a method that may carry a body but no CONTENT_LENGTH: the
 * route answers first (404, 405, a bodiless route's own answer); only a
 * route that takes a body demands the length.
 */
static void
cgi_no_length(struct xchg *x, const char *program, const char *method,
    const char *target)
{
	struct http_req req = { .method = method,
		.target = target,
		.no_length = true };
	char		prog[1024], err[1024] = "";

	memset(x, 0, sizeof(*x));
	x->target = TARGET_CGI;
	snprintf(x->label, sizeof(x->label), "cgi %s %s", method, target);
	snprintf(prog, sizeof(prog), "%s/%s", stack_env("UA_TEST_CGI_BIN"),
	    program);
	ck_assert_msg(http_cgi(prog, stack_env("UA_TEST_ENV_FILE"), &req,
			  &x->resp, 30, err, sizeof(err)) == 0,
	    "%s: %s", x->label, err);
}

START_TEST(cgi_no_length_route_first)
{
	struct xchg x;

	cgi_no_length(&x, "health.fcgi", "PUT", "/health");
	want_detail(&x, 405, "Method Not Allowed");
	xchg_free(&x);
	cgi_no_length(&x, "health.fcgi", "POST", "/api/nowhere");
	want_detail(&x, 404, "Not Found");
	xchg_free(&x);
	/* Logout takes no body: its bearer check answers. */
	cgi_no_length(&x, "auth.fcgi", "POST", "/api/auth/logout");
	want_detail(&x, 401, "Not authenticated");
	xchg_free(&x);
	/* Registration takes one: without a length it cannot be read. */
	cgi_no_length(&x, "users.fcgi", "POST", "/api/users/");
	want_detail(&x, 411, "Length Required");
	xchg_free(&x);
	cgi_no_length(&x, "users.fcgi", "PATCH", "/api/users/1");
	want_detail(&x, 411, "Length Required");
	xchg_free(&x);
}
END_TEST

START_TEST(fcgi_get_without_length_200)
{
	struct http_req req = { .method = "GET",
		.target = "/health",
		.no_length = true };
	struct xchg	x;

	xchg_run(&x, TARGET_FASTCGI, &req);
	want_status(&x, 200);
	want_body(&x, BODY_HEALTHY);
	xchg_free(&x);
}
END_TEST

START_TEST(cgi_post_without_length_routed_first)
{
	struct http_req	    req = { .method = "POST",
		    .target = "/health",
		    .body = "{}",
		    .body_len = 2,
		    .no_length = true };
	struct xchg	    x;
	struct json_object *o, *d;

	/* /health takes no body: its route answers, not a 411. */
	xchg_run(&x, TARGET_CGI, &req);
	want_status(&x, 405);
	want_header(&x, "Content-Type", "application/json");
	want_request_id(&x);
	o = json_tokener_parse(x.resp.body);
	ck_assert_msg(o != NULL && json_object_object_get_ex(o, "detail", &d) &&
		json_object_is_type(d, json_type_string) &&
		json_object_get_string_len(d) > 0,
	    "%s: want a JSON body with a \"detail\" string, got %.200s",
	    x.label, x.resp.body);
	json_object_put(o);
	xchg_free(&x);
}
END_TEST

/* Under CGI, stdin past CONTENT_LENGTH is not the worker's to read. */
START_TEST(cgi_reads_no_further_than_length)
{
	static const char *const hdr[] = { "Content-Type: application/json",
		NULL };
	struct http_req		 req = { .method = "POST",
			 .target = "/health",
			 .headers = hdr,
			 .body = "{}EXTRA",
			 .body_len = 7,
			 .length = "2",
			 .cgi_leftover = true };
	struct xchg		 x;

	xchg_run(&x, TARGET_CGI, &req);
	want_detail(&x, 405, "Method Not Allowed");
	ck_assert_msg(x.resp.stdin_left_len == 5 &&
		memcmp(x.resp.stdin_left, "EXTRA", 5) == 0,
	    "%s: CONTENT_LENGTH=2 but the worker left \"%s\" of "
	    "\"{}EXTRA\" unread, want \"EXTRA\"",
	    x.label, x.resp.stdin_left);
	xchg_free(&x);
}
END_TEST

/*
 * A body that ends before its CONTENT_LENGTH is the client's fault: a
 * 4xx with a detail, never a 500.  Run as CGI and as direct FastCGI.
 */
START_TEST(short_body_is_4xx)
{
	static const char *const hdr[] = { "Content-Type: application/json",
		NULL };
	struct http_req		 req = { .method = "POST",
			 .target = "/health",
			 .headers = hdr,
			 .body = "{}",
			 .body_len = 2,
			 .length = "10" };
	struct xchg		 x;
	struct json_object	*o, *d;

	xchg_run(&x, (enum target)_i, &req);
	ck_assert_msg(x.resp.status >= 400 && x.resp.status < 500,
	    "%s: CONTENT_LENGTH=10 with a 2-byte body: status %ld, want a "
	    "4xx; body: %.200s",
	    x.label, x.resp.status, x.resp.body);
	o = json_tokener_parse(x.resp.body);
	ck_assert_msg(o != NULL && json_object_object_get_ex(o, "detail", &d),
	    "%s: want a JSON body with a \"detail\", got %.200s", x.label,
	    x.resp.body);
	json_object_put(o);
	xchg_free(&x);
}
END_TEST

/* A CONTENT_LENGTH over the cap is refused from the length alone. */
START_TEST(cgi_length_over_cap_413)
{
	char		len[32];
	struct http_req req = { .method = "POST",
		.target = "/health",
		.body = "",
		.body_len = 0,
		.length = len,
		.cgi_leftover = true };
	struct xchg	x;

	snprintf(len, sizeof(len), "%zu", stack_max_body() + 1);
	xchg_run(&x, TARGET_CGI, &req);
	want_detail(&x, 413, "Request body too large");
	xchg_free(&x);
}
END_TEST

static Suite *
limits_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("limits");

	tc = tcase_create("body_cap");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, body_over_cap_413, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, body_far_over_cap_413, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, body_at_cap_not_413, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, body_under_cap_not_413, 0, TARGET_TABLE_MAX);
	suite_add_tcase(s, tc);

	tc = tcase_create("chunked");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, chunked_over_cap_413, 0, TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, chunked_at_cap_not_413, 0, TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, chunked_small_accepted, 0, TARGET_SERVERS_MAX);
	suite_add_tcase(s, tc);

	tc = tcase_create("fastcgi_without_length");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, fcgi_no_length_over_cap_413);
	tcase_add_test(tc, fcgi_no_length_far_over_cap_413);
	tcase_add_test(tc, fcgi_no_length_at_cap_not_413);
	tcase_add_test(tc, fcgi_no_length_small_body_read);
	tcase_add_test(tc, fcgi_get_without_length_200);
	tcase_add_test(tc, cgi_no_length_route_first);
	suite_add_tcase(s, tc);

	tc = tcase_create("cgi_content_length");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, cgi_post_without_length_routed_first);
	tcase_add_test(tc, cgi_reads_no_further_than_length);
	tcase_add_test(tc, cgi_length_over_cap_413);
	tcase_add_loop_test(tc, short_body_is_4xx, TARGET_CGI, TARGET__MAX);
	suite_add_tcase(s, tc);

	return s;
}

/* ------------------------------------------------------------------ */
/* Suite request_id: X-Request-ID echoed, generated, replaced           */
/* ------------------------------------------------------------------ */

/* GET "path" on "t" sending X-Request-ID "id"; "id" NULL sends none. */
static void
get_with_id(struct xchg *x, enum target t, const char *path, const char *id)
{
	char	    line[512];
	const char *hdr[2] = { line, NULL };

	if (id == NULL) {
		xchg_simple(x, t, "GET", path, NULL);
		return;
	}
	/* curl's "Name;" sends the header with an empty value. */
	if (*id == '\0')
		snprintf(line, sizeof(line), "X-Request-ID;");
	else
		snprintf(line, sizeof(line), "X-Request-ID: %s", id);
	xchg_simple(x, t, "GET", path, hdr);
}

static void
want_echoed(enum target t, const char *path, const char *id)
{
	struct xchg x;
	const char *got;

	get_with_id(&x, t, path, id);
	got = want_request_id(&x);
	ck_assert_msg(strcmp(got, id) == 0,
	    "%s: X-Request-ID \"%s\", want "
	    "the caller's \"%s\" echoed",
	    x.label, got, id);
	xchg_free(&x);
}

static void
want_replaced(enum target t, const char *id, const char *what)
{
	struct xchg x;
	const char *got;

	get_with_id(&x, t, "/health", id);
	want_status(&x, 200);
	got = want_request_id(&x);
	ck_assert_msg(strcmp(got, id) != 0,
	    "%s: the caller's X-Request-ID "
	    "(%s) was echoed, want a new one",
	    x.label, what);
	ck_assert_msg(strncmp(got, id, strlen(got)) != 0,
	    "%s: the caller's "
	    "X-Request-ID (%s) was echoed cut short as \"%s\", want a new "
	    "one",
	    x.label, what, got);
	xchg_free(&x);
}

START_TEST(id_echoed)
{
	want_echoed((enum target)_i, "/health", "req-42_a.b~C:d/e");
}
END_TEST

START_TEST(id_echoed_at_128)
{
	char id[129];

	memset(id, 'k', 128);
	id[128] = '\0';
	want_echoed((enum target)_i, "/health", id);
}
END_TEST

START_TEST(id_echoed_on_404)
{
	want_echoed((enum target)_i, "/no/such/thing", "trace-404-abc");
}
END_TEST

START_TEST(id_generated_when_absent)
{
	struct xchg x;

	get_with_id(&x, (enum target)_i, "/health", NULL);
	want_status(&x, 200);
	want_request_id(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(id_generated_differs)
{
	struct xchg a, b;
	const char *ida, *idb;

	get_with_id(&a, (enum target)_i, "/health", NULL);
	get_with_id(&b, (enum target)_i, "/health", NULL);
	ida = want_request_id(&a);
	idb = want_request_id(&b);
	ck_assert_msg(strcmp(ida, idb) != 0,
	    "%s: two requests got the same "
	    "generated X-Request-ID \"%s\"",
	    a.label, ida);
	xchg_free(&a);
	xchg_free(&b);
}
END_TEST

START_TEST(id_replaced_when_empty)
{
	struct xchg x;

	get_with_id(&x, (enum target)_i, "/health", "");
	want_status(&x, 200);
	want_request_id(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(id_replaced_at_129)
{
	char id[130];

	memset(id, 'k', 129);
	id[129] = '\0';
	want_replaced((enum target)_i, id, "129 characters");
}
END_TEST

START_TEST(id_replaced_with_space)
{
	want_replaced((enum target)_i, "abc def", "a space");
}
END_TEST

START_TEST(id_replaced_with_tab)
{
	want_replaced((enum target)_i, "abc\tdef", "a tab");
}
END_TEST

START_TEST(id_replaced_non_ascii)
{
	want_replaced((enum target)_i, "caf\xc3\xa9", "non-ASCII bytes");
}
END_TEST

/* Control characters the servers refuse themselves; CGI gets them raw. */
START_TEST(cgi_id_replaced_with_control)
{
	want_replaced(TARGET_CGI, "abc\001def", "a control character");
}
END_TEST

START_TEST(cgi_id_replaced_with_del)
{
	want_replaced(TARGET_CGI, "abc\177def", "DEL");
}
END_TEST

/* The log line of the request carries the same id. */
START_TEST(cgi_id_in_log_line)
{
	struct xchg x;
	const char *id = "log-line-check-7f3a";

	get_with_id(&x, TARGET_CGI, "/health", id);
	want_status(&x, 200);
	ck_assert_msg(strstr(x.resp.log, id) != NULL,
	    "%s: the worker's log "
	    "does not mention request id %s: %.300s",
	    x.label, id, x.resp.log);
	xchg_free(&x);
}
END_TEST

static Suite *
request_id_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("request_id");

	tc = tcase_create("x_request_id");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, id_echoed, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, id_echoed_at_128, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, id_echoed_on_404, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, id_generated_when_absent, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, id_generated_differs, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, id_replaced_when_empty, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, id_replaced_at_129, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, id_replaced_with_space, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, id_replaced_with_tab, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, id_replaced_non_ascii, 0, TARGET_TABLE_MAX);
	suite_add_tcase(s, tc);

	tc = tcase_create("cgi_request_id");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, cgi_id_replaced_with_control);
	tcase_add_test(tc, cgi_id_replaced_with_del);
	tcase_add_test(tc, cgi_id_in_log_line);
	suite_add_tcase(s, tc);

	return s;
}

/* ------------------------------------------------------------------ */
/* Suite worker: how a FastCGI worker stops                             */
/* ------------------------------------------------------------------ */

static void
want_clean_exit(const struct xchg *x)
{
	ck_assert_msg(WIFEXITED(x->resp.wstatus) &&
		WEXITSTATUS(x->resp.wstatus) == 0,
	    "%s: after SIGTERM the worker %s %d, want exit 0", x->label,
	    WIFEXITED(x->resp.wstatus) ? "exited" : "died of signal",
	    WIFEXITED(x->resp.wstatus) ? WEXITSTATUS(x->resp.wstatus) :
					 WTERMSIG(x->resp.wstatus));
}

/* Idle in accept: SIGTERM ends it at once, with status 0. */
START_TEST(sigterm_idle_exits_0)
{
	struct xchg x;

	xchg_simple(&x, TARGET_FASTCGI, "GET", "/health", NULL);
	want_status(&x, 200);
	want_clean_exit(&x);
	xchg_free(&x);
}
END_TEST

/* Mid-request: the request is finished and answered, then it exits 0. */
START_TEST(sigterm_in_flight_finishes)
{
	static const char *const hdr[] = { "Content-Type: application/json",
		NULL };
	struct http_req		 req = { .method = "POST",
			 .target = "/health",
			 .headers = hdr,
			 .body = "{}",
			 .body_len = 2,
			 .fcgi_term_in_flight = true };
	struct xchg		 x;

	xchg_run(&x, TARGET_FASTCGI, &req);
	want_detail(&x, 405, "Method Not Allowed");
	want_clean_exit(&x);
	xchg_free(&x);
}
END_TEST

/*
 * SIGTERM that arrives with a connection queued and not yet accepted:
 * the worker serves it before it leaves, instead of dying with it in
 * its backlog (or accepted and unanswered).
 */
START_TEST(sigterm_with_request_queued_answers_it)
{
	struct http_req req = { .method = "GET",
		.target = "/health",
		.fcgi_term_queued = true };
	struct xchg	x;

	xchg_run(&x, TARGET_FASTCGI, &req);
	want_status(&x, 200);
	want_clean_exit(&x);
	xchg_free(&x);
}
END_TEST

/*
 * A front that keeps its connections (nginx's fastcgi_keep_conn) holds
 * several to one worker process and sends on any of them.
 */
struct kept {
	struct fcgi_worker w;
	char		   err[512];
};

static void
kept_start(struct kept *k)
{
	char prog[1024], log[1024];

	snprintf(prog, sizeof(prog), "%s/health.fcgi",
	    stack_env("UA_TEST_CGI_BIN"));
	snprintf(log, sizeof(log), "%s/kept-conn.out",
	    stack_env("UA_TEST_LOG_DIR"));
	ck_assert_msg(fcgi_worker_start(&k->w, prog,
			  stack_env("UA_TEST_ENV_FILE"), log, k->err,
			  sizeof(k->err)) == 0,
	    "worker start: %s", k->err);
}

static int
kept_open(struct kept *k)
{
	int fd = fcgi_conn_open(&k->w, k->err, sizeof(k->err));

	ck_assert_msg(fd >= 0, "connect: %s", k->err);
	return fd;
}

/* GET /health on "fd" with FCGI_KEEP_CONN: 200 within 5 s. */
static void
kept_health(struct kept *k, int fd, const char *what)
{
	struct http_req	 req = { .method = "GET", .target = "/health" };
	struct http_resp resp;

	ck_assert_msg(fcgi_conn_request(fd, true, &req, &resp, 5, k->err,
			  sizeof(k->err)) == 0,
	    "%s: %s", what, k->err);
	ck_assert_msg(resp.status == 200, "%s: status %ld, want 200", what,
	    resp.status);
	http_resp_free(&resp);
}

static void
kept_stop_by(struct kept *k, int sig)
{
	int st;

	ck_assert_msg(fcgi_worker_stop_by(&k->w, sig, 5, &st) == 0 &&
		WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "the worker did not exit 0 within 5 s of %s",
	    sig == SIGTERM ? "SIGTERM" : "SIGUSR1");
}

static void
kept_stop(struct kept *k)
{
	kept_stop_by(k, SIGTERM);
}

/*
 * One process, two kept connections: a request on the second is
 * answered while the first stays open, and the first still serves
 * after.  (A worker waiting on its first connection alone would leave
 * the second unanswered until the first closed.)
 */
START_TEST(kept_connections_all_served)
{
	struct kept k;
	int	    a, b, c;

	kept_start(&k);
	a = kept_open(&k);
	kept_health(&k, a, "first request on connection A");
	kept_health(&k, a, "second request on connection A");
	b = kept_open(&k);
	kept_health(&k, b, "connection B, A kept open");
	kept_health(&k, a, "connection A again, B kept open");
	c = kept_open(&k);
	kept_health(&k, c, "connection C, A and B kept open");
	close(b);
	kept_health(&k, c, "connection C once B closed");
	kept_health(&k, a, "connection A once B closed");
	close(a);
	close(c);
	kept_stop(&k);
}
END_TEST

/*
 * A hundred connections kept to one process: each serves a second
 * request, none was closed under the front's feet (a front may already
 * have sent on a connection the worker closes, and a POST is not sent
 * twice).
 */
START_TEST(kept_connections_many_stay_open)
{
	enum { CONNS = 100 };
	struct kept k;
	char	    what[64];
	int	    fd[CONNS], i, round;

	kept_start(&k);
	for (round = 1; round <= 2; round++)
		for (i = 0; i < CONNS; i++) {
			/* Opened as it is first used, as a front does. */
			if (round == 1)
				fd[i] = kept_open(&k);
			snprintf(what, sizeof(what),
			    "request %d on connection %d", round, i + 1);
			kept_health(&k, fd[i], what);
		}
	for (i = 0; i < CONNS; i++)
		close(fd[i]);
	kept_stop(&k);
}
END_TEST

/*
 * A body whose STDIN end record comes after the rest (a front sends it
 * so when the body filled its buffers): the worker reads it before it
 * answers, so the next request on the kept connection is read from its
 * start.  (A worker that answered after the declared length left the
 * record to be misread as the next request, and libfcgi closed the
 * connection under it.)
 */
START_TEST(kept_connection_stdin_end_late)
{
	static const char *const hdr[] = { "Content-Type: application/json",
		NULL };
	struct http_req		 post = { .method = "POST",
			 .target = "/health",
			 .headers = hdr,
			 .body = "{}",
			 .body_len = 2,
			 .fcgi_stdin_end_late = true };
	struct http_resp	 resp;
	struct kept		 k;
	int			 a;

	kept_start(&k);
	a = kept_open(&k);
	ck_assert_msg(fcgi_conn_request(a, true, &post, &resp, 5, k.err,
			  sizeof(k.err)) == 0,
	    "POST /health, STDIN's end late: %s", k.err);
	ck_assert_msg(resp.status == 405, "POST /health: status %ld, want 405",
	    resp.status);
	http_resp_free(&resp);
	kept_health(&k, a, "GET /health on the same connection after it");
	close(a);
	kept_stop(&k);
}
END_TEST

/* SIGTERM with connections kept open and idle: it exits 0 at once. */
START_TEST(kept_connections_sigterm_exits_0)
{
	struct kept k;
	int	    a, b;

	kept_start(&k);
	a = kept_open(&k);
	b = kept_open(&k);
	kept_health(&k, a, "connection A");
	kept_health(&k, b, "connection B");
	kept_stop(&k);
	close(a);
	close(b);
}
END_TEST

/*
 * SIGUSR1, the graceful stop that multiwatch sends by default (and
 * mod_fastcgi): it stops as SIGTERM does.  (libfcgi's own handler only
 * marked it for its accept loop, which the worker does not use: the
 * worker served on.)
 */
START_TEST(sigusr1_exits_0)
{
	struct kept k;
	int	    a;

	kept_start(&k);
	a = kept_open(&k);
	kept_health(&k, a, "connection A");
	kept_stop_by(&k, SIGUSR1);
	close(a);
}
END_TEST

static Suite *
worker_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("worker");

	tc = tcase_create("sigterm");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sigterm_idle_exits_0);
	tcase_add_test(tc, sigterm_in_flight_finishes);
	tcase_add_test(tc, sigterm_with_request_queued_answers_it);
	suite_add_tcase(s, tc);

	tc = tcase_create("kept_connections");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, kept_connections_all_served);
	tcase_add_test(tc, kept_connections_many_stay_open);
	tcase_add_test(tc, kept_connection_stdin_end_late);
	tcase_add_test(tc, kept_connections_sigterm_exits_0);
	tcase_add_test(tc, sigusr1_exits_0);
	suite_add_tcase(s, tc);

	return s;
}

/* ------------------------------------------------------------------ */
/* Suite head: HEAD is GET without the body                             */
/* ------------------------------------------------------------------ */

START_TEST(head_health_200)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "HEAD", "/health", NULL);
	want_status(&x, 200);
	xchg_free(&x);
}
END_TEST

START_TEST(head_health_no_body)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "HEAD", "/health", NULL);
	want_empty_body(&x);
	xchg_free(&x);
}
END_TEST

/* The headers GET sends, HEAD sends too, with the same values. */
static void
want_head_like_get(enum target t, const char *path)
{
	static const char *const same[] = { "Content-Type",
		"X-Content-Type-Options", "Cache-Control", "Allow", NULL };
	struct xchg		 g, h;
	const char		*gv, *hv;
	size_t			 i;

	xchg_simple(&g, t, "GET", path, NULL);
	xchg_simple(&h, t, "HEAD", path, NULL);
	ck_assert_msg(g.resp.status == h.resp.status,
	    "%s: status %ld, GET "
	    "gave %ld",
	    h.label, h.resp.status, g.resp.status);
	for (i = 0; same[i] != NULL; i++) {
		gv = http_header(&g.resp, same[i]);
		hv = http_header(&h.resp, same[i]);
		ck_assert_msg((gv == NULL && hv == NULL) ||
			(gv != NULL && hv != NULL && strcmp(gv, hv) == 0),
		    "%s: %s \"%s\", GET gave \"%s\"", h.label, same[i],
		    hv == NULL ? "(none)" : hv, gv == NULL ? "(none)" : gv);
	}
	want_request_id(&h);
	want_empty_body(&h);
	xchg_free(&g);
	xchg_free(&h);
}

START_TEST(head_health_headers_as_get)
{
	want_head_like_get((enum target)_i, "/health");
}
END_TEST

START_TEST(head_ready_as_get)
{
	want_head_like_get((enum target)_i, "/health/ready");
}
END_TEST

START_TEST(head_unknown_as_get)
{
	want_head_like_get((enum target)_i, "/no/such/thing");
}
END_TEST

START_TEST(head_api_unknown_no_store)
{
	struct xchg x;

	xchg_simple(&x, (enum target)_i, "HEAD", "/api/no-such-route", NULL);
	want_status(&x, 404);
	want_header(&x, "Cache-Control", "no-store");
	want_empty_body(&x);
	xchg_free(&x);
}
END_TEST

static Suite *
head_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("head");

	tc = tcase_create("head");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, head_health_200, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, head_health_no_body, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, head_health_headers_as_get, 0,
	    TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, head_ready_as_get, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, head_unknown_as_get, 0, TARGET_TABLE_MAX);
	tcase_add_loop_test(tc, head_api_unknown_no_store, 0, TARGET_TABLE_MAX);
	suite_add_tcase(s, tc);

	return s;
}

/* ------------------------------------------------------------------ */
/* Suite cgi_parity: plain CGI answers as the servers do                */
/* ------------------------------------------------------------------ */

struct parity_row {
	const char *method;
	const char *path;
	const char *body; /* NULL: none */
};

static const struct parity_row parity_rows[] = {
	{ "GET", "/health", NULL },
	{ "GET", "/health/", NULL },
	{ "GET", "/health/ready", NULL },
	{ "GET", "/health/ready/", NULL },
	{ "HEAD", "/health", NULL },
	{ "GET", "/no/such/thing", NULL },
	{ "GET", "/api/no-such-route", NULL },
	{ "DELETE", "/health", NULL },
	{ "POST", "/health", "{\"a\":1}" },
	{ "PATCH", "/health/ready", "{}" },
};

#define PARITY_ROWS (sizeof(parity_rows) / sizeof(parity_rows[0]))

/* Iteration "_i" is row _i / 2 against server _i % 2. */
START_TEST(cgi_same_as_server)
{
	static const char *const same[] = { "Content-Type",
		"X-Content-Type-Options", "Cache-Control", "Allow",
		"X-Request-ID", NULL };
	const struct parity_row *row = &parity_rows[_i / TARGET_SERVERS_MAX];
	enum target		 srv = (enum target)(_i % TARGET_SERVERS_MAX);
	const char		*hdr[] = { "Content-Type: application/json",
			     "X-Request-ID: parity-check-1", NULL };
	struct http_req		 req;
	struct xchg		 c, s;
	const char		*cv, *sv;
	size_t			 i;

	memset(&req, 0, sizeof(req));
	req.method = row->method;
	req.target = row->path;
	req.headers = hdr;
	req.body = row->body;
	req.body_len = row->body != NULL ? strlen(row->body) : 0;

	xchg_run(&s, srv, &req);
	xchg_run(&c, TARGET_CGI, &req);
	ck_assert_msg(c.resp.status == s.resp.status,
	    "%s: status %ld, %s "
	    "gave %ld",
	    c.label, c.resp.status, target_name(srv), s.resp.status);
	ck_assert_msg(c.resp.body_len == s.resp.body_len &&
		memcmp(c.resp.body, s.resp.body, c.resp.body_len) == 0,
	    "%s: body %.200s, %s gave %.200s", c.label, c.resp.body,
	    target_name(srv), s.resp.body);
	for (i = 0; same[i] != NULL; i++) {
		cv = http_header(&c.resp, same[i]);
		sv = http_header(&s.resp, same[i]);
		ck_assert_msg((cv == NULL && sv == NULL) ||
			(cv != NULL && sv != NULL && strcmp(cv, sv) == 0),
		    "%s: %s \"%s\", %s gave \"%s\"", c.label, same[i],
		    cv == NULL ? "(none)" : cv, target_name(srv),
		    sv == NULL ? "(none)" : sv);
	}
	xchg_free(&c);
	xchg_free(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Suite root_path: ROOT_PATH under plain CGI and direct FastCGI        */
/* ------------------------------------------------------------------ */

#define ROOT "/~ann"

/*
 * The stack's settings file with ROOT_PATH added, in "path" (a file of
 * the case's own, removed by the caller).
 */
static void
settings_with_root(char *path, size_t len)
{
	FILE *in, *out;
	char  line[4096];
	int   fd;

	snprintf(path, len, "/tmp/ua-root-env-XXXXXX");
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_ptr_nonnull(out = fdopen(fd, "w"));
	ck_assert_ptr_nonnull(in = fopen(stack_env("UA_TEST_ENV_FILE"), "r"));
	while (fgets(line, sizeof(line), in) != NULL)
		if (strncmp(line, "ROOT_PATH=", 10) != 0)
			fputs(line, out);
	fclose(in);
	fprintf(out, "ROOT_PATH=" ROOT "/\n");
	ck_assert_int_eq(fclose(out), 0);
}

/* "method target" through "program" as plain CGI or direct FastCGI. */
static void
under_root(struct xchg *x, bool fastcgi, const char *env_file,
    const char *program, const char *method, const char *target)
{
	struct http_req req = { .method = method, .target = target };
	char		prog[1024], err[1024] = "";
	int		rc;

	memset(x, 0, sizeof(*x));
	x->target = fastcgi ? TARGET_FASTCGI : TARGET_CGI;
	snprintf(x->label, sizeof(x->label), "%s %s %s",
	    fastcgi ? "fastcgi" : "cgi", method, target);
	snprintf(prog, sizeof(prog), "%s/%s", stack_env("UA_TEST_CGI_BIN"),
	    program);
	rc = fastcgi ?
	    http_fcgi(prog, env_file, &req, &x->resp, 30, err, sizeof(err)) :
	    http_cgi(prog, env_file, &req, &x->resp, 30, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s: %s", x->label, err);
}

/*
 * Routes match after ROOT_PATH (or without it, behind a proxy that
 * strips it), an unknown path under it is the JSON 404, and what the
 * API writes carries it: the document's "servers" and token URL, the
 * docs pages' document URL.  _i: 0 plain CGI, 1 direct FastCGI.
 */
START_TEST(root_path_routes_and_urls)
{
	struct xchg x;
	char	    env[64];
	bool	    fcgi = _i == 1;

	settings_with_root(env, sizeof(env));
	under_root(&x, fcgi, env, "health.fcgi", "GET", ROOT "/health");
	want_status(&x, 200);
	want_body(&x, BODY_HEALTHY);
	xchg_free(&x);
	under_root(&x, fcgi, env, "health.fcgi", "GET", ROOT "/health/");
	want_status(&x, 200);
	xchg_free(&x);
	under_root(&x, fcgi, env, "health.fcgi", "GET", "/health");
	want_status(&x, 200);
	xchg_free(&x);
	under_root(&x, fcgi, env, "health.fcgi", "GET", ROOT "/nowhere");
	want_detail(&x, 404, "Not Found");
	xchg_free(&x);
	under_root(&x, fcgi, env, "users.fcgi", "GET", ROOT "/api/users/");
	want_detail(&x, 401, "Not authenticated");
	xchg_free(&x);
	under_root(&x, fcgi, env, "docs.fcgi", "GET", ROOT "/openapi.json");
	want_status(&x, 200);
	ck_assert_msg(strstr(x.resp.body,
			  "\"servers\":[{\"url\":\"" ROOT "\"}]") != NULL,
	    "%s: no servers of " ROOT ": %.300s", x.label, x.resp.body);
	ck_assert_msg(strstr(x.resp.body,
			  "\"tokenUrl\":\"" ROOT "/api/auth/login\"") != NULL,
	    "%s: tokenUrl without " ROOT, x.label);
	xchg_free(&x);
	under_root(&x, fcgi, env, "docs.fcgi", "GET", ROOT "/api/docs");
	want_status(&x, 200);
	ck_assert_msg(strstr(x.resp.body, "url: '" ROOT "/openapi.json'") !=
		NULL,
	    "%s: the page loads another document", x.label);
	xchg_free(&x);
	unlink(env);
}
END_TEST

static Suite *
root_path_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("root_path");
	tc = tcase_create("under_a_prefix");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, root_path_routes_and_urls, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *
cgi_parity_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("cgi_parity");

	tc = tcase_create("same_answers");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, cgi_same_as_server, 0,
	    (int)(PARITY_ROWS * TARGET_SERVERS_MAX));
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr;
	char	 dir[] = "/tmp/ua-test-http.XXXXXX";
	int	 failed;

	http_global_init();
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	snprintf(pg_down_marker, sizeof(pg_down_marker), "%s/pg-down", dir);

	sr = srunner_create(health_suite());
	srunner_add_suite(sr, router_suite());
	srunner_add_suite(sr, limits_suite());
	srunner_add_suite(sr, request_id_suite());
	srunner_add_suite(sr, head_suite());
	srunner_add_suite(sr, worker_suite());
	srunner_add_suite(sr, cgi_parity_suite());
	srunner_add_suite(sr, root_path_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);

	/* A case killed with PostgreSQL down: its teardown started it again. */
	unlink(pg_down_marker);
	rmdir(dir);
	http_global_cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
