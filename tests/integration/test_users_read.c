/*
 * test_users_read.c -- GET and HEAD /api/users/{user_id}: 200 and the
 * User for oneself and for another user, with or without the trailing
 * slash; 404 for no such user (0, the largest int64, one deleted); 422
 * for an id that is not an integer; 401 without a token; the headers of
 * each.  Routing around it: 404 for a path below a user, 405 for PUT on
 * a user and DELETE on the collection; HEAD of a user and of the
 * list.
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

#include <check.h>

#include "api_helpers.h"
#include "http.h"
#include "stack.h"

#define TGT ((enum target)_i)

START_TEST(get_self_200)
{
	struct api_user a;
	struct xchg	x;
	char		path[64];

	api_user_new(TGT, &a, "get", false);
	api_call(&x, TGT, "GET", user_path(path, sizeof(path), a.id, ""),
	    a.token, NULL);
	want_status(&x, 200);
	want_body(&x, a.body);
	xchg_free(&x);
}
END_TEST

/* Any authenticated user may read another. */
START_TEST(get_other_200)
{
	struct api_user a, b;
	struct xchg	x;
	char		path[64];

	api_register(TGT, &a, "geta");
	api_user_new(TGT, &b, "getb", false);
	api_call(&x, TGT, "GET", user_path(path, sizeof(path), a.id, ""),
	    b.token, NULL);
	want_status(&x, 200);
	want_body(&x, a.body);
	xchg_free(&x);
}
END_TEST

START_TEST(get_trailing_slash_200)
{
	struct api_user a;
	struct xchg	x;
	char		path[64];

	api_user_new(TGT, &a, "gets", false);
	api_call(&x, TGT, "GET", user_path(path, sizeof(path), a.id, "/"),
	    a.token, NULL);
	want_status(&x, 200);
	want_body(&x, a.body);
	xchg_free(&x);
}
END_TEST

START_TEST(get_200_headers)
{
	struct api_user a;
	struct xchg	x;
	char		path[64];

	api_user_new(TGT, &a, "geth", false);
	api_call(&x, TGT, "GET", user_path(path, sizeof(path), a.id, ""),
	    a.token, NULL);
	want_status(&x, 200);
	want_api_json_headers(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(get_404)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "g404", false);
	api_call(&x, TGT, "GET", "/api/users/" NO_USER_ID, a.token, NULL);
	want_detail(&x, 404, "User not found");
	xchg_free(&x);
}
END_TEST

START_TEST(get_404_headers)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "g404h", false);
	api_call(&x, TGT, "GET", "/api/users/" NO_USER_ID, a.token, NULL);
	want_status(&x, 404);
	want_api_json_headers(&x);
	xchg_free(&x);
}
END_TEST

/* 0 is an integer: no such user, not a 422. */
START_TEST(get_zero_404)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "g0", false);
	api_call(&x, TGT, "GET", "/api/users/0", a.token, NULL);
	want_detail(&x, 404, "User not found");
	xchg_free(&x);
}
END_TEST

START_TEST(get_int64_max_404)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "gmax", false);
	api_call(&x, TGT, "GET", "/api/users/9223372036854775807", a.token,
	    NULL);
	want_detail(&x, 404, "User not found");
	xchg_free(&x);
}
END_TEST

/* A deleted user is not found. */
START_TEST(get_deleted_404)
{
	struct api_user a, b;
	struct xchg	x;
	char		path[64];

	api_user_new(TGT, &a, "gdel", false);
	api_user_new(TGT, &b, "gdelb", false);
	delete_user(&x, TGT, a.token, a.id);
	want_status(&x, 204);
	xchg_free(&x);
	api_call(&x, TGT, "GET", user_path(path, sizeof(path), a.id, ""),
	    b.token, NULL);
	want_detail(&x, 404, "User not found");
	xchg_free(&x);
}
END_TEST

START_TEST(get_abc_422)
{
	struct api_user a;
	struct xchg	x;
	char		e[512];

	api_user_new(TGT, &a, "gabc", false);
	api_call(&x, TGT, "GET", "/api/users/abc", a.token, NULL);
	want_422_exact(&x,
	    entry_json(e, sizeof(e), "int_parsing", "[\"path\",\"user_id\"]",
		MSG_INT_PARSE, "\"abc\"", NULL),
	    NULL);
	xchg_free(&x);
}
END_TEST

START_TEST(get_12abc_422)
{
	struct api_user a;
	struct xchg	x;
	char		e[512];

	api_user_new(TGT, &a, "g12", false);
	api_call(&x, TGT, "GET", "/api/users/12abc", a.token, NULL);
	want_422_exact(&x,
	    entry_json(e, sizeof(e), "int_parsing", "[\"path\",\"user_id\"]",
		MSG_INT_PARSE, "\"12abc\"", NULL),
	    NULL);
	xchg_free(&x);
}
END_TEST

START_TEST(get_422_headers)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "g422h", false);
	api_call(&x, TGT, "GET", "/api/users/abc", a.token, NULL);
	want_status(&x, 422);
	want_api_json_headers(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(get_no_token_401)
{
	struct api_user a;
	struct xchg	x;
	char		path[64];

	api_register(TGT, &a, "gnot");
	api_call(&x, TGT, "GET", user_path(path, sizeof(path), a.id, ""), NULL,
	    NULL);
	want_401(&x, "Not authenticated");
	xchg_free(&x);
}
END_TEST

START_TEST(get_401_headers)
{
	struct xchg x;

	api_call(&x, TGT, "GET", "/api/users/1", NULL, NULL);
	want_status(&x, 401);
	want_api_json_headers(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(get_subpath_404)
{
	struct api_user a;
	struct xchg	x;
	char		path[64];

	api_user_new(TGT, &a, "gsub", false);
	api_call(&x, TGT, "GET", user_path(path, sizeof(path), a.id, "/extra"),
	    a.token, NULL);
	want_detail(&x, 404, "Not Found");
	xchg_free(&x);
}
END_TEST

START_TEST(put_user_405)
{
	struct xchg x;

	api_call(&x, TGT, "PUT", "/api/users/1", NULL, "{}");
	want_detail(&x, 405, "Method Not Allowed");
	want_header_lists(&x, "Allow", "GET,PATCH,DELETE");
	xchg_free(&x);
}
END_TEST

START_TEST(delete_collection_405)
{
	struct xchg x;

	api_call(&x, TGT, "DELETE", "/api/users/", NULL, NULL);
	want_detail(&x, 405, "Method Not Allowed");
	want_header_lists(&x, "Allow", "GET,POST");
	xchg_free(&x);
}
END_TEST

START_TEST(head_user_200)
{
	struct api_user a;
	struct xchg	x;
	char		path[64];

	api_user_new(TGT, &a, "head", false);
	api_call(&x, TGT, "HEAD", user_path(path, sizeof(path), a.id, ""),
	    a.token, NULL);
	want_status(&x, 200);
	want_empty_body(&x);
	want_api_json_headers(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(head_user_no_token_401)
{
	struct xchg x;

	api_call(&x, TGT, "HEAD", "/api/users/1", NULL, NULL);
	want_status(&x, 401);
	want_empty_body(&x);
	want_header(&x, "WWW-Authenticate", "Bearer");
	xchg_free(&x);
}
END_TEST

START_TEST(head_list_200)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "headl", false);
	api_call(&x, TGT, "HEAD", "/api/users/", a.token, NULL);
	want_status(&x, 200);
	want_empty_body(&x);
	ck_assert_msg(want_number_header(&x, "X-Total-Count") >= 1,
	    "%s: X-Total-Count < 1", x.label);
	xchg_free(&x);
}
END_TEST

static Suite *
read_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("read");

	tc = tcase_create("get_user");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, get_self_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, get_other_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, get_trailing_slash_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, get_200_headers, 0, API_TARGETS);
	tcase_add_loop_test(tc, get_404, 0, API_TARGETS);
	tcase_add_loop_test(tc, get_404_headers, 0, API_TARGETS);
	tcase_add_loop_test(tc, get_zero_404, 0, API_TARGETS);
	tcase_add_loop_test(tc, get_int64_max_404, 0, API_TARGETS);
	tcase_add_loop_test(tc, get_deleted_404, 0, API_TARGETS);
	tcase_add_loop_test(tc, get_abc_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, get_12abc_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, get_422_headers, 0, API_TARGETS);
	tcase_add_loop_test(tc, get_no_token_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, get_401_headers, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase_create("routing");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, get_subpath_404, 0, API_TARGETS);
	tcase_add_loop_test(tc, put_user_405, 0, API_TARGETS);
	tcase_add_loop_test(tc, delete_collection_405, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase_create("head");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, head_user_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, head_user_no_token_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, head_list_200, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return api_run_suite(read_suite);
}
