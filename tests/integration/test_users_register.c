/*
 * test_users_register.c -- POST /api/users/, the registration that works:
 * 201 and the User it answers (keys in order, the role "user", no
 * password, the domain lower-cased, compact UTF-8, a "role" in the body
 * ignored), the path without its slash, the headers and X-Request-ID;
 * 409 for an address taken in any case; 415 for a body that is not JSON
 * (text/plain, a form) and 413 for one over MAX_BODY_BYTES.  The 422s of
 * a bad body are in test_users_validation, chunked bodies in
 * test_users_chunked.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include "api_helpers.h"
#include "http.h"
#include "stack.h"

#define TGT ((enum target)_i)

START_TEST(reg_201)
{
	struct xchg x;
	char	    body[1024];

	post_user(&x, TGT, valid_body(body, sizeof(body), "reg"));
	want_status(&x, 201);
	xchg_free(&x);
}
END_TEST

/* Keys exactly id, email, name, role, created_at, updated_at, in order. */
START_TEST(reg_user_object)
{
	struct xchg x;
	char	    body[1024];

	post_user(&x, TGT, valid_body(body, sizeof(body), "obj"));
	want_status(&x, 201);
	json_object_put(want_user(&x));
	xchg_free(&x);
}
END_TEST

START_TEST(reg_echoes_email_and_name)
{
	struct xchg	    x;
	struct json_object *o;
	char		    body[1024], email[320];

	api_email(email, sizeof(email), "echo");
	post_user(&x, TGT,
	    reg_body(body, sizeof(body), email, "\"Ann Lee\"",
		"\"correct-horse-1\""));
	want_status(&x, 201);
	o = want_user(&x);
	ck_assert_str_eq(json_str(o, "email", x.label), email);
	ck_assert_str_eq(json_str(o, "name", x.label), "Ann Lee");
	json_object_put(o);
	xchg_free(&x);
}
END_TEST

START_TEST(reg_role_user)
{
	struct xchg	    x;
	struct json_object *o;
	char		    body[1024];

	post_user(&x, TGT, valid_body(body, sizeof(body), "role"));
	want_status(&x, 201);
	o = want_user(&x);
	ck_assert_str_eq(json_str(o, "role", x.label), "user");
	json_object_put(o);
	xchg_free(&x);
}
END_TEST

START_TEST(reg_updated_at_null)
{
	struct xchg x;
	char	    body[1024], v[64];

	post_user(&x, TGT, valid_body(body, sizeof(body), "upd"));
	want_status(&x, 201);
	user_field(&x, "updated_at", v, sizeof(v));
	ck_assert_msg(strcmp(v, "null") == 0, "%s: updated_at %s, want null",
	    x.label, v);
	ck_assert_msg(strstr(x.resp.body, "\"updated_at\":null}") != NULL,
	    "%s: want the compact \"updated_at\":null last: %s", x.label,
	    x.resp.body);
	xchg_free(&x);
}
END_TEST

/* The password given is nowhere in the answer. */
START_TEST(reg_no_password_echo)
{
	struct xchg x;
	char	    body[1024], email[320];

	api_email(email, sizeof(email), "nopw");
	post_user(&x, TGT,
	    reg_body(body, sizeof(body), email, "\"No Echo\"",
		"\"Sekr1t-Passw0rd\""));
	want_status(&x, 201);
	ck_assert_msg(strstr(x.resp.body, "Sekr1t-Passw0rd") == NULL,
	    "%s: the password is in the answer: %s", x.label, x.resp.body);
	xchg_free(&x);
}
END_TEST

START_TEST(reg_no_trailing_slash)
{
	struct xchg x;
	char	    body[1024];

	api_call(&x, TGT, "POST", "/api/users", NULL,
	    valid_body(body, sizeof(body), "noslash"));
	want_status(&x, 201);
	json_object_put(want_user(&x));
	xchg_free(&x);
}
END_TEST

/* The domain part is lower-cased on the way in; the local part is kept. */
START_TEST(reg_domain_lowercased)
{
	struct xchg	    x;
	struct json_object *o;
	char		    body[1024], local[128], email[320], want[320];

	api_email(local, sizeof(local), "Ann");
	*strchr(local, '@') = '\0';
	snprintf(email, sizeof(email), "%s@Example.COM", local);
	snprintf(want, sizeof(want), "%s@example.com", local);
	post_user(&x, TGT,
	    reg_body(body, sizeof(body), email, "\"Ann Case\"",
		"\"correct-horse-1\""));
	want_status(&x, 201);
	o = want_user(&x);
	ck_assert_str_eq(json_str(o, "email", x.label), want);
	json_object_put(o);
	xchg_free(&x);
}
END_TEST

/* Compact UTF-8: no \u escapes for "é", no "\/" for "/". */
START_TEST(reg_name_unescaped)
{
	struct xchg x;
	char	    body[1024], email[320];

	api_email(email, sizeof(email), "utf8");
	post_user(&x, TGT,
	    reg_body(body, sizeof(body), email, "\"Zo\xc3\xab A/B\"",
		"\"correct-horse-1\""));
	want_status(&x, 201);
	ck_assert_msg(strstr(x.resp.body, "\"name\":\"Zo\xc3\xab A/B\"") !=
		NULL,
	    "%s: want \"name\":\"Zo\xc3\xab A/B\" as sent, unescaped: %s",
	    x.label, x.resp.body);
	xchg_free(&x);
}
END_TEST

/* A "role" in the body is an unknown field: ignored, never an admin. */
START_TEST(reg_role_field_ignored)
{
	struct xchg	    x;
	struct json_object *o;
	char		    body[1024], email[320], qe[400];

	snprintf(body, sizeof(body),
	    "{\"email\":%s,\"name\":\"Sneaky\","
	    "\"password\":\"correct-horse-1\",\"role\":\"admin\",\"id\":1}",
	    json_quote(qe, sizeof(qe),
		api_email(email, sizeof(email), "sneak")));
	post_user(&x, TGT, body);
	want_status(&x, 201);
	o = want_user(&x);
	ck_assert_str_eq(json_str(o, "role", x.label), "user");
	json_object_put(o);
	xchg_free(&x);
}
END_TEST

START_TEST(reg_headers)
{
	struct xchg x;
	char	    body[1024];

	post_user(&x, TGT, valid_body(body, sizeof(body), "hdr"));
	want_status(&x, 201);
	want_api_json_headers(&x);
	xchg_free(&x);
}
END_TEST

/* The caller's sane X-Request-ID comes back. */
START_TEST(reg_request_id_echoed)
{
	static const char *const hdr[] = { "X-Request-ID: users-trace-0042",
		NULL };
	struct xchg		 x;
	char			 body[1024];
	struct api_req		 r = { .method = "POST",
			  .path = "/api/users/",
			  .body = body,
			  .headers = hdr };

	valid_body(body, sizeof(body), "rid");
	api_send(&x, TGT, &r);
	want_status(&x, 201);
	want_header(&x, "X-Request-ID", "users-trace-0042");
	xchg_free(&x);
}
END_TEST

START_TEST(reg_duplicate_409)
{
	struct xchg x;
	char	    body[1024];

	valid_body(body, sizeof(body), "dup");
	post_user(&x, TGT, body);
	want_status(&x, 201);
	xchg_free(&x);
	post_user(&x, TGT, body);
	want_detail(&x, 409, "Email already registered");
	xchg_free(&x);
}
END_TEST

/* Uniqueness is case-insensitive over the whole address. */
START_TEST(reg_duplicate_other_case_409)
{
	struct xchg x;
	char	    body[1024], local[128], a[320], b[320];
	size_t	    i;

	api_email(local, sizeof(local), "case");
	*strchr(local, '@') = '\0';
	snprintf(a, sizeof(a), "%s@example.com", local);
	for (i = 0; local[i] != '\0'; i++)
		local[i] = (char)toupper((unsigned char)local[i]);
	snprintf(b, sizeof(b), "%s@EXAMPLE.com", local);
	post_user(&x, TGT,
	    reg_body(body, sizeof(body), a, "\"First\"",
		"\"correct-horse-1\""));
	want_status(&x, 201);
	xchg_free(&x);
	post_user(&x, TGT,
	    reg_body(body, sizeof(body), b, "\"Second\"",
		"\"correct-horse-1\""));
	want_detail(&x, 409, "Email already registered");
	xchg_free(&x);
}
END_TEST

START_TEST(reg_409_headers)
{
	struct xchg x;
	char	    body[1024];

	valid_body(body, sizeof(body), "dup-h");
	post_user(&x, TGT, body);
	want_status(&x, 201);
	xchg_free(&x);
	post_user(&x, TGT, body);
	want_status(&x, 409);
	want_api_json_headers(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(reg_json_charset_accepted)
{
	struct xchg    x;
	char	       body[1024];
	struct api_req r = { .method = "POST",
		.path = "/api/users/",
		.ctype = "application/json; charset=utf-8",
		.body = body };

	valid_body(body, sizeof(body), "charset");
	api_send(&x, TGT, &r);
	want_status(&x, 201);
	xchg_free(&x);
}
END_TEST

START_TEST(reg_text_plain_415)
{
	struct xchg    x;
	char	       body[1024];
	struct api_req r = { .method = "POST",
		.path = "/api/users/",
		.ctype = "text/plain",
		.body = body };

	valid_body(body, sizeof(body), "plain");
	api_send(&x, TGT, &r);
	want_detail(&x, 415, "Unsupported Media Type");
	xchg_free(&x);
}
END_TEST

START_TEST(reg_form_415)
{
	struct xchg    x;
	struct api_req r = { .method = "POST",
		.path = "/api/users/",
		.ctype = "application/x-www-form-urlencoded",
		.body =
		    "email=a%40example.com&name=Al&password=correct-horse-1" };

	api_send(&x, TGT, &r);
	want_detail(&x, 415, "Unsupported Media Type");
	xchg_free(&x);
}
END_TEST

START_TEST(reg_415_headers)
{
	struct xchg    x;
	struct api_req r = { .method = "POST",
		.path = "/api/users/",
		.ctype = "text/plain",
		.body = "{}" };

	api_send(&x, TGT, &r);
	want_status(&x, 415);
	want_api_json_headers(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(reg_too_large_413)
{
	struct xchg    x;
	size_t	       n = api_settings()->max_body + 1;
	char	      *body;
	struct api_req r = { .method = "POST", .path = "/api/users/" };

	ck_assert((body = malloc(n + 1)) != NULL);
	memset(body, ' ', n);
	body[0] = '{';
	body[n - 1] = '}';
	body[n] = '\0';
	r.body = body;
	r.body_len = n;
	api_send(&x, TGT, &r);
	want_detail(&x, 413, "Request body too large");
	xchg_free(&x);
	free(body);
}
END_TEST

static Suite *
register_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("register");

	tc = tcase_create("create");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, reg_201, 0, API_TARGETS);
	tcase_add_loop_test(tc, reg_user_object, 0, API_TARGETS);
	tcase_add_loop_test(tc, reg_echoes_email_and_name, 0, API_TARGETS);
	tcase_add_loop_test(tc, reg_role_user, 0, API_TARGETS);
	tcase_add_loop_test(tc, reg_updated_at_null, 0, API_TARGETS);
	tcase_add_loop_test(tc, reg_no_password_echo, 0, API_TARGETS);
	tcase_add_loop_test(tc, reg_no_trailing_slash, 0, API_TARGETS);
	tcase_add_loop_test(tc, reg_domain_lowercased, 0, API_TARGETS);
	tcase_add_loop_test(tc, reg_name_unescaped, 0, API_TARGETS);
	tcase_add_loop_test(tc, reg_role_field_ignored, 0, API_TARGETS);
	tcase_add_loop_test(tc, reg_headers, 0, API_TARGETS);
	tcase_add_loop_test(tc, reg_json_charset_accepted, 0, API_TARGETS);
	tcase_add_loop_test(tc, reg_request_id_echoed, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase_create("conflict");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, reg_duplicate_409, 0, API_TARGETS);
	tcase_add_loop_test(tc, reg_duplicate_other_case_409, 0, API_TARGETS);
	tcase_add_loop_test(tc, reg_409_headers, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase_create("media_type_and_size");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, reg_text_plain_415, 0, API_TARGETS);
	tcase_add_loop_test(tc, reg_form_415, 0, API_TARGETS);
	tcase_add_loop_test(tc, reg_415_headers, 0, API_TARGETS);
	tcase_add_loop_test(tc, reg_too_large_413, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return api_run_suite(register_suite);
}
