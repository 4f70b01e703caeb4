/*
 * test_users_delete.c -- DELETE /api/users/{user_id}: 204 with no body for
 * oneself, after which the token is refused, the account cannot log in
 * and its address is free again; 403 for another user (who is kept), 204
 * when an admin deletes another, 404 for no such user; the last admin
 * cannot delete itself (409, kept) but may with another admin left; 401
 * without a token, 422 for an id that is not an integer.
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
#include <stdlib.h>

#include <check.h>

#include "api_helpers.h"
#include "http.h"
#include "stack.h"

#define TGT ((enum target)_i)

START_TEST(delete_self_204)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "dself", false);
	delete_user(&x, TGT, a.token, a.id);
	want_status(&x, 204);
	want_empty_body(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(delete_204_headers)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "dhdr", false);
	delete_user(&x, TGT, a.token, a.id);
	want_status(&x, 204);
	want_api_headers(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(delete_self_token_401)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "dtok", false);
	delete_user(&x, TGT, a.token, a.id);
	want_status(&x, 204);
	xchg_free(&x);
	api_call(&x, TGT, "GET", "/api/auth/me", a.token, NULL);
	want_401(&x, "Could not validate credentials");
	xchg_free(&x);
}
END_TEST

START_TEST(delete_self_cannot_log_in)
{
	struct api_user a;
	struct xchg	x;
	char		body[1024], qe[400], qp[200];

	api_user_new(TGT, &a, "dlog", false);
	delete_user(&x, TGT, a.token, a.id);
	want_status(&x, 204);
	xchg_free(&x);
	snprintf(body, sizeof(body), "{\"email\":%s,\"password\":%s}",
	    json_quote(qe, sizeof(qe), a.email),
	    json_quote(qp, sizeof(qp), a.password));
	api_call(&x, TGT, "POST", "/api/auth/login", NULL, body);
	want_401(&x, "Incorrect email or password");
	xchg_free(&x);
}
END_TEST

/* A deleted account's address is free again. */
START_TEST(delete_frees_email)
{
	struct api_user a;
	struct xchg	x;
	char		body[1024];

	api_user_new(TGT, &a, "dfree", false);
	delete_user(&x, TGT, a.token, a.id);
	want_status(&x, 204);
	xchg_free(&x);
	post_user(&x, TGT,
	    reg_body(body, sizeof(body), a.email, "\"Second Life\"",
		"\"correct-horse-1\""));
	want_status(&x, 201);
	xchg_free(&x);
}
END_TEST

START_TEST(delete_other_403)
{
	struct api_user a, b;
	struct xchg	x;

	api_register(TGT, &a, "dvict");
	api_user_new(TGT, &b, "dother", false);
	delete_user(&x, TGT, b.token, a.id);
	want_detail(&x, 403, "Not enough permissions");
	xchg_free(&x);
}
END_TEST

START_TEST(delete_other_403_keeps_user)
{
	struct api_user a, b;
	struct xchg	x;
	char		name[128];

	api_register(TGT, &a, "dkeep");
	api_user_new(TGT, &b, "dkeepb", false);
	delete_user(&x, TGT, b.token, a.id);
	want_status(&x, 403);
	xchg_free(&x);
	get_user_field(TGT, b.token, a.id, "name", name, sizeof(name));
	ck_assert_str_eq(name, a.name);
}
END_TEST

START_TEST(delete_admin_other_204)
{
	struct api_user adm, b;
	struct xchg	x;
	char		path[64];

	api_user_new(TGT, &adm, "dadm", true);
	api_register(TGT, &b, "dgone");
	delete_user(&x, TGT, adm.token, b.id);
	want_status(&x, 204);
	want_empty_body(&x);
	xchg_free(&x);
	api_call(&x, TGT, "GET", user_path(path, sizeof(path), b.id, ""),
	    adm.token, NULL);
	want_detail(&x, 404, "User not found");
	xchg_free(&x);
}
END_TEST

START_TEST(delete_admin_404)
{
	struct api_user adm;
	struct xchg	x;

	api_user_new(TGT, &adm, "dadm404", true);
	api_call(&x, TGT, "DELETE", "/api/users/" NO_USER_ID, adm.token, NULL);
	want_detail(&x, 404, "User not found");
	xchg_free(&x);
}
END_TEST

START_TEST(delete_last_admin_409)
{
	struct api_user adm;
	struct xchg	x;

	api_user_new(TGT, &adm, "dlast", true);
	db_demote_other_admins(adm.id);
	delete_user(&x, TGT, adm.token, adm.id);
	want_409_admin(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(delete_last_admin_kept)
{
	struct api_user adm;
	struct xchg	x;

	api_user_new(TGT, &adm, "dlastk", true);
	db_demote_other_admins(adm.id);
	delete_user(&x, TGT, adm.token, adm.id);
	want_status(&x, 409);
	xchg_free(&x);
	ck_assert_int_eq(api_me_status(TGT, adm.token), 200);
}
END_TEST

/* With another admin left, an admin may delete itself. */
START_TEST(delete_admin_self_with_other_204)
{
	struct api_user a, b;
	struct xchg	x;

	api_user_new(TGT, &a, "dadms", true);
	api_register(TGT, &b, "dadmo");
	db_demote_other_admins(a.id);
	db_make_admin(b.id);
	delete_user(&x, TGT, a.token, a.id);
	want_status(&x, 204);
	xchg_free(&x);
}
END_TEST

START_TEST(delete_no_token_401)
{
	struct api_user a;
	struct xchg	x;

	api_register(TGT, &a, "dnotok");
	delete_user(&x, TGT, NULL, a.id);
	want_401(&x, "Not authenticated");
	xchg_free(&x);
}
END_TEST

START_TEST(delete_abc_422)
{
	struct api_user a;
	struct xchg	x;
	char		e[512];

	api_user_new(TGT, &a, "dabc", false);
	api_call(&x, TGT, "DELETE", "/api/users/abc", a.token, NULL);
	want_422_exact(&x,
	    entry_json(e, sizeof(e), "int_parsing", "[\"path\",\"user_id\"]",
		MSG_INT_PARSE, "\"abc\"", NULL),
	    NULL);
	xchg_free(&x);
}
END_TEST

static Suite *
delete_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("delete");

	tc = tcase_create("delete");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, delete_self_204, 0, API_TARGETS);
	tcase_add_loop_test(tc, delete_204_headers, 0, API_TARGETS);
	tcase_add_loop_test(tc, delete_self_token_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, delete_self_cannot_log_in, 0, API_TARGETS);
	tcase_add_loop_test(tc, delete_frees_email, 0, API_TARGETS);
	tcase_add_loop_test(tc, delete_other_403, 0, API_TARGETS);
	tcase_add_loop_test(tc, delete_other_403_keeps_user, 0, API_TARGETS);
	tcase_add_loop_test(tc, delete_admin_other_204, 0, API_TARGETS);
	tcase_add_loop_test(tc, delete_admin_404, 0, API_TARGETS);
	tcase_add_loop_test(tc, delete_no_token_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, delete_abc_422, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase_create("last_admin");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, delete_last_admin_409, 0, API_TARGETS);
	tcase_add_loop_test(tc, delete_last_admin_kept, 0, API_TARGETS);
	tcase_add_loop_test(tc, delete_admin_self_with_other_204, 0,
	    API_TARGETS);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return api_run_suite(delete_suite);
}
