/*
 * test_users_patch.c -- PATCH /api/users/{user_id}, the update of a
 * user: one's own name and email (updated_at set, created_at kept, the
 * new address logs in, absent and null fields unchanged, {} changes
 * nothing); 403 for another user or for "role" from a non-admin, and
 * nothing applied; an admin changing another's role, name and email; 404
 * for no such user; 409 for an address taken (in any case) by another;
 * the 422s of a bad name, email, role or id; 401 without a token; 415
 * for a body that is not JSON; and the last admin, who cannot be demoted
 * (409) while two admins may demote each other or themselves.
 *
 * Every case that applies runs against lighttpd (mod_fastcgi) and
 * Apache (mod_fcgid) from the shipped configs and users.fcgi run as
 * plain CGI (a Check loop over enum target, see API_TARGETS).  The
 * database is shared with every other suite: each case makes its own
 * accounts and never assumes an empty table.  Run: make
 * check-integration (through scripts/test).
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include "api_helpers.h"
#include "http.h"
#include "stack.h"

#define TGT ((enum target)_i)

static void
patch_user(struct xchg *x, enum target t, const char *token, int64_t id,
    const char *json)
{
	char path[64];

	api_call(x, t, "PATCH", user_path(path, sizeof(path), id, ""), token,
	    json);
}

START_TEST(patch_self_name_200)
{
	struct api_user	    a;
	struct xchg	    x;
	struct json_object *o;

	api_user_new(TGT, &a, "pname", false);
	patch_user(&x, TGT, a.token, a.id, "{\"name\":\"New Name\"}");
	want_status(&x, 200);
	o = want_user(&x);
	ck_assert_str_eq(json_str(o, "name", x.label), "New Name");
	ck_assert_int_eq(json_int(o, "id", x.label), a.id);
	json_object_put(o);
	xchg_free(&x);
}
END_TEST

START_TEST(patch_sets_updated_at)
{
	struct api_user a;
	struct xchg	x;
	char		upd[64], cre[64];

	api_user_new(TGT, &a, "pupd", false);
	patch_user(&x, TGT, a.token, a.id, "{\"name\":\"Changed\"}");
	want_status(&x, 200);
	user_field(&x, "updated_at", upd, sizeof(upd));
	user_field(&x, "created_at", cre, sizeof(cre));
	ck_assert_msg(strcmp(upd, "null") != 0,
	    "%s: updated_at still null "
	    "after a change",
	    x.label);
	ck_assert_msg(rfc3339_epoch(upd) >= rfc3339_epoch(cre),
	    "%s: "
	    "updated_at %s before created_at %s",
	    x.label, upd, cre);
	xchg_free(&x);
}
END_TEST

START_TEST(patch_keeps_created_at)
{
	struct api_user	    a;
	struct xchg	    x;
	struct json_object *before;
	char		    cre[64];

	api_user_new(TGT, &a, "pcre", false);
	patch_user(&x, TGT, a.token, a.id, "{\"name\":\"Changed\"}");
	want_status(&x, 200);
	user_field(&x, "created_at", cre, sizeof(cre));
	before = json_tokener_parse(a.body);
	ck_assert_str_eq(cre, json_str(before, "created_at", "registration"));
	json_object_put(before);
	xchg_free(&x);
}
END_TEST

START_TEST(patch_self_email_200)
{
	struct api_user a;
	struct xchg	x;
	char		local[128], body[512], got[320], want[320];

	api_user_new(TGT, &a, "pmail", false);
	api_email(local, sizeof(local), "New");
	*strchr(local, '@') = '\0';
	snprintf(body, sizeof(body), "{\"email\":\"%s@Example.ORG\"}", local);
	snprintf(want, sizeof(want), "%s@example.org", local);
	patch_user(&x, TGT, a.token, a.id, body);
	want_status(&x, 200);
	user_field(&x, "email", got, sizeof(got));
	ck_assert_str_eq(got, want);
	xchg_free(&x);
}
END_TEST

START_TEST(patch_new_email_logs_in)
{
	struct api_user a;
	struct xchg	x;
	char		email[320], body[512], qe[400];

	api_user_new(TGT, &a, "pml", false);
	api_email(email, sizeof(email), "moved");
	snprintf(body, sizeof(body), "{\"email\":%s}",
	    json_quote(qe, sizeof(qe), email));
	patch_user(&x, TGT, a.token, a.id, body);
	want_status(&x, 200);
	xchg_free(&x);
	snprintf(a.email, sizeof(a.email), "%s", email);
	api_login(TGT, &a);
}
END_TEST

START_TEST(patch_absent_field_unchanged)
{
	struct api_user a;
	struct xchg	x;
	char		got[320];

	api_user_new(TGT, &a, "pabs", false);
	patch_user(&x, TGT, a.token, a.id, "{\"name\":\"Only Name\"}");
	want_status(&x, 200);
	user_field(&x, "email", got, sizeof(got));
	ck_assert_str_eq(got, a.email);
	xchg_free(&x);
}
END_TEST

START_TEST(patch_null_fields_unchanged)
{
	struct api_user a;
	struct xchg	x;
	char		name[128], email[320];

	api_user_new(TGT, &a, "pnull", false);
	patch_user(&x, TGT, a.token, a.id, "{\"name\":null,\"email\":null}");
	want_status(&x, 200);
	user_field(&x, "name", name, sizeof(name));
	user_field(&x, "email", email, sizeof(email));
	ck_assert_str_eq(name, a.name);
	ck_assert_str_eq(email, a.email);
	xchg_free(&x);
}
END_TEST

START_TEST(patch_empty_object_unchanged)
{
	struct api_user a;
	struct xchg	x;
	char		name[128];

	api_user_new(TGT, &a, "pempty", false);
	patch_user(&x, TGT, a.token, a.id, "{}");
	want_status(&x, 200);
	user_field(&x, "name", name, sizeof(name));
	ck_assert_str_eq(name, a.name);
	xchg_free(&x);
}
END_TEST

START_TEST(patch_no_slash_200)
{
	struct api_user a;
	struct xchg	x;
	char		path[64];

	api_user_new(TGT, &a, "pslash", false);
	api_call(&x, TGT, "PATCH", user_path(path, sizeof(path), a.id, "/"),
	    a.token, "{\"name\":\"Slash Name\"}");
	want_status(&x, 200);
	xchg_free(&x);
}
END_TEST

START_TEST(patch_other_403)
{
	struct api_user a, b;
	struct xchg	x;

	api_register(TGT, &a, "pvict");
	api_user_new(TGT, &b, "pother", false);
	patch_user(&x, TGT, b.token, a.id, "{\"name\":\"Hijacked\"}");
	want_detail(&x, 403, "Not enough permissions");
	xchg_free(&x);
}
END_TEST

START_TEST(patch_other_403_not_applied)
{
	struct api_user a, b;
	struct xchg	x;
	char		name[128];

	api_register(TGT, &a, "pvict2");
	api_user_new(TGT, &b, "pother2", false);
	patch_user(&x, TGT, b.token, a.id, "{\"name\":\"Hijacked\"}");
	want_status(&x, 403);
	xchg_free(&x);
	get_user_field(TGT, b.token, a.id, "name", name, sizeof(name));
	ck_assert_str_eq(name, a.name);
}
END_TEST

START_TEST(patch_403_headers)
{
	struct api_user a, b;
	struct xchg	x;

	api_register(TGT, &a, "p403a");
	api_user_new(TGT, &b, "p403b", false);
	patch_user(&x, TGT, b.token, a.id, "{\"name\":\"Hijacked\"}");
	want_status(&x, 403);
	want_api_json_headers(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(patch_role_self_nonadmin_403)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "prole", false);
	patch_user(&x, TGT, a.token, a.id, "{\"role\":\"admin\"}");
	want_detail(&x, 403, "Not enough permissions");
	xchg_free(&x);
}
END_TEST

/* Sending "role" at all is refused to a non-admin, even its own role. */
START_TEST(patch_role_same_nonadmin_403)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "prsame", false);
	patch_user(&x, TGT, a.token, a.id, "{\"role\":\"user\"}");
	want_detail(&x, 403, "Not enough permissions");
	xchg_free(&x);
}
END_TEST

START_TEST(patch_role_nonadmin_not_applied)
{
	struct api_user a;
	struct xchg	x;
	char		role[32];

	api_user_new(TGT, &a, "prna", false);
	patch_user(&x, TGT, a.token, a.id,
	    "{\"name\":\"With Role\",\"role\":\"admin\"}");
	want_status(&x, 403);
	xchg_free(&x);
	get_user_field(TGT, a.token, a.id, "role", role, sizeof(role));
	ck_assert_str_eq(role, "user");
}
END_TEST

START_TEST(patch_admin_promotes_other)
{
	struct api_user adm, b;
	struct xchg	x;
	char		role[32];

	api_user_new(TGT, &adm, "padm", true);
	api_register(TGT, &b, "pprom");
	patch_user(&x, TGT, adm.token, b.id, "{\"role\":\"admin\"}");
	want_status(&x, 200);
	user_field(&x, "role", role, sizeof(role));
	ck_assert_str_eq(role, "admin");
	xchg_free(&x);
}
END_TEST

START_TEST(patch_admin_renames_other)
{
	struct api_user adm, b;
	struct xchg	x;
	char		name[128];

	api_user_new(TGT, &adm, "padm2", true);
	api_register(TGT, &b, "pren");
	patch_user(&x, TGT, adm.token, b.id, "{\"name\":\"Renamed By Admin\"}");
	want_status(&x, 200);
	user_field(&x, "name", name, sizeof(name));
	ck_assert_str_eq(name, "Renamed By Admin");
	xchg_free(&x);
}
END_TEST

START_TEST(patch_admin_changes_other_email)
{
	struct api_user adm, b;
	struct xchg	x;
	char		email[320], body[512], qe[400], got[320];

	api_user_new(TGT, &adm, "padm3", true);
	api_register(TGT, &b, "pemo");
	api_email(email, sizeof(email), "byadmin");
	snprintf(body, sizeof(body), "{\"email\":%s}",
	    json_quote(qe, sizeof(qe), email));
	patch_user(&x, TGT, adm.token, b.id, body);
	want_status(&x, 200);
	user_field(&x, "email", got, sizeof(got));
	ck_assert_str_eq(got, email);
	xchg_free(&x);
}
END_TEST

START_TEST(patch_admin_404)
{
	struct api_user adm;
	struct xchg	x;

	api_user_new(TGT, &adm, "padm404", true);
	api_call(&x, TGT, "PATCH", "/api/users/" NO_USER_ID, adm.token,
	    "{\"name\":\"Nobody\"}");
	want_detail(&x, 404, "User not found");
	xchg_free(&x);
}
END_TEST

/* An email taken by another account: 409. */
START_TEST(patch_email_taken_409)
{
	struct api_user	    a, b;
	struct xchg	    x;
	struct json_object *o;
	char		    body[512], qe[400];

	api_user_new(TGT, &a, "ptaken", false);
	api_register(TGT, &b, "powner");
	snprintf(body, sizeof(body), "{\"email\":%s}",
	    json_quote(qe, sizeof(qe), b.email));
	patch_user(&x, TGT, a.token, a.id, body);
	want_status(&x, 409);
	o = want_json(&x);
	ck_assert_msg(strlen(json_str(o, "detail", x.label)) > 0,
	    "%s: empty detail", x.label);
	json_object_put(o);
	xchg_free(&x);
}
END_TEST

START_TEST(patch_email_taken_other_case_409)
{
	struct api_user a, b;
	struct xchg	x;
	char		body[512], upper[320], qe[400];
	size_t		i;

	api_user_new(TGT, &a, "ptakc", false);
	api_register(TGT, &b, "pownc");
	for (i = 0; b.email[i] != '\0' && i + 1 < sizeof(upper); i++)
		upper[i] = (char)toupper((unsigned char)b.email[i]);
	upper[i] = '\0';
	snprintf(body, sizeof(body), "{\"email\":%s}",
	    json_quote(qe, sizeof(qe), upper));
	patch_user(&x, TGT, a.token, a.id, body);
	want_status(&x, 409);
	xchg_free(&x);
}
END_TEST

/* One's own address is not "taken". */
START_TEST(patch_own_email_200)
{
	struct api_user a;
	struct xchg	x;
	char		body[512], qe[400];

	api_user_new(TGT, &a, "pown", false);
	snprintf(body, sizeof(body), "{\"email\":%s,\"name\":\"Same Mail\"}",
	    json_quote(qe, sizeof(qe), a.email));
	patch_user(&x, TGT, a.token, a.id, body);
	want_status(&x, 200);
	xchg_free(&x);
}
END_TEST

START_TEST(patch_name_short_422)
{
	struct api_user a;
	struct xchg	x;
	char		e[512];

	api_user_new(TGT, &a, "pshort", false);
	patch_user(&x, TGT, a.token, a.id, "{\"name\":\"A\"}");
	want_422_exact(&x,
	    entry_json(e, sizeof(e), "string_too_short", "[\"body\",\"name\"]",
		"String should have at least 2 characters", "\"A\"",
		"{\"min_length\":2}"),
	    NULL);
	xchg_free(&x);
}
END_TEST

START_TEST(patch_bad_email_422)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "pbadm", false);
	patch_user(&x, TGT, a.token, a.id, "{\"email\":\"not-an-email\"}");
	want_422_one(&x, "value_error", "email");
	xchg_free(&x);
}
END_TEST

START_TEST(patch_name_int_422)
{
	struct api_user a;
	struct xchg	x;
	char		e[512];

	api_user_new(TGT, &a, "pint", false);
	patch_user(&x, TGT, a.token, a.id, "{\"name\":42}");
	want_422_exact(&x,
	    entry_json(e, sizeof(e), "string_type", "[\"body\",\"name\"]",
		MSG_STR_TYPE, "42", NULL),
	    NULL);
	xchg_free(&x);
}
END_TEST

START_TEST(patch_bad_role_admin_422)
{
	struct api_user	    adm;
	struct xchg	    x;
	struct json_object *root, *e;

	api_user_new(TGT, &adm, "pbrole", true);
	patch_user(&x, TGT, adm.token, adm.id, "{\"role\":\"superuser\"}");
	e = want_422_entry(&x, 0, &root);
	want_entry(&x, e, "enum", "body", "role");
	ck_assert_str_eq(json_str(e, "msg", x.label),
	    "Input should be 'admin' or 'user'");
	json_object_put(root);
	xchg_free(&x);
}
END_TEST

START_TEST(patch_abc_422)
{
	struct api_user a;
	struct xchg	x;
	char		e[512];

	api_user_new(TGT, &a, "pabc", false);
	api_call(&x, TGT, "PATCH", "/api/users/abc", a.token,
	    "{\"name\":\"Xy\"}");
	want_422_exact(&x,
	    entry_json(e, sizeof(e), "int_parsing", "[\"path\",\"user_id\"]",
		MSG_INT_PARSE, "\"abc\"", NULL),
	    NULL);
	xchg_free(&x);
}
END_TEST

START_TEST(patch_no_token_401)
{
	struct api_user a;
	struct xchg	x;

	api_register(TGT, &a, "pnotok");
	patch_user(&x, TGT, NULL, a.id, "{\"name\":\"Anonymous\"}");
	want_401(&x, "Not authenticated");
	xchg_free(&x);
}
END_TEST

START_TEST(patch_text_plain_415)
{
	struct api_user a;
	struct xchg	x;
	char		path[64];
	struct api_req	r = { .method = "PATCH",
		 .ctype = "text/plain",
		 .body = "{\"name\":\"Plain Text\"}" };

	api_user_new(TGT, &a, "p415", false);
	r.path = user_path(path, sizeof(path), a.id, "");
	r.token = a.token;
	api_send(&x, TGT, &r);
	want_detail(&x, 415, "Unsupported Media Type");
	xchg_free(&x);
}
END_TEST

/* ---- the last admin ---- */

START_TEST(last_admin_demote_409)
{
	struct api_user adm;
	struct xchg	x;

	api_user_new(TGT, &adm, "lastd", true);
	db_demote_other_admins(adm.id);
	patch_user(&x, TGT, adm.token, adm.id, "{\"role\":\"user\"}");
	want_409_admin(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(last_admin_demote_not_applied)
{
	struct api_user adm;
	struct xchg	x;
	char		role[32];

	api_user_new(TGT, &adm, "lastn", true);
	db_demote_other_admins(adm.id);
	patch_user(&x, TGT, adm.token, adm.id, "{\"role\":\"user\"}");
	want_status(&x, 409);
	xchg_free(&x);
	get_user_field(TGT, adm.token, adm.id, "role", role, sizeof(role));
	ck_assert_str_eq(role, "admin");
}
END_TEST

/* With two admins, one may demote the other. */
START_TEST(admin_demotes_other_admin_200)
{
	struct api_user a, b;
	struct xchg	x;
	char		role[32];

	api_user_new(TGT, &a, "twoa", true);
	api_register(TGT, &b, "twob");
	db_demote_other_admins(a.id);
	db_make_admin(b.id);
	patch_user(&x, TGT, a.token, b.id, "{\"role\":\"user\"}");
	want_status(&x, 200);
	user_field(&x, "role", role, sizeof(role));
	ck_assert_str_eq(role, "user");
	xchg_free(&x);
}
END_TEST

/* With another admin left, an admin may step down. */
START_TEST(admin_demotes_self_with_other_200)
{
	struct api_user a, b;
	struct xchg	x;
	char		role[32];

	api_user_new(TGT, &a, "selfa", true);
	api_register(TGT, &b, "selfb");
	db_demote_other_admins(a.id);
	db_make_admin(b.id);
	patch_user(&x, TGT, a.token, a.id, "{\"role\":\"user\"}");
	want_status(&x, 200);
	user_field(&x, "role", role, sizeof(role));
	ck_assert_str_eq(role, "user");
	xchg_free(&x);
}
END_TEST

static Suite *
patch_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("patch");

	tc = tcase_create("self");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, patch_self_name_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_sets_updated_at, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_keeps_created_at, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_self_email_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_new_email_logs_in, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_absent_field_unchanged, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_null_fields_unchanged, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_empty_object_unchanged, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_no_slash_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_own_email_200, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase_create("permissions");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, patch_other_403, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_other_403_not_applied, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_403_headers, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_role_self_nonadmin_403, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_role_same_nonadmin_403, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_role_nonadmin_not_applied, 0,
	    API_TARGETS);
	tcase_add_loop_test(tc, patch_admin_promotes_other, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_admin_renames_other, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_admin_changes_other_email, 0,
	    API_TARGETS);
	tcase_add_loop_test(tc, patch_admin_404, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_no_token_401, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase_create("invalid");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, patch_email_taken_409, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_email_taken_other_case_409, 0,
	    API_TARGETS);
	tcase_add_loop_test(tc, patch_name_short_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_bad_email_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_name_int_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_bad_role_admin_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_abc_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, patch_text_plain_415, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase_create("last_admin");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, last_admin_demote_409, 0, API_TARGETS);
	tcase_add_loop_test(tc, last_admin_demote_not_applied, 0, API_TARGETS);
	tcase_add_loop_test(tc, admin_demotes_other_admin_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, admin_demotes_self_with_other_200, 0,
	    API_TARGETS);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return api_run_suite(patch_suite);
}
