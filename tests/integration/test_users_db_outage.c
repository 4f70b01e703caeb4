/*
 * test_users_db_outage.c -- the users routes while PostgreSQL is stopped:
 * a registration, a read and the list answer 503 with Retry-After and
 * the headers of every response; after PostgreSQL is started again, the
 * workers that kept their connections answer reads with 200 and writes
 * with 201 at once, not 503.  The cases stop the stack's PostgreSQL
 * (UA_TEST_STACK) and start it again, whatever happens in them.
 *
 * Every case that applies runs against lighttpd (mod_fastcgi) and
 * Apache (mod_fcgid) from the shipped configs and users.fcgi run as
 * plain CGI (a Check loop over enum target, see API_TARGETS).  The
 * database is shared with every other suite: each case makes its own
 * accounts and never assumes an empty table.  Run: make
 * check-integration (through scripts/test).
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>

#include <check.h>

#include "api_helpers.h"
#include "http.h"
#include "stack.h"

#define TGT ((enum target)_i)

START_TEST(outage_register_503)
{
	struct xchg x;
	char	    body[1024];

	valid_body(body, sizeof(body), "down");
	pg_stop();
	post_user(&x, TGT, body);
	want_detail(&x, 503, "Service temporarily unavailable");
	want_number_header(&x, "Retry-After");
	xchg_free(&x);
	pg_start();
}
END_TEST

START_TEST(outage_get_503)
{
	struct api_user a;
	struct xchg	x;
	char		path[64];

	api_user_new(TGT, &a, "downg", false);
	pg_stop();
	api_call(&x, TGT, "GET", user_path(path, sizeof(path), a.id, ""),
	    a.token, NULL);
	want_detail(&x, 503, "Service temporarily unavailable");
	want_number_header(&x, "Retry-After");
	xchg_free(&x);
	pg_start();
}
END_TEST

START_TEST(outage_503_headers)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "downh", false);
	pg_stop();
	api_call(&x, TGT, "GET", "/api/users/", a.token, NULL);
	want_status(&x, 503);
	want_api_json_headers(&x);
	xchg_free(&x);
	pg_start();
}
END_TEST

/*
 * PostgreSQL restarted while the workers kept their connections: reads
 * right after it is back are answered, not 503 (the database is
 * reachable, and a read is safe to retry on a fresh connection).
 */
START_TEST(outage_reads_after_restart_200)
{
	struct api_user a;
	struct xchg	x;
	char		path[64], err[1024];
	int		i;

	api_user_new(TGT, &a, "downr", false);
	user_path(path, sizeof(path), a.id, "");
	for (i = 0; i < 4; i++) {
		api_call(&x, TGT, "GET", path, a.token, NULL);
		want_status(&x, 200);
		xchg_free(&x);
	}
	pg_stop();
	pg_start_cold();
	for (i = 0; i < 4; i++) {
		api_call(&x, TGT, "GET", path, a.token, NULL);
		ck_assert_msg(x.resp.status == 200,
		    "%s: read %d after "
		    "PostgreSQL came back: status %ld, want 200: %s",
		    x.label, i + 1, x.resp.status, x.resp.body);
		xchg_free(&x);
	}
	ck_assert_msg(api_warm_up(err, sizeof(err)) == 0, "%s", err);
}
END_TEST

/*
 * The same for writes: a worker notices that the server hung up on its
 * idle connection before it sends the next statement, so the first
 * registration after the restart is made, not refused with 503.
 */
START_TEST(outage_writes_after_restart_201)
{
	struct xchg x;
	char	    body[1024], tag[32], err[1024];
	int	    i;

	for (i = 0; i < 4; i++) {
		snprintf(tag, sizeof(tag), "wbefore%d", i);
		valid_body(body, sizeof(body), tag);
		post_user(&x, TGT, body);
		want_status(&x, 201);
		xchg_free(&x);
	}
	pg_stop();
	pg_start_cold();
	for (i = 0; i < 4; i++) {
		snprintf(tag, sizeof(tag), "wafter%d", i);
		valid_body(body, sizeof(body), tag);
		post_user(&x, TGT, body);
		ck_assert_msg(x.resp.status == 201,
		    "%s: write %d after "
		    "PostgreSQL came back: status %ld, want 201: %s",
		    x.label, i + 1, x.resp.status, x.resp.body);
		xchg_free(&x);
	}
	ck_assert_msg(api_warm_up(err, sizeof(err)) == 0, "%s", err);
}
END_TEST

static Suite *
outage_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("db_outage");

	tc = tcase_create("users_503");
	tcase_set_timeout(tc, 180);
	tcase_add_checked_fixture(tc, pg_setup, NULL);
	tcase_add_unchecked_fixture(tc, NULL, pg_teardown);
	tcase_add_loop_test(tc, outage_register_503, 0, API_TARGETS);
	tcase_add_loop_test(tc, outage_get_503, 0, API_TARGETS);
	tcase_add_loop_test(tc, outage_503_headers, 0, API_TARGETS);
	tcase_add_loop_test(tc, outage_reads_after_restart_200, 0,
	    TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, outage_writes_after_restart_201, 0,
	    TARGET_SERVERS_MAX);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return api_run_suite(outage_suite);
}
