/*
 * test_users.c -- the /api/users routes of API.md through the real stack:
 * lighttpd (mod_fastcgi) and Apache (mod_fcgid) from the shipped configs,
 * and users.fcgi run as plain CGI.  Every case that applies runs against
 * each of the three (a Check loop over enum target, see API_TARGETS).
 *
 * Registration and its 422s, registration with chunked bodies (valid,
 * malformed, over the cap, cut short), reading, the paginated list over
 * 45 users of this run, PATCH and DELETE with their role rules (self or
 * admin, role changes by an admin only, the last admin kept), concurrent
 * registrations of one address, the headers of every answer, 503 while
 * PostgreSQL is down, and plain CGI answering as the servers do.
 *
 * The database is shared with every other suite: each case makes its own
 * accounts and never assumes an empty table.  Admins are made by
 * promoting a registered account through libpq (DATABASE_URL of
 * $UA_TEST_ENV_FILE).  Run: make check-integration (through scripts/test).
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include "api_helpers.h"
#include "http.h"
#include "stack.h"

#define TGT ((enum target)_i)

/* Users the list cases page through, made once for the tcase. */
#define SEED_USERS 45

#define MSG_MISSING "Field required"
#define MSG_STR_TYPE "Input should be a valid string"
#define MSG_INT_PARSE \
	"Input should be a valid integer, unable to parse " \
	"string as an integer"
#define MSG_DICT \
	"Input should be a valid dictionary or object to " \
	"extract fields from"
#define MSG_EMAIL "value is not a valid email address: "
#define MSG_GE1 "Input should be greater than or equal to 1"
#define MSG_LE100 "Input should be less than or equal to 100"
#define NO_USER_ID "2147483647"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* A registration body: "email" as given, the JSON texts of name/password. */
static char *
reg_body(char *buf, size_t len, const char *email, const char *name_json,
    const char *password_json)
{
	char qe[1200];

	snprintf(buf, len, "{\"email\":%s,\"name\":%s,\"password\":%s}",
	    json_quote(qe, sizeof(qe), email), name_json, password_json);
	return buf;
}

/* A valid registration body with a fresh address. */
static char *
valid_body(char *buf, size_t len, const char *tag)
{
	char email[320];

	return reg_body(buf, len, api_email(email, sizeof(email), tag),
	    "\"Valid Name\"", "\"correct-horse-1\"");
}

static void
post_user(struct xchg *x, enum target t, const char *body)
{
	api_call(x, t, "POST", "/api/users/", NULL, body);
}

/* "n" copies of "s" into "buf". */
static char *
repeat(char *buf, size_t len, const char *s, size_t n)
{
	size_t i, l = strlen(s);

	ck_assert_msg(n * l < len, "repeat: buffer too small");
	for (i = 0; i < n; i++)
		memcpy(buf + i * l, s, l);
	buf[n * l] = '\0';
	return buf;
}

/* "/api/users/<id><suffix>" into "buf". */
static char *
user_path(char *buf, size_t len, int64_t id, const char *suffix)
{
	snprintf(buf, len, "/api/users/%lld%s", (long long)id, suffix);
	return buf;
}

/* One 422 entry as compact JSON (ctx_json NULL: none). */
static char *
entry(char *buf, size_t len, const char *type, const char *loc_json,
    const char *msg, const char *input_json, const char *ctx_json)
{
	if (ctx_json != NULL)
		snprintf(buf, len,
		    "{\"type\":\"%s\",\"loc\":%s,\"msg\":\"%s\","
		    "\"input\":%s,\"ctx\":%s}",
		    type, loc_json, msg, input_json, ctx_json);
	else
		snprintf(buf, len,
		    "{\"type\":\"%s\",\"loc\":%s,\"msg\":\"%s\","
		    "\"input\":%s}",
		    type, loc_json, msg, input_json);
	return buf;
}

/* 422 with exactly {"detail":[<e1>]} or [<e1>,<e2>] byte for byte. */
static void
want_422_exact(const struct xchg *x, const char *e1, const char *e2)
{
	char body[8192];

	if (e2 != NULL)
		snprintf(body, sizeof(body), "{\"detail\":[%s,%s]}", e1, e2);
	else
		snprintf(body, sizeof(body), "{\"detail\":[%s]}", e1);
	want_status(x, 422);
	want_body(x, body);
}

/* 422 whose only entry has "type" at ["body", field]. */
static void
want_422_one(const struct xchg *x, const char *type, const char *field)
{
	struct json_object *root, *e;

	ck_assert_msg(want_422_count(x) == 1,
	    "%s: want exactly one 422 "
	    "entry: %.600s",
	    x->label, x->resp.body);
	e = want_422_entry(x, 0, &root);
	want_entry(x, e, type, "body", field);
	json_object_put(root);
}

/* 422 with some entry at ["body", field] (any type). */
static void
want_422_at(const struct xchg *x, const char *field)
{
	struct json_object *root, *d, *e, *loc, *f;
	size_t		    i, n;
	bool		    found = false;

	want_422_entry(x, 0, &root);
	json_object_object_get_ex(root, "detail", &d);
	n = json_object_array_length(d);
	for (i = 0; i < n && !found; i++) {
		e = json_object_array_get_idx(d, i);
		if (!json_object_object_get_ex(e, "loc", &loc) ||
		    !json_object_is_type(loc, json_type_array) ||
		    json_object_array_length(loc) != 2)
			continue;
		f = json_object_array_get_idx(loc, 1);
		found = json_object_is_type(f, json_type_string) &&
		    strcmp(json_object_get_string(f), field) == 0;
	}
	json_object_put(root);
	ck_assert_msg(found, "%s: no 422 entry at [\"body\", \"%s\"]: %.600s",
	    x->label, field, x->resp.body);
}

/* The member "key" of the body, which is a User, as a string. */
static void
user_field(const struct xchg *x, const char *key, char *buf, size_t len)
{
	struct json_object *o, *v;

	o = want_user(x);
	ck_assert_msg(json_object_object_get_ex(o, key, &v), "%s: no %s",
	    x->label, key);
	snprintf(buf, len, "%s",
	    json_object_is_type(v, json_type_null) ? "null" :
						     json_object_get_string(v));
	json_object_put(o);
}

/* GET user "id" as "token": the User's member "key", want 200. */
static void
get_field(enum target t, const char *token, int64_t id, const char *key,
    char *buf, size_t len)
{
	struct xchg x;
	char	    path[64];

	api_call(&x, t, "GET", user_path(path, sizeof(path), id, ""), token,
	    NULL);
	want_status(&x, 200);
	user_field(&x, key, buf, len);
	xchg_free(&x);
}

static void
patch_user(struct xchg *x, enum target t, const char *token, int64_t id,
    const char *json)
{
	char path[64];

	api_call(x, t, "PATCH", user_path(path, sizeof(path), id, ""), token,
	    json);
}

static void
delete_user(struct xchg *x, enum target t, const char *token, int64_t id)
{
	char path[64];

	api_call(x, t, "DELETE", user_path(path, sizeof(path), id, ""), token,
	    NULL);
}

/* The detail of a 409 says something about an admin. */
static void
want_409_admin(const struct xchg *x)
{
	struct json_object *o;
	const char	   *d;
	bool		    ok;

	want_status(x, 409);
	o = want_json(x);
	d = json_str(o, "detail", x->label);
	ok = strcasestr(d, "admin") != NULL;
	json_object_put(o);
	ck_assert_msg(ok, "%s: 409 detail does not mention the admin: %.300s",
	    x->label, x->resp.body);
}

/* ------------------------------------------------------------------ */
/* Suite register: POST /api/users/                                    */
/* ------------------------------------------------------------------ */

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

/* ------------------------------------------------------------------ */
/* Suite validation: the 422s of UserCreate                            */
/* ------------------------------------------------------------------ */

START_TEST(val_missing_all)
{
	struct xchg x;
	char	    want[2048], e1[256], e2[256], e3[256];

	post_user(&x, TGT, "{}");
	entry(e1, sizeof(e1), "missing", "[\"body\",\"email\"]", MSG_MISSING,
	    "{}", NULL);
	entry(e2, sizeof(e2), "missing", "[\"body\",\"name\"]", MSG_MISSING,
	    "{}", NULL);
	entry(e3, sizeof(e3), "missing", "[\"body\",\"password\"]", MSG_MISSING,
	    "{}", NULL);
	snprintf(want, sizeof(want), "{\"detail\":[%s,%s,%s]}", e1, e2, e3);
	want_status(&x, 422);
	want_body(&x, want);
	xchg_free(&x);
}
END_TEST

/* A missing field's "input" is the whole body. */
START_TEST(val_missing_email_input_is_body)
{
	struct xchg x;
	char	    e[512];

	post_user(&x, TGT, "{\"name\":\"Al\",\"password\":\"longenough\"}");
	want_422_exact(&x,
	    entry(e, sizeof(e), "missing", "[\"body\",\"email\"]", MSG_MISSING,
		"{\"name\":\"Al\",\"password\":\"longenough\"}", NULL),
	    NULL);
	xchg_free(&x);
}
END_TEST

/* Every problem at once, in field order. */
START_TEST(val_several_at_once)
{
	struct xchg x;
	char	    want[2048], e1[256], e2[256], e3[256];

	post_user(&x, TGT, "{\"name\":\"A\"}");
	entry(e1, sizeof(e1), "missing", "[\"body\",\"email\"]", MSG_MISSING,
	    "{\"name\":\"A\"}", NULL);
	entry(e2, sizeof(e2), "string_too_short", "[\"body\",\"name\"]",
	    "String should have at least 2 characters", "\"A\"",
	    "{\"min_length\":2}");
	entry(e3, sizeof(e3), "missing", "[\"body\",\"password\"]", MSG_MISSING,
	    "{\"name\":\"A\"}", NULL);
	snprintf(want, sizeof(want), "{\"detail\":[%s,%s,%s]}", e1, e2, e3);
	want_status(&x, 422);
	want_body(&x, want);
	xchg_free(&x);
}
END_TEST

START_TEST(val_name_too_short)
{
	struct xchg x;
	char	    body[1024], email[320], e[512];

	post_user(&x, TGT,
	    reg_body(body, sizeof(body),
		api_email(email, sizeof(email), "short"), "\"A\"",
		"\"correct-horse-1\""));
	want_422_exact(&x,
	    entry(e, sizeof(e), "string_too_short", "[\"body\",\"name\"]",
		"String should have at least 2 characters", "\"A\"",
		"{\"min_length\":2}"),
	    NULL);
	xchg_free(&x);
}
END_TEST

START_TEST(val_name_two_ok)
{
	struct xchg x;
	char	    body[1024], email[320];

	post_user(&x, TGT,
	    reg_body(body, sizeof(body), api_email(email, sizeof(email), "two"),
		"\"Al\"", "\"correct-horse-1\""));
	want_status(&x, 201);
	xchg_free(&x);
}
END_TEST

/* One code point in two bytes is one character: too short. */
START_TEST(val_name_one_code_point_short)
{
	struct xchg x;
	char	    body[1024], email[320];

	post_user(&x, TGT,
	    reg_body(body, sizeof(body),
		api_email(email, sizeof(email), "onecp"), "\"\xc3\xa9\"",
		"\"correct-horse-1\""));
	want_422_one(&x, "string_too_short", "name");
	xchg_free(&x);
}
END_TEST

START_TEST(val_name_100_code_points_ok)
{
	struct xchg	    x;
	struct json_object *o;
	char		    body[2048], email[320], name[256], qn[300];

	repeat(name, sizeof(name), "\xc3\xa9", 100);
	snprintf(qn, sizeof(qn), "\"%s\"", name);
	post_user(&x, TGT,
	    reg_body(body, sizeof(body),
		api_email(email, sizeof(email), "e100"), qn,
		"\"correct-horse-1\""));
	want_status(&x, 201);
	o = want_user(&x);
	ck_assert_str_eq(json_str(o, "name", x.label), name);
	json_object_put(o);
	xchg_free(&x);
}
END_TEST

/* 100 code points of four bytes each: 400 bytes, still 100 characters. */
START_TEST(val_name_100_astral_ok)
{
	struct xchg	    x;
	struct json_object *o;
	char		    body[2048], email[320], name[512], qn[520];

	repeat(name, sizeof(name), "\xf0\x9f\x98\x80", 100);
	snprintf(qn, sizeof(qn), "\"%s\"", name);
	post_user(&x, TGT,
	    reg_body(body, sizeof(body),
		api_email(email, sizeof(email), "emoji"), qn,
		"\"correct-horse-1\""));
	want_status(&x, 201);
	o = want_user(&x);
	ck_assert_str_eq(json_str(o, "name", x.label), name);
	json_object_put(o);
	xchg_free(&x);
}
END_TEST

START_TEST(val_name_101_code_points_long)
{
	struct xchg x;
	char	    body[2048], email[320], name[256], qn[300], e[1024];

	repeat(name, sizeof(name), "\xc3\xa9", 101);
	snprintf(qn, sizeof(qn), "\"%s\"", name);
	post_user(&x, TGT,
	    reg_body(body, sizeof(body),
		api_email(email, sizeof(email), "e101"), qn,
		"\"correct-horse-1\""));
	want_422_exact(&x,
	    entry(e, sizeof(e), "string_too_long", "[\"body\",\"name\"]",
		"String should have at most 100 characters", qn,
		"{\"max_length\":100}"),
	    NULL);
	xchg_free(&x);
}
END_TEST

START_TEST(val_password_short)
{
	struct xchg x;
	char	    body[1024], email[320], e[512];

	post_user(&x, TGT,
	    reg_body(body, sizeof(body), api_email(email, sizeof(email), "pw7"),
		"\"Short Pw\"", "\"short77\""));
	want_422_exact(&x,
	    entry(e, sizeof(e), "string_too_short", "[\"body\",\"password\"]",
		"String should have at least 8 characters", "\"short77\"",
		"{\"min_length\":8}"),
	    NULL);
	xchg_free(&x);
}
END_TEST

START_TEST(val_password_8_ok)
{
	struct xchg x;
	char	    body[1024], email[320];

	post_user(&x, TGT,
	    reg_body(body, sizeof(body), api_email(email, sizeof(email), "pw8"),
		"\"Eight Pw\"", "\"eight888\""));
	want_status(&x, 201);
	xchg_free(&x);
}
END_TEST

/* The minimum counts characters: 7 two-byte ones are too few. */
START_TEST(val_password_7_chars_14_bytes_short)
{
	struct xchg x;
	char	    body[1024], email[320], pw[64], qp[80];

	repeat(pw, sizeof(pw), "\xc3\xa9", 7);
	snprintf(qp, sizeof(qp), "\"%s\"", pw);
	post_user(&x, TGT,
	    reg_body(body, sizeof(body),
		api_email(email, sizeof(email), "pw7u"), "\"Seven Pw\"", qp));
	want_422_one(&x, "string_too_short", "password");
	xchg_free(&x);
}
END_TEST

START_TEST(val_password_72_bytes_ok)
{
	struct xchg x;
	char	    body[1024], email[320], pw[128], qp[140];

	repeat(pw, sizeof(pw), "p", 72);
	snprintf(qp, sizeof(qp), "\"%s\"", pw);
	post_user(&x, TGT,
	    reg_body(body, sizeof(body),
		api_email(email, sizeof(email), "pw72"), "\"Long Pw\"", qp));
	want_status(&x, 201);
	xchg_free(&x);
}
END_TEST

START_TEST(val_password_73_bytes_refused)
{
	struct xchg x;
	char	    body[1024], email[320], pw[128], qp[140];

	repeat(pw, sizeof(pw), "p", 73);
	snprintf(qp, sizeof(qp), "\"%s\"", pw);
	post_user(&x, TGT,
	    reg_body(body, sizeof(body),
		api_email(email, sizeof(email), "pw73"), "\"Long Pw\"", qp));
	want_422_at(&x, "password");
	ck_assert_msg(want_422_count(&x) == 1, "%s: want one entry: %s",
	    x.label, x.resp.body);
	xchg_free(&x);
}
END_TEST

/* 36 two-byte characters are 72 bytes: accepted. */
START_TEST(val_password_72_bytes_utf8_ok)
{
	struct xchg x;
	char	    body[1024], email[320], pw[128], qp[140];

	repeat(pw, sizeof(pw), "\xc3\xa9", 36);
	snprintf(qp, sizeof(qp), "\"%s\"", pw);
	post_user(&x, TGT,
	    reg_body(body, sizeof(body),
		api_email(email, sizeof(email), "pw36u"), "\"Utf Pw\"", qp));
	want_status(&x, 201);
	xchg_free(&x);
}
END_TEST

/* 37 characters but 74 bytes: the maximum counts bytes. */
START_TEST(val_password_74_bytes_utf8_refused)
{
	struct xchg x;
	char	    body[1024], email[320], pw[128], qp[140];

	repeat(pw, sizeof(pw), "\xc3\xa9", 37);
	snprintf(qp, sizeof(qp), "\"%s\"", pw);
	post_user(&x, TGT,
	    reg_body(body, sizeof(body),
		api_email(email, sizeof(email), "pw37u"), "\"Utf Pw\"", qp));
	want_422_at(&x, "password");
	xchg_free(&x);
}
END_TEST

START_TEST(val_email_string_type)
{
	struct xchg x;
	char	    e[512];

	post_user(&x, TGT,
	    "{\"email\":5,\"name\":\"Al\","
	    "\"password\":\"correct-horse-1\"}");
	want_422_exact(&x,
	    entry(e, sizeof(e), "string_type", "[\"body\",\"email\"]",
		MSG_STR_TYPE, "5", NULL),
	    NULL);
	xchg_free(&x);
}
END_TEST

START_TEST(val_name_bool_string_type)
{
	struct xchg x;
	char	    body[1024], email[320], e[512];

	post_user(&x, TGT,
	    reg_body(body, sizeof(body),
		api_email(email, sizeof(email), "bool"), "true",
		"\"correct-horse-1\""));
	want_422_exact(&x,
	    entry(e, sizeof(e), "string_type", "[\"body\",\"name\"]",
		MSG_STR_TYPE, "true", NULL),
	    NULL);
	xchg_free(&x);
}
END_TEST

START_TEST(val_password_null_string_type)
{
	struct xchg x;
	char	    body[1024], email[320], e[512];

	post_user(&x, TGT,
	    reg_body(body, sizeof(body),
		api_email(email, sizeof(email), "null"), "\"Null Pw\"",
		"null"));
	want_422_exact(&x,
	    entry(e, sizeof(e), "string_type", "[\"body\",\"password\"]",
		MSG_STR_TYPE, "null", NULL),
	    NULL);
	xchg_free(&x);
}
END_TEST

START_TEST(val_name_object_string_type)
{
	struct xchg x;
	char	    body[1024], email[320], e[512];

	post_user(&x, TGT,
	    reg_body(body, sizeof(body),
		api_email(email, sizeof(email), "objn"), "{\"a\":1}",
		"\"correct-horse-1\""));
	want_422_exact(&x,
	    entry(e, sizeof(e), "string_type", "[\"body\",\"name\"]",
		MSG_STR_TYPE, "{\"a\":1}", NULL),
	    NULL);
	xchg_free(&x);
}
END_TEST

START_TEST(val_body_array)
{
	struct xchg x;
	char	    e[512];

	post_user(&x, TGT, "[1,2]");
	want_422_exact(&x,
	    entry(e, sizeof(e), "model_attributes_type", "[\"body\"]", MSG_DICT,
		"[1,2]", NULL),
	    NULL);
	xchg_free(&x);
}
END_TEST

START_TEST(val_body_string)
{
	struct xchg x;
	char	    e[512];

	post_user(&x, TGT, "\"just text\"");
	want_422_exact(&x,
	    entry(e, sizeof(e), "model_attributes_type", "[\"body\"]", MSG_DICT,
		"\"just text\"", NULL),
	    NULL);
	xchg_free(&x);
}
END_TEST

/*
 * json_invalid: "msg" "JSON decode error", loc ["body", offset], input
 * {} and a ctx "error", as FastAPI reports a body json.loads() refuses.
 */
static void
want_json_invalid(const struct xchg *x, long offset)
{
	struct json_object *root, *e, *loc, *v, *ctx;

	ck_assert_msg(want_422_count(x) == 1, "%s: want one entry: %s",
	    x->label, x->resp.body);
	e = want_422_entry(x, 0, &root);
	ck_assert_str_eq(json_str(e, "type", x->label), "json_invalid");
	ck_assert_str_eq(json_str(e, "msg", x->label), "JSON decode error");
	ck_assert_msg(json_object_object_get_ex(e, "loc", &loc) &&
		json_object_is_type(loc, json_type_array) &&
		json_object_array_length(loc) == 2,
	    "%s: loc is not [\"body\", "
	    "offset]: %s",
	    x->label, x->resp.body);
	v = json_object_array_get_idx(loc, 0);
	ck_assert_msg(json_object_is_type(v, json_type_string) &&
		strcmp(json_object_get_string(v), "body") == 0,
	    "%s: loc[0] is "
	    "not \"body\": %s",
	    x->label, x->resp.body);
	v = json_object_array_get_idx(loc, 1);
	ck_assert_msg(json_object_is_type(v, json_type_int),
	    "%s: loc[1] is not a byte offset: %s", x->label, x->resp.body);
	ck_assert_msg(json_object_get_int64(v) == offset,
	    "%s: offset %lld, "
	    "want %ld (where json.loads stops): %s",
	    x->label, (long long)json_object_get_int64(v), offset,
	    x->resp.body);
	ck_assert_msg(json_object_object_get_ex(e, "input", &v) &&
		json_object_is_type(v, json_type_object) &&
		json_object_object_length(v) == 0,
	    "%s: input is not {}: %s", x->label, x->resp.body);
	ck_assert_msg(json_object_object_get_ex(e, "ctx", &ctx) &&
		json_object_object_get_ex(ctx, "error", &v) &&
		json_object_is_type(v, json_type_string),
	    "%s: no ctx "
	    "{\"error\": ...}: %s",
	    x->label, x->resp.body);
	json_object_put(root);
}

START_TEST(val_json_trailing_comma)
{
	struct xchg x;

	post_user(&x, TGT, "{\"a\":1,}");
	want_json_invalid(&x, 7);
	xchg_free(&x);
}
END_TEST

START_TEST(val_json_truncated)
{
	struct xchg x;

	post_user(&x, TGT, "{\"email\": ");
	want_json_invalid(&x, 10);
	xchg_free(&x);
}
END_TEST

START_TEST(val_json_garbage)
{
	struct xchg x;

	post_user(&x, TGT, "not json");
	want_json_invalid(&x, 0);
	xchg_free(&x);
}
END_TEST

START_TEST(val_json_missing_colon)
{
	struct xchg x;

	post_user(&x, TGT, "{\"email\" \"x\"}");
	want_json_invalid(&x, 9);
	xchg_free(&x);
}
END_TEST

/* A body with nothing in it: 422, never 500. */
START_TEST(val_empty_body)
{
	struct xchg    x;
	struct api_req r = { .method = "POST",
		.path = "/api/users/",
		.ctype = "application/json",
		.body = "",
		.body_len = 0 };

	api_send(&x, TGT, &r);
	want_422_count(&x);
	xchg_free(&x);
}
END_TEST

/* Bytes that are not UTF-8 inside a string: 422, never 500. */
START_TEST(val_invalid_utf8)
{
	struct xchg x;
	char	    body[1024], email[320];

	post_user(&x, TGT,
	    reg_body(body, sizeof(body),
		api_email(email, sizeof(email), "badu8"),
		"\"Bad \xff\xfe Name\"", "\"correct-horse-1\""));
	want_422_count(&x);
	xchg_free(&x);
}
END_TEST

/* An overlong encoding of "/" is not UTF-8 either. */
START_TEST(val_overlong_utf8)
{
	struct xchg x;
	char	    body[1024], email[320];

	post_user(&x, TGT,
	    reg_body(body, sizeof(body),
		api_email(email, sizeof(email), "overl"),
		"\"Over\xc0\xaflong\"", "\"correct-horse-1\""));
	want_422_count(&x);
	xchg_free(&x);
}
END_TEST

/* A UTF-16 surrogate escaped alone: stored as something valid or 422. */
START_TEST(val_lone_surrogate_not_500)
{
	struct xchg x;
	char	    body[1024], email[320];

	post_user(&x, TGT,
	    reg_body(body, sizeof(body),
		api_email(email, sizeof(email), "surr"), "\"Sur\\ud800rogate\"",
		"\"correct-horse-1\""));
	ck_assert_msg(x.resp.status == 201 || x.resp.status == 422,
	    "%s: status %ld, want 201 or 422: %s", x.label, x.resp.status,
	    x.resp.body);
	xchg_free(&x);
}
END_TEST

START_TEST(val_nul_escape_in_name)
{
	struct xchg x;
	char	    body[1024], email[320];

	post_user(&x, TGT,
	    reg_body(body, sizeof(body), api_email(email, sizeof(email), "nul"),
		"\"Nul\\u0000Name\"", "\"correct-horse-1\""));
	want_422_at(&x, "name");
	xchg_free(&x);
}
END_TEST

/* A NUL would cut the password short in crypt(): refused. */
START_TEST(val_nul_escape_in_password)
{
	struct xchg x;
	char	    body[1024], email[320];

	post_user(&x, TGT,
	    reg_body(body, sizeof(body),
		api_email(email, sizeof(email), "nulpw"), "\"Nul Pw\"",
		"\"abcdefgh\\u0000ijkl\""));
	want_422_at(&x, "password");
	xchg_free(&x);
}
END_TEST

/* A raw NUL byte inside a JSON string is not JSON. */
START_TEST(val_raw_nul_byte)
{
	static const char body[] =
	    "{\"email\":\"rawnul@example.com\",\"name\":\"A\0B\","
	    "\"password\":\"correct-horse-1\"}";
	struct xchg    x;
	struct api_req r = { .method = "POST",
		.path = "/api/users/",
		.body = body,
		.body_len = sizeof(body) - 1 };

	api_send(&x, TGT, &r);
	want_422_count(&x);
	xchg_free(&x);
}
END_TEST

/* Nesting far deeper than any schema: 422, never 500. */
START_TEST(val_deep_nesting)
{
	struct xchg x;
	char	    body[4200];
	size_t	    i, n = 2000;

	for (i = 0; i < n; i++)
		body[i] = '[';
	for (i = 0; i < n; i++)
		body[n + i] = ']';
	body[2 * n] = '\0';
	post_user(&x, TGT, body);
	want_422_count(&x);
	xchg_free(&x);
}
END_TEST

/* ---- emails ---- */

/* Bad addresses: each one is a 422 value_error at ["body","email"]. */
static const char *const bad_emails[] = {
	"plainaddress",
	"@example.com",
	"ann@",
	"ann@@example.com",
	"ann@b@example.com",
	".ann@example.com",
	"ann.@example.com",
	"an..n@example.com",
	"an n@example.com",
	"an\"n@example.com",
	"ann@example",
	"ann@example.123",
	"ann@-example.com",
	"ann@example-.com",
	"ann@exa mple.com",
	"ann@exa_mple.com",
	"ann@example..com",
	"ann@.example.com",
	"ann@example.com.",
	"ann@[127.0.0.1]",
	"ann@example.test",
	"ann@example.local",
	"ann@localhost",
	"ann@foo.localhost",
	"ann@example.invalid",
	"",
	/* 65 octets of local part */
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	"@example.com",
	/* a label of 64 octets */
	"ann@bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	".com",
	/* 255 octets in all: 64 + 1 + 190 */
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@"
	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb."
	"ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc."
	"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.com",
};
#define BAD_EMAILS (sizeof(bad_emails) / sizeof(bad_emails[0]))

/* Iteration _i: address _i / API_TARGETS on target _i % API_TARGETS. */
START_TEST(val_bad_email)
{
	const char	   *email = bad_emails[_i / API_TARGETS];
	enum target	    t = (enum target)(_i % API_TARGETS);
	struct xchg	    x;
	struct json_object *root, *e, *in;
	const char	   *msg;
	char		    body[2048];

	post_user(&x, t,
	    reg_body(body, sizeof(body), email, "\"Bad Mail\"",
		"\"correct-horse-1\""));
	ck_assert_msg(x.resp.status == 422,
	    "%s: \"%s\": status %ld, want "
	    "422: %.300s",
	    x.label, email, x.resp.status, x.resp.body);
	ck_assert_msg(want_422_count(&x) == 1,
	    "%s: \"%s\": want one entry: "
	    "%s",
	    x.label, email, x.resp.body);
	e = want_422_entry(&x, 0, &root);
	want_entry(&x, e, "value_error", "body", "email");
	msg = json_str(e, "msg", x.label);
	ck_assert_msg(strncmp(msg, MSG_EMAIL, strlen(MSG_EMAIL)) == 0 &&
		strlen(msg) > strlen(MSG_EMAIL),
	    "%s: \"%s\": msg \"%s\", want "
	    "\"" MSG_EMAIL "<reason>\"",
	    x.label, email, msg);
	ck_assert_msg(json_object_object_get_ex(e, "input", &in) &&
		json_object_is_type(in, json_type_string) &&
		strcmp(json_object_get_string(in), email) == 0,
	    "%s: \"%s\": input is not the address: %s", x.label, email,
	    x.resp.body);
	json_object_put(root);
	xchg_free(&x);
}
END_TEST

/* Pydantic's value_error for an address has ctx {"reason": <reason>}. */
START_TEST(val_bad_email_ctx_reason)
{
	struct xchg	    x;
	struct json_object *root, *e, *ctx, *r;
	const char	   *msg;
	char		    body[1024];

	post_user(&x, TGT,
	    reg_body(body, sizeof(body), "plainaddress", "\"Bad Mail\"",
		"\"correct-horse-1\""));
	e = want_422_entry(&x, 0, &root);
	msg = json_str(e, "msg", x.label);
	ck_assert_msg(json_object_object_get_ex(e, "ctx", &ctx) &&
		json_object_object_get_ex(ctx, "reason", &r) &&
		json_object_is_type(r, json_type_string),
	    "%s: no ctx "
	    "{\"reason\": ...}: %s",
	    x.label, x.resp.body);
	ck_assert_msg(strlen(msg) > strlen(MSG_EMAIL) &&
		strcmp(msg + strlen(MSG_EMAIL), json_object_get_string(r)) == 0,
	    "%s: ctx.reason is not the reason in msg: %s", x.label,
	    x.resp.body);
	json_object_put(root);
	xchg_free(&x);
}
END_TEST

/* Good addresses, made unique with this run's tag: each one is 201. */
enum good_kind {
	GOOD_PLUS,	  /* local+tag@example.com */
	GOOD_SUBDOMAIN,	  /* local@mail.example.co.uk */
	GOOD_HYPHEN,	  /* local@ex-ample.com */
	GOOD_DIGIT_LABEL, /* local@123.example.com */
	GOOD_ATEXT,	  /* every atext symbol in the local part */
	GOOD_LOCAL_64,	  /* a local part of exactly 64 octets */
	GOOD_LABEL_63,	  /* a label of exactly 63 octets */
	GOOD_TOTAL_254,	  /* 254 octets in all */
	GOOD_QUOTED,	  /* "quoted local"@example.com */
	GOOD__MAX
};

static void
good_email(char *buf, size_t len, enum good_kind k)
{
	char   local[128], pad[256];
	size_t n;

	api_email(local, sizeof(local), "g");
	*strchr(local, '@') = '\0';
	n = strlen(local);
	switch (k) {
	case GOOD_PLUS:
		snprintf(buf, len, "%s+tag@example.com", local);
		break;
	case GOOD_SUBDOMAIN:
		snprintf(buf, len, "%s@mail.example.co.uk", local);
		break;
	case GOOD_HYPHEN:
		snprintf(buf, len, "%s@ex-ample.com", local);
		break;
	case GOOD_DIGIT_LABEL:
		snprintf(buf, len, "%s@123.example.com", local);
		break;
	case GOOD_ATEXT:
		snprintf(buf, len, "%s!#$%%&'*/=?^_`{|}~-@example.com", local);
		break;
	case GOOD_LOCAL_64:
		snprintf(buf, len, "%s%s@example.com", local,
		    repeat(pad, sizeof(pad), "x", 64 - n));
		break;
	case GOOD_LABEL_63:
		snprintf(buf, len, "%s@%s.com", local,
		    repeat(pad, sizeof(pad), "b", 63));
		break;
	case GOOD_TOTAL_254:
		/* 64 + 1 + 63 + 1 + 63 + 1 + 57 + 4 */
		snprintf(buf, len, "%s%s@", local,
		    repeat(pad, sizeof(pad), "x", 64 - n));
		repeat(pad, sizeof(pad), "b", 63);
		snprintf(buf + strlen(buf), len - strlen(buf), "%s.", pad);
		repeat(pad, sizeof(pad), "c", 63);
		snprintf(buf + strlen(buf), len - strlen(buf), "%s.", pad);
		repeat(pad, sizeof(pad), "d", 57);
		snprintf(buf + strlen(buf), len - strlen(buf), "%s.com", pad);
		ck_assert_uint_eq(strlen(buf), 254);
		break;
	case GOOD_QUOTED:
		snprintf(buf, len, "\"q %s\"@example.com", local);
		break;
	case GOOD__MAX:
		break;
	}
}

START_TEST(val_good_email)
{
	enum good_kind k = (enum good_kind)(_i / API_TARGETS);
	enum target    t = (enum target)(_i % API_TARGETS);
	struct xchg    x;
	char	       body[2048], email[400];

	good_email(email, sizeof(email), k);
	post_user(&x, t,
	    reg_body(body, sizeof(body), email, "\"Good Mail\"",
		"\"correct-horse-1\""));
	ck_assert_msg(x.resp.status == 201,
	    "%s: \"%s\": status %ld, want "
	    "201: %.400s",
	    x.label, email, x.resp.status, x.resp.body);
	xchg_free(&x);
}
END_TEST

static Suite *
validation_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("validation");

	tc = tcase_create("fields");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, val_missing_all, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_missing_email_input_is_body, 0,
	    API_TARGETS);
	tcase_add_loop_test(tc, val_several_at_once, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_name_too_short, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_name_two_ok, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_name_one_code_point_short, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_name_100_code_points_ok, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_name_100_astral_ok, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_name_101_code_points_long, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_password_short, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_password_8_ok, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_password_7_chars_14_bytes_short, 0,
	    API_TARGETS);
	tcase_add_loop_test(tc, val_password_72_bytes_ok, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_password_73_bytes_refused, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_password_72_bytes_utf8_ok, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_password_74_bytes_utf8_refused, 0,
	    API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase_create("types_and_json");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, val_email_string_type, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_name_bool_string_type, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_password_null_string_type, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_name_object_string_type, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_body_array, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_body_string, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_json_trailing_comma, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_json_truncated, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_json_garbage, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_json_missing_colon, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_empty_body, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_invalid_utf8, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_overlong_utf8, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_lone_surrogate_not_500, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_nul_escape_in_name, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_nul_escape_in_password, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_raw_nul_byte, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_deep_nesting, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase_create("emails");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, val_bad_email, 0,
	    (int)(BAD_EMAILS * API_TARGETS));
	tcase_add_loop_test(tc, val_bad_email_ctx_reason, 0, API_TARGETS);
	tcase_add_loop_test(tc, val_good_email, 0,
	    (int)(GOOD__MAX * API_TARGETS));
	suite_add_tcase(s, tc);

	return s;
}

/* ------------------------------------------------------------------ */
/* Suite chunked: POST /api/users/ with Transfer-Encoding: chunked     */
/* ------------------------------------------------------------------ */

/*
 * No Content-Length, the body in chunks, through each server: lighttpd
 * and Apache collect the chunks and hand the worker a plain body, whose
 * answers must be those of a body sent in one piece.  Plain CGI has no
 * chunked framing (it gets 411, see test_http), so these loop over the
 * servers only.
 */

/* How long a server may take to pass on a request cut short, if at all. */
#define CUT_SETTLE_US 1000000

/* A request id unique to this run, process and call. */
static char *
fresh_rid(char *buf, size_t len, const char *tag)
{
	static unsigned seq;

	snprintf(buf, len, "chunked-%s-%ld-%u-%u", tag, (long)time(NULL),
	    (unsigned)getpid(), ++seq);
	return buf;
}

/* POST /api/users/ with "body" chunked, "chunk" bytes a chunk (0: any). */
static void
post_chunked(struct xchg *x, enum target t, const char *body, size_t len,
    size_t chunk, bool cut, const char *rid)
{
	char	       hrid[200];
	const char    *hdr[] = { hrid, NULL };
	struct api_req r = { .method = "POST",
		.path = "/api/users/",
		.body = body,
		.body_len = len,
		.headers = hdr,
		.chunked = true,
		.chunk_max = chunk,
		.cut_short = cut };

	snprintf(hrid, sizeof(hrid), "X-Request-ID: %s", rid);
	api_send(x, t, &r);
}

/* The address is free: a plain registration of it gets 201. */
static void
want_no_account(enum target t, const char *email, const char *why)
{
	struct xchg x;
	char	    body[1024];

	post_user(&x, t,
	    reg_body(body, sizeof(body), email, "\"Valid Name\"",
		"\"correct-horse-1\""));
	ck_assert_msg(x.resp.status == 201,
	    "%s: %s made an account for "
	    "%s: registering it again got %ld, want 201: %.300s",
	    target_name(t), why, email, x.resp.status, x.resp.body);
	xchg_free(&x);
}

/*
 * The worker never answered request "rid" with a 5xx: it logged no line
 * for it, or only lines with another status.  Returns how many it logged.
 */
static size_t
want_no_worker_5xx(enum target t, const char *rid)
{
	long   st[8];
	size_t n, i;

	n = worker_logged(t, rid, st, 8);
	for (i = 0; i < n && i < 8; i++)
		ck_assert_msg(st[i] < 500,
		    "%s: the worker answered request "
		    "%s with %ld",
		    target_name(t), rid, st[i]);
	return n;
}

/*
 * Register "email" with a chunked body of "chunk" bytes a chunk; the 201
 * User names that address and "name" (JSON text), the account logs in
 * with "password", and reading it back gives the same User.
 */
static void
chunked_register_and_use(enum target t, size_t chunk, const char *email,
    const char *name_json, const char *name)
{
	struct api_user	    u;
	struct xchg	    x;
	struct json_object *o;
	char		    body[1024], rid[128], path[64];

	reg_body(body, sizeof(body), email, name_json, "\"correct-horse-1\"");
	post_chunked(&x, t, body, strlen(body), chunk, false,
	    fresh_rid(rid, sizeof(rid), "reg"));
	want_status(&x, 201);
	want_api_json_headers(&x);
	o = want_user(&x);
	ck_assert_str_eq(json_str(o, "email", x.label), email);
	ck_assert_str_eq(json_str(o, "name", x.label), name);
	ck_assert_str_eq(json_str(o, "role", x.label), "user");
	memset(&u, 0, sizeof(u));
	u.id = json_int(o, "id", x.label);
	snprintf(u.email, sizeof(u.email), "%s", email);
	snprintf(u.password, sizeof(u.password), "correct-horse-1");
	snprintf(u.body, sizeof(u.body), "%s", x.resp.body);
	json_object_put(o);
	xchg_free(&x);
	/* The worker answered it, as one request with one line. */
	ck_assert_uint_eq(want_no_worker_5xx(t, rid), 1);

	api_login(t, &u);
	api_call(&x, t, "GET", user_path(path, sizeof(path), u.id, ""), u.token,
	    NULL);
	want_status(&x, 200);
	want_body(&x, u.body);
	xchg_free(&x);
}

/* The body as one chunk (as libcurl reads it). */
START_TEST(chunked_reg_201)
{
	char email[320];

	chunked_register_and_use(TGT, 0,
	    api_email(email, sizeof(email), "chunk"), "\"Chunked Ann\"",
	    "Chunked Ann");
}
END_TEST

/* One byte a chunk: every chunk boundary inside every token. */
START_TEST(chunked_reg_one_byte_chunks_201)
{
	char email[320];

	chunked_register_and_use(TGT, 1,
	    api_email(email, sizeof(email), "chunk1"), "\"One Byte\"",
	    "One Byte");
}
END_TEST

/* One byte a chunk through multi-byte UTF-8 and escapes: intact. */
START_TEST(chunked_reg_utf8_split_201)
{
	char email[320];

	chunked_register_and_use(TGT, 1,
	    api_email(email, sizeof(email), "chunku"),
	    "\"Zo\xc3\xab \xf0\x9f\x98\x80 \\u00e9\\\"q\\\"\"",
	    "Zo\xc3\xab \xf0\x9f\x98\x80 \xc3\xa9\"q\"");
}
END_TEST

/* Seven-byte chunks, so that chunk sizes are not all one digit. */
START_TEST(chunked_reg_seven_byte_chunks_201)
{
	char email[320];

	chunked_register_and_use(TGT, 7,
	    api_email(email, sizeof(email), "chunk7"), "\"Seven Bytes\"",
	    "Seven Bytes");
}
END_TEST

/*
 * Malformed JSON in one-byte chunks: 422 json_invalid at the offset
 * where json.loads stops, and nothing registered.
 */
START_TEST(chunked_json_invalid_422)
{
	struct xchg x;
	char	    body[1024], email[320], rid[128];
	size_t	    len;

	api_email(email, sizeof(email), "chunkbad");
	reg_body(body, sizeof(body), email, "\"Valid Name\"",
	    "\"correct-horse-1\"");
	/* A complete registration with a trailing comma before its "}". */
	len = strlen(body);
	body[len - 1] = ',';
	body[len] = '}';
	body[len + 1] = '\0';
	post_chunked(&x, TGT, body, len + 1, 1, false,
	    fresh_rid(rid, sizeof(rid), "bad"));
	want_json_invalid(&x, (long)len);
	want_api_json_headers(&x);
	xchg_free(&x);
	want_no_account(TGT, email, "a 422");
}
END_TEST

/* Not even JSON, in chunks: the same json_invalid at offset 0. */
START_TEST(chunked_json_garbage_422)
{
	struct xchg x;
	char	    rid[128];

	post_chunked(&x, TGT, "not json", 8, 3, false,
	    fresh_rid(rid, sizeof(rid), "garbage"));
	want_json_invalid(&x, 0);
	xchg_free(&x);
}
END_TEST

/*
 * A valid registration padded with spaces to "total" bytes, chunked in
 * 64 KiB chunks.  Returns the body (free() it).
 */
static char *
padded_body(const char *email, size_t total)
{
	char   head[1024], *body;
	size_t n;

	reg_body(head, sizeof(head), email, "\"Valid Name\"",
	    "\"correct-horse-1\"");
	n = strlen(head);
	ck_assert(total > n);
	ck_assert((body = malloc(total + 1)) != NULL);
	memcpy(body, head, n - 1); /* without its "}" */
	memset(body + n - 1, ' ', total - n);
	body[total - 1] = '}';
	body[total] = '\0';
	return body;
}

/*
 * One byte over MAX_BODY_BYTES, chunked: both servers pass it on, and
 * the worker answers 413 in JSON (its own log line says so) and
 * registers nothing.
 */
START_TEST(chunked_over_cap_413)
{
	struct xchg x;
	char	    email[320], rid[128], *body;
	long	    st[4];
	size_t	    len = api_settings()->max_body + 1;

	body = padded_body(api_email(email, sizeof(email), "chunkbig"), len);
	post_chunked(&x, TGT, body, len, 65536, false,
	    fresh_rid(rid, sizeof(rid), "big"));
	free(body);
	want_detail(&x, 413, "Request body too large");
	want_api_json_headers(&x);
	xchg_free(&x);
	ck_assert_msg(worker_logged(TGT, rid, st, 4) == 1 && st[0] == 413,
	    "%s: want one worker line with 413 for request %s",
	    target_name(TGT), rid);
	want_no_account(TGT, email, "a 413");
}
END_TEST

/* Exactly MAX_BODY_BYTES, chunked: within the cap, so registered. */
START_TEST(chunked_at_cap_201)
{
	struct xchg	    x;
	struct json_object *o;
	char		    email[320], rid[128], *body;
	size_t		    len = api_settings()->max_body;

	body = padded_body(api_email(email, sizeof(email), "chunkcap"), len);
	post_chunked(&x, TGT, body, len, 65536, false,
	    fresh_rid(rid, sizeof(rid), "cap"));
	free(body);
	want_status(&x, 201);
	o = want_user(&x);
	ck_assert_str_eq(json_str(o, "email", x.label), email);
	json_object_put(o);
	xchg_free(&x);
}
END_TEST

/*
 * A chunked stream cut short: the client sends "sent" bytes of a valid
 * registration in "chunk"-byte chunks and hangs up without the last
 * chunk.  Whatever the server does with it, no account is made and no
 * worker answers it with a 5xx.
 */
static void
chunked_cut(enum target t, size_t sent, size_t chunk, const char *tag)
{
	struct xchg x;
	char	    body[1024], email[320], rid[128];
	size_t	    len;

	api_email(email, sizeof(email), tag);
	reg_body(body, sizeof(body), email, "\"Valid Name\"",
	    "\"correct-horse-1\"");
	len = strlen(body);
	post_chunked(&x, t, body, sent < len ? sent : len, chunk, true,
	    fresh_rid(rid, sizeof(rid), tag));
	/* The request is not complete: no answer may say it succeeded. */
	ck_assert_msg(x.resp.status == 0 || x.resp.status >= 400,
	    "%s: a cut-short body got %ld: %.300s", x.label, x.resp.status,
	    x.resp.body);
	ck_assert_msg(x.resp.status < 500 ||
		worker_logged(t, rid, NULL, 0) == 0,
	    "%s: %ld from the worker", x.label, x.resp.status);
	xchg_free(&x);
	/* A worker that got it anyway would have answered by now. */
	usleep(CUT_SETTLE_US);
	want_no_worker_5xx(t, rid);
	want_no_account(t, email, "a cut-short chunked body");
}

/* Every byte of the JSON, but never the last chunk that ends the body. */
START_TEST(chunked_cut_before_last_chunk)
{
	chunked_cut(TGT, SIZE_MAX, 0, "chunkcut");
}
END_TEST

/* Half of the JSON in one-byte chunks, then the connection is gone. */
START_TEST(chunked_cut_mid_body)
{
	chunked_cut(TGT, 40, 1, "chunkhalf");
}
END_TEST

static Suite *
chunked_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("chunked");

	tc = tcase_create("register");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, chunked_reg_201, 0, TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, chunked_reg_one_byte_chunks_201, 0,
	    TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, chunked_reg_utf8_split_201, 0,
	    TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, chunked_reg_seven_byte_chunks_201, 0,
	    TARGET_SERVERS_MAX);
	suite_add_tcase(s, tc);

	tc = tcase_create("invalid");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, chunked_json_invalid_422, 0,
	    TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, chunked_json_garbage_422, 0,
	    TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, chunked_over_cap_413, 0, TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, chunked_at_cap_201, 0, TARGET_SERVERS_MAX);
	suite_add_tcase(s, tc);

	tc = tcase_create("cut_short");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, chunked_cut_before_last_chunk, 0,
	    TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, chunked_cut_mid_body, 0, TARGET_SERVERS_MAX);
	suite_add_tcase(s, tc);

	return s;
}

/* ------------------------------------------------------------------ */
/* Suite read: GET and HEAD /api/users/{user_id}, other methods        */
/* ------------------------------------------------------------------ */

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
	    entry(e, sizeof(e), "int_parsing", "[\"path\",\"user_id\"]",
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
	    entry(e, sizeof(e), "int_parsing", "[\"path\",\"user_id\"]",
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

/* ------------------------------------------------------------------ */
/* Suite list: GET /api/users/ over 45 users of this run                */
/* ------------------------------------------------------------------ */

/*
 * Made by the unchecked fixture in the runner, so every forked case
 * sees them: the 45 ids in ascending order, and a token to list with.
 */
static int64_t seed_ids[SEED_USERS];
static char    seed_token[2048];
static char    seed_err[1024];

/* One page as the API gave it. */
struct page {
	int64_t page, limit, total, pages;
	int64_t ids[100];
	size_t	n;
	long	x_total;
	char	first[128], last[128], prev[128], next[128];
	char	first_item_keys[128];
};

/* Register SEED_USERS users through lighttpd at once; no ck_assert here. */
static void
seed_setup(void)
{
	struct api_req	    r[SEED_USERS];
	char		    bodies_in[SEED_USERS][512], email[320];
	char		   *bodies[SEED_USERS], login[1024], qe[400];
	long		    st[SEED_USERS], lst;
	struct json_object *o, *v;
	size_t		    i, j;
	int64_t		    tmp;

	seed_err[0] = '\0';
	memset(r, 0, sizeof(r));
	for (i = 0; i < SEED_USERS; i++) {
		snprintf(bodies_in[i], sizeof(bodies_in[i]),
		    "{\"email\":%s,"
		    "\"name\":\"Page User %zu\",\"password\":"
		    "\"correct-horse-1\"}",
		    json_quote(qe, sizeof(qe),
			api_email(email, sizeof(email), "page")),
		    i);
		r[i].method = "POST";
		r[i].path = "/api/users/";
		r[i].body = bodies_in[i];
		if (i == 0)
			snprintf(login, sizeof(login),
			    "{\"email\":%s,"
			    "\"password\":\"correct-horse-1\"}",
			    qe);
	}
	if (api_parallel_try(TARGET_LIGHTTPD, r, SEED_USERS, st, bodies,
		seed_err, sizeof(seed_err)) != 0)
		return;
	for (i = 0; i < SEED_USERS; i++) {
		o = json_tokener_parse(bodies[i]);
		if (st[i] != 201 || o == NULL ||
		    !json_object_object_get_ex(o, "id", &v)) {
			if (seed_err[0] == '\0')
				snprintf(seed_err, sizeof(seed_err),
				    "seeding "
				    "user %zu: status %ld: %.300s",
				    i, st[i], bodies[i]);
		} else
			seed_ids[i] = json_object_get_int64(v);
		json_object_put(o);
		free(bodies[i]);
	}
	if (seed_err[0] != '\0')
		return;
	for (i = 1; i < SEED_USERS; i++)
		for (j = i; j > 0 && seed_ids[j - 1] > seed_ids[j]; j--) {
			tmp = seed_ids[j];
			seed_ids[j] = seed_ids[j - 1];
			seed_ids[j - 1] = tmp;
		}

	r[0].path = "/api/auth/login";
	r[0].body = login;
	if (api_parallel_try(TARGET_LIGHTTPD, r, 1, &lst, bodies, seed_err,
		sizeof(seed_err)) != 0)
		return;
	o = json_tokener_parse(bodies[0]);
	if (lst != 200 || o == NULL ||
	    !json_object_object_get_ex(o, "access_token", &v))
		snprintf(seed_err, sizeof(seed_err),
		    "seeding: login: status "
		    "%ld: %.300s",
		    lst, bodies[0]);
	else
		snprintf(seed_token, sizeof(seed_token), "%s",
		    json_object_get_string(v));
	json_object_put(o);
	free(bodies[0]);
}

static void
want_seeded(void)
{
	ck_assert_msg(seed_err[0] == '\0' && seed_token[0] != '\0',
	    "set-up of the %d list users failed: %s", SEED_USERS,
	    seed_err[0] != '\0' ? seed_err : "no token");
}

/* Split every Link header of "x" into the four relations of "p". */
static void
parse_links(const struct xchg *x, struct page *p)
{
	size_t	    h;
	const char *v, *lt, *gt, *rel, *q;
	char	   *dst;

	p->first[0] = p->last[0] = p->prev[0] = p->next[0] = '\0';
	for (h = 0; h < x->resp.nheaders; h++) {
		if (strcasecmp(x->resp.headers[h].name, "Link") != 0)
			continue;
		for (v = x->resp.headers[h].value;
		     (lt = strchr(v, '<')) != NULL; v = gt + 1) {
			ck_assert_msg((gt = strchr(lt, '>')) != NULL,
			    "%s: Link without '>': %s", x->label,
			    x->resp.headers[h].value);
			rel = strstr(gt, "rel=\"");
			ck_assert_msg(rel != NULL,
			    "%s: Link value without "
			    "rel=\"...\": %s",
			    x->label, x->resp.headers[h].value);
			rel += 5;
			q = strchr(rel, '"');
			ck_assert_msg(q != NULL, "%s: bad Link: %s", x->label,
			    x->resp.headers[h].value);
			if (strncmp(rel, "first\"", 6) == 0)
				dst = p->first;
			else if (strncmp(rel, "last\"", 5) == 0)
				dst = p->last;
			else if (strncmp(rel, "prev\"", 5) == 0)
				dst = p->prev;
			else if (strncmp(rel, "next\"", 5) == 0)
				dst = p->next;
			else
				continue;
			ck_assert_msg(dst[0] == '\0',
			    "%s: rel=\"%.*s\" twice "
			    "in Link",
			    x->label, (int)(q - rel), rel);
			snprintf(dst, 128, "%.*s", (int)(gt - lt - 1), lt + 1);
		}
	}
}

/* GET /api/users/<query> as "token" on "t"; 200 and the page, or fail. */
static void
list_get(enum target t, const char *token, const char *query, struct page *p)
{
	struct xchg	    x;
	struct json_object *o, *data, *meta, *it;
	char		    path[256];
	size_t		    i, k = 0;

	snprintf(path, sizeof(path), "/api/users/%s", query);
	api_call(&x, t, "GET", path, token, NULL);
	want_status(&x, 200);
	o = want_json(&x);
	ck_assert_msg(json_object_object_get_ex(o, "data", &data) &&
		json_object_is_type(data, json_type_array) &&
		json_object_object_get_ex(o, "meta", &meta) &&
		json_object_is_type(meta, json_type_object),
	    "%s: not a page "
	    "{\"data\": [...], \"meta\": {...}}: %.300s",
	    x.label, x.resp.body);
	memset(p, 0, sizeof(*p));
	p->page = json_int(meta, "page", x.label);
	p->limit = json_int(meta, "limit", x.label);
	p->total = json_int(meta, "total", x.label);
	p->pages = json_int(meta, "total_pages", x.label);
	p->n = json_object_array_length(data);
	ck_assert_msg(p->n <= 100, "%s: %zu items", x.label, p->n);
	for (i = 0; i < p->n; i++) {
		it = json_object_array_get_idx(data, i);
		p->ids[i] = json_int(it, "id", x.label);
		if (i == 0) {
			json_object_object_foreach(it, key, val)
			{
				(void)val;
				k += (size_t)snprintf(p->first_item_keys + k,
				    sizeof(p->first_item_keys) - k, "%s%s",
				    k > 0 ? "," : "", key);
				if (k >= sizeof(p->first_item_keys))
					break;
			}
		}
	}
	p->x_total = want_number_header(&x, "X-Total-Count");
	parse_links(&x, p);
	json_object_put(o);
	xchg_free(&x);
}

static int64_t
ceil_div(int64_t a, int64_t b)
{
	return a / b + (a % b != 0);
}

/* Every id, in the API's order, paging with limit 100. */
static int64_t *
list_all(enum target t, size_t *n, int64_t *total)
{
	struct page p;
	int64_t	   *ids = NULL, pg;
	char	    q[64];

	*n = 0;
	for (pg = 1;; pg++) {
		snprintf(q, sizeof(q), "?page=%lld&limit=100", (long long)pg);
		list_get(t, seed_token, q, &p);
		if (pg == 1)
			*total = p.total;
		ck_assert_msg(p.total == *total,
		    "the total changed while "
		    "paging: %lld then %lld",
		    (long long)*total, (long long)p.total);
		if (p.n == 0)
			break;
		ids = realloc(ids, (*n + p.n) * sizeof(*ids));
		ck_assert(ids != NULL);
		memcpy(ids + *n, p.ids, p.n * sizeof(*ids));
		*n += p.n;
		if (pg >= p.pages)
			break;
	}
	return ids;
}

static void
want_link(const char *got, const char *rel, int64_t page, int64_t limit,
    const char *label)
{
	char want[128];

	snprintf(want, sizeof(want), "/api/users/?page=%lld&limit=%lld",
	    (long long)page, (long long)limit);
	ck_assert_msg(strcmp(got, want) == 0,
	    "%s: Link rel=\"%s\" <%s>, "
	    "want <%s>",
	    label, rel, got, want);
}

START_TEST(list_default_meta)
{
	struct page p;

	want_seeded();
	list_get(TGT, seed_token, "", &p);
	ck_assert_int_eq(p.page, 1);
	ck_assert_int_eq(p.limit, 20);
	ck_assert_msg(p.total >= SEED_USERS, "total %lld < %d",
	    (long long)p.total, SEED_USERS);
	ck_assert_int_eq(p.pages, ceil_div(p.total, 20));
}
END_TEST

START_TEST(list_no_slash_200)
{
	struct xchg x;

	want_seeded();
	api_call(&x, TGT, "GET", "/api/users", seed_token, NULL);
	want_status(&x, 200);
	xchg_free(&x);
}
END_TEST

START_TEST(list_total_pages_limit_7)
{
	struct page p;

	want_seeded();
	list_get(TGT, seed_token, "?page=1&limit=7", &p);
	ck_assert_int_eq(p.limit, 7);
	ck_assert_int_eq(p.pages, ceil_div(p.total, 7));
	ck_assert_uint_eq(p.n, 7);
}
END_TEST

START_TEST(list_first_page_full)
{
	struct page p;

	want_seeded();
	list_get(TGT, seed_token, "?page=1&limit=20", &p);
	ck_assert_uint_eq(p.n, 20);
}
END_TEST

START_TEST(list_last_page_remainder)
{
	struct page p;
	char	    q[64];
	int64_t	    total, pages;

	want_seeded();
	list_get(TGT, seed_token, "?limit=20", &p);
	total = p.total;
	pages = p.pages;
	snprintf(q, sizeof(q), "?page=%lld&limit=20", (long long)pages);
	list_get(TGT, seed_token, q, &p);
	ck_assert_int_eq(p.total, total);
	ck_assert_int_eq((int64_t)p.n, total - 20 * (pages - 1));
}
END_TEST

START_TEST(list_past_end_empty)
{
	struct xchg x;
	struct page p;
	char	    path[96];

	want_seeded();
	list_get(TGT, seed_token, "?limit=20", &p);
	snprintf(path, sizeof(path), "/api/users/?page=%lld&limit=20",
	    (long long)p.pages + 1);
	api_call(&x, TGT, "GET", path, seed_token, NULL);
	want_status(&x, 200);
	ck_assert_msg(strncmp(x.resp.body, "{\"data\":[],\"meta\":", 18) == 0,
	    "%s: want {\"data\":[],\"meta\":...}: %.300s", x.label,
	    x.resp.body);
	xchg_free(&x);
}
END_TEST

START_TEST(list_past_end_meta)
{
	struct page p, q;
	char	    query[64];

	want_seeded();
	list_get(TGT, seed_token, "?limit=20", &p);
	snprintf(query, sizeof(query), "?page=%lld&limit=20",
	    (long long)p.pages + 1);
	list_get(TGT, seed_token, query, &q);
	ck_assert_int_eq(q.page, p.pages + 1);
	ck_assert_int_eq(q.total, p.total);
	ck_assert_int_eq(q.pages, p.pages);
}
END_TEST

/* Every page joined: ascending ids, "total" of them, ours among them. */
START_TEST(list_ordered_by_id)
{
	int64_t *ids, total;
	size_t	 n, i, k = 0;

	want_seeded();
	ids = list_all(TGT, &n, &total);
	ck_assert_int_eq((int64_t)n, total);
	for (i = 1; i < n; i++)
		ck_assert_msg(ids[i - 1] < ids[i],
		    "ids not ascending at %zu: "
		    "%lld then %lld",
		    i, (long long)ids[i - 1], (long long)ids[i]);
	for (i = 0; i < n && k < SEED_USERS; i++)
		if (ids[i] == seed_ids[k])
			k++;
	ck_assert_msg(k == SEED_USERS,
	    "only %zu of the %d users made for "
	    "this case were listed",
	    k, SEED_USERS);
	free(ids);
}
END_TEST

/* Our users sit on the page their position says, at the index it says. */
START_TEST(list_positions_of_ours)
{
	static const size_t pick[] = { 0, 9, 10, 22, SEED_USERS - 1 };
	struct page	    p;
	int64_t		   *ids, total;
	size_t		    n, i, k, pos;
	char		    q[64];

	want_seeded();
	ids = list_all(TGT, &n, &total);
	for (k = 0; k < sizeof(pick) / sizeof(pick[0]); k++) {
		for (pos = 0; pos < n && ids[pos] != seed_ids[pick[k]]; pos++)
			continue;
		ck_assert_msg(pos < n, "user %lld not listed",
		    (long long)seed_ids[pick[k]]);
		snprintf(q, sizeof(q), "?page=%zu&limit=10", pos / 10 + 1);
		list_get(TGT, seed_token, q, &p);
		i = pos % 10;
		ck_assert_msg(i < p.n && p.ids[i] == seed_ids[pick[k]],
		    "%s: user %lld (position %zu) is not item %zu", q,
		    (long long)seed_ids[pick[k]], pos, i);
	}
	free(ids);
}
END_TEST

/* Page 2 at limit 20 is items 20..39 of the whole list. */
START_TEST(list_page_2_slice)
{
	struct page p;
	int64_t	   *ids, total;
	size_t	    n, i;

	want_seeded();
	ids = list_all(TGT, &n, &total);
	list_get(TGT, seed_token, "?page=2&limit=20", &p);
	ck_assert_uint_eq(p.n, 20);
	for (i = 0; i < 20; i++)
		ck_assert_msg(p.ids[i] == ids[20 + i],
		    "page 2 item %zu: id "
		    "%lld, want %lld",
		    i, (long long)p.ids[i], (long long)ids[20 + i]);
	free(ids);
}
END_TEST

START_TEST(list_items_are_users)
{
	struct page p;

	want_seeded();
	list_get(TGT, seed_token, "?limit=5", &p);
	ck_assert_str_eq(p.first_item_keys,
	    "id,email,name,role,created_at,updated_at");
}
END_TEST

START_TEST(list_x_total_count)
{
	struct page p;

	want_seeded();
	list_get(TGT, seed_token, "?page=2&limit=20", &p);
	ck_assert_int_eq(p.x_total, p.total);
}
END_TEST

START_TEST(list_headers)
{
	struct xchg x;

	want_seeded();
	api_call(&x, TGT, "GET", "/api/users/", seed_token, NULL);
	want_status(&x, 200);
	want_api_json_headers(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(list_links_first_page)
{
	struct page p;

	want_seeded();
	list_get(TGT, seed_token, "?page=1&limit=20", &p);
	want_link(p.first, "first", 1, 20, "page 1");
	want_link(p.last, "last", p.pages, 20, "page 1");
	want_link(p.next, "next", 2, 20, "page 1");
	ck_assert_msg(p.prev[0] == '\0', "page 1 has rel=\"prev\" <%s>",
	    p.prev);
}
END_TEST

START_TEST(list_links_middle_page)
{
	struct page p;

	want_seeded();
	list_get(TGT, seed_token, "?page=2&limit=20", &p);
	ck_assert_msg(p.pages >= 3, "%lld pages", (long long)p.pages);
	want_link(p.first, "first", 1, 20, "page 2");
	want_link(p.last, "last", p.pages, 20, "page 2");
	want_link(p.prev, "prev", 1, 20, "page 2");
	want_link(p.next, "next", 3, 20, "page 2");
}
END_TEST

START_TEST(list_links_last_page)
{
	struct page p;
	char	    q[64];
	int64_t	    pages;

	want_seeded();
	list_get(TGT, seed_token, "?limit=20", &p);
	pages = p.pages;
	snprintf(q, sizeof(q), "?page=%lld&limit=20", (long long)pages);
	list_get(TGT, seed_token, q, &p);
	want_link(p.first, "first", 1, 20, "last page");
	want_link(p.last, "last", pages, 20, "last page");
	want_link(p.prev, "prev", pages - 1, 20, "last page");
	ck_assert_msg(p.next[0] == '\0',
	    "the last page has rel=\"next\" "
	    "<%s>",
	    p.next);
}
END_TEST

/* The exact header text of the example in API.md. */
START_TEST(list_link_next_exact_text)
{
	struct xchg x;
	const char *v;

	want_seeded();
	api_call(&x, TGT, "GET", "/api/users/?page=1&limit=20", seed_token,
	    NULL);
	want_status(&x, 200);
	v = http_header(&x.resp, "Link");
	ck_assert_msg(v != NULL &&
		strstr(v, "</api/users/?page=2&limit=20>; rel=\"next\"") !=
		    NULL,
	    "%s: Link \"%s\" lacks </api/users/?page=2&limit=20>; "
	    "rel=\"next\"",
	    x.label, v != NULL ? v : "(none)");
	xchg_free(&x);
}
END_TEST

/* Only "page" given: the links carry the default limit. */
START_TEST(list_links_default_limit)
{
	struct page p;

	want_seeded();
	list_get(TGT, seed_token, "?page=2", &p);
	ck_assert_int_eq(p.limit, 20);
	want_link(p.prev, "prev", 1, 20, "?page=2");
	want_link(p.next, "next", 3, 20, "?page=2");
}
END_TEST

START_TEST(list_limit_100_ok)
{
	struct page p;

	want_seeded();
	list_get(TGT, seed_token, "?limit=100", &p);
	ck_assert_int_eq(p.limit, 100);
	ck_assert_uint_eq(p.n, (size_t)(p.total < 100 ? p.total : 100));
}
END_TEST

START_TEST(list_limit_1_ok)
{
	struct page p;

	want_seeded();
	list_get(TGT, seed_token, "?limit=1", &p);
	ck_assert_int_eq(p.limit, 1);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_int_eq(p.pages, p.total);
}
END_TEST

static void
list_422(enum target t, const char *query, const char *e1, const char *e2)
{
	struct xchg x;
	char	    path[128];

	want_seeded();
	snprintf(path, sizeof(path), "/api/users/%s", query);
	api_call(&x, t, "GET", path, seed_token, NULL);
	want_422_exact(&x, e1, e2);
	xchg_free(&x);
}

START_TEST(list_page_0_422)
{
	char e[512];

	list_422(TGT, "?page=0",
	    entry(e, sizeof(e), "greater_than_equal", "[\"query\",\"page\"]",
		MSG_GE1, "\"0\"", "{\"ge\":1}"),
	    NULL);
}
END_TEST

START_TEST(list_page_negative_422)
{
	char e[512];

	list_422(TGT, "?page=-1",
	    entry(e, sizeof(e), "greater_than_equal", "[\"query\",\"page\"]",
		MSG_GE1, "\"-1\"", "{\"ge\":1}"),
	    NULL);
}
END_TEST

START_TEST(list_limit_101_422)
{
	char e[512];

	list_422(TGT, "?limit=101",
	    entry(e, sizeof(e), "less_than_equal", "[\"query\",\"limit\"]",
		MSG_LE100, "\"101\"", "{\"le\":100}"),
	    NULL);
}
END_TEST

START_TEST(list_limit_0_422)
{
	char e[512];

	list_422(TGT, "?limit=0",
	    entry(e, sizeof(e), "greater_than_equal", "[\"query\",\"limit\"]",
		MSG_GE1, "\"0\"", "{\"ge\":1}"),
	    NULL);
}
END_TEST

START_TEST(list_page_abc_422)
{
	char e[512];

	list_422(TGT, "?page=abc",
	    entry(e, sizeof(e), "int_parsing", "[\"query\",\"page\"]",
		MSG_INT_PARSE, "\"abc\"", NULL),
	    NULL);
}
END_TEST

START_TEST(list_limit_abc_422)
{
	char e[512];

	list_422(TGT, "?limit=2x",
	    entry(e, sizeof(e), "int_parsing", "[\"query\",\"limit\"]",
		MSG_INT_PARSE, "\"2x\"", NULL),
	    NULL);
}
END_TEST

START_TEST(list_both_bad_422)
{
	char e1[512], e2[512];

	list_422(TGT, "?page=0&limit=101",
	    entry(e1, sizeof(e1), "greater_than_equal", "[\"query\",\"page\"]",
		MSG_GE1, "\"0\"", "{\"ge\":1}"),
	    entry(e2, sizeof(e2), "less_than_equal", "[\"query\",\"limit\"]",
		MSG_LE100, "\"101\"", "{\"le\":100}"));
}
END_TEST

START_TEST(list_no_token_401)
{
	struct xchg x;

	api_call(&x, TGT, "GET", "/api/users/", NULL, NULL);
	want_401(&x, "Not authenticated");
	xchg_free(&x);
}
END_TEST

static Suite *
list_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("list");

	tc = tcase_create("pagination");
	tcase_set_timeout(tc, 180);
	tcase_add_unchecked_fixture(tc, seed_setup, NULL);
	tcase_add_loop_test(tc, list_default_meta, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_no_slash_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_total_pages_limit_7, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_first_page_full, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_last_page_remainder, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_past_end_empty, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_past_end_meta, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_ordered_by_id, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_positions_of_ours, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_page_2_slice, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_items_are_users, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_x_total_count, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_headers, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_links_first_page, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_links_middle_page, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_links_last_page, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_link_next_exact_text, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_links_default_limit, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_limit_100_ok, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_limit_1_ok, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_page_0_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_page_negative_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_limit_101_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_limit_0_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_page_abc_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_limit_abc_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_both_bad_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_no_token_401, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	return s;
}

/* ------------------------------------------------------------------ */
/* Suite patch: PATCH /api/users/{user_id}                              */
/* ------------------------------------------------------------------ */

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
	get_field(TGT, b.token, a.id, "name", name, sizeof(name));
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
	get_field(TGT, a.token, a.id, "role", role, sizeof(role));
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
	    entry(e, sizeof(e), "string_too_short", "[\"body\",\"name\"]",
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
	    entry(e, sizeof(e), "string_type", "[\"body\",\"name\"]",
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
	    entry(e, sizeof(e), "int_parsing", "[\"path\",\"user_id\"]",
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
	get_field(TGT, adm.token, adm.id, "role", role, sizeof(role));
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

/* ------------------------------------------------------------------ */
/* Suite delete: DELETE /api/users/{user_id}                            */
/* ------------------------------------------------------------------ */

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
	get_field(TGT, b.token, a.id, "name", name, sizeof(name));
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
	    entry(e, sizeof(e), "int_parsing", "[\"path\",\"user_id\"]",
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

/* ------------------------------------------------------------------ */
/* Suite concurrency: one address registered many times at once         */
/* ------------------------------------------------------------------ */

#define RACERS 16

/*
 * RACERS registrations at once; "vary_case" spells the address in
 * different cases.  Exactly one 201, every other one a 409, no 5xx.
 */
static void
race(enum target t, bool vary_case)
{
	struct api_req r[RACERS];
	char	       bodies_in[RACERS][512], email[320], v[320], qe[400];
	char	      *bodies[RACERS];
	long	       st[RACERS];
	size_t	       i, j, created = 0, conflicts = 0;

	api_email(email, sizeof(email), "race");
	memset(r, 0, sizeof(r));
	for (i = 0; i < RACERS; i++) {
		snprintf(v, sizeof(v), "%s", email);
		for (j = 0; vary_case && v[j] != '\0'; j++)
			if ((i >> (j % 4)) & 1)
				v[j] = (char)toupper((unsigned char)v[j]);
		snprintf(bodies_in[i], sizeof(bodies_in[i]),
		    "{\"email\":%s,"
		    "\"name\":\"Racer %zu\",\"password\":\"correct-horse-1\"}",
		    json_quote(qe, sizeof(qe), v), i);
		r[i].method = "POST";
		r[i].path = "/api/users/";
		r[i].body = bodies_in[i];
	}
	api_parallel(t, r, RACERS, st, bodies);
	for (i = 0; i < RACERS; i++) {
		ck_assert_msg(st[i] == 201 || st[i] == 409,
		    "%s: racer %zu: "
		    "status %ld, want 201 or 409: %.300s",
		    target_name(t), i, st[i], bodies[i]);
		if (st[i] == 201)
			created++;
		else {
			ck_assert_msg(
			    strcmp(bodies[i],
				"{\"detail\":\"Email already registered\"}") ==
				0,
			    "%s: racer %zu: 409 body %.300s", target_name(t), i,
			    bodies[i]);
			conflicts++;
		}
	}
	for (i = 0; i < RACERS; i++)
		free(bodies[i]);
	ck_assert_msg(created == 1,
	    "%s: %zu registrations of one address "
	    "at once: %zu were 201, want exactly 1",
	    target_name(t), (size_t)RACERS, created);
	ck_assert_uint_eq(conflicts, RACERS - 1);
}

START_TEST(race_same_email)
{
	race(TGT, false);
}
END_TEST

START_TEST(race_same_email_other_cases)
{
	race(TGT, true);
}
END_TEST

static Suite *
concurrency_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("concurrency");

	tc = tcase_create("register_race");
	tcase_set_timeout(tc, 240);
	tcase_add_loop_test(tc, race_same_email, 0, API_TARGETS);
	tcase_add_loop_test(tc, race_same_email_other_cases, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	return s;
}

/* ------------------------------------------------------------------ */
/* Suite db_outage: 503 while PostgreSQL is stopped                     */
/* ------------------------------------------------------------------ */

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

/* ------------------------------------------------------------------ */
/* Suite cgi_parity: users.fcgi as plain CGI answers as the servers do  */
/* ------------------------------------------------------------------ */

/*
 * "a" and "b" have the same shape: the same JSON types, objects with the
 * same keys in the same order, arrays of the same length.
 */
static bool
same_shape(struct json_object *a, struct json_object *b)
{
	struct json_object_iterator ia, ea, ib, eb;
	size_t			    i;

	if (json_object_get_type(a) != json_object_get_type(b))
		return false;
	if (json_object_is_type(a, json_type_array)) {
		if (json_object_array_length(a) != json_object_array_length(b))
			return false;
		for (i = 0; i < json_object_array_length(a); i++)
			if (!same_shape(json_object_array_get_idx(a, i),
				json_object_array_get_idx(b, i)))
				return false;
		return true;
	}
	if (!json_object_is_type(a, json_type_object))
		return true;
	ia = json_object_iter_begin(a);
	ea = json_object_iter_end(a);
	ib = json_object_iter_begin(b);
	eb = json_object_iter_end(b);
	while (!json_object_iter_equal(&ia, &ea) &&
	    !json_object_iter_equal(&ib, &eb)) {
		if (strcmp(json_object_iter_peek_name(&ia),
			json_object_iter_peek_name(&ib)) != 0 ||
		    !same_shape(json_object_iter_peek_value(&ia),
			json_object_iter_peek_value(&ib)))
			return false;
		json_object_iter_next(&ia);
		json_object_iter_next(&ib);
	}
	return json_object_iter_equal(&ia, &ea) &&
	    json_object_iter_equal(&ib, &eb);
}

enum parity_row {
	PAR_REGISTER,	/* 201 User: same shape */
	PAR_DUPLICATE,	/* 409: same bytes */
	PAR_VALIDATION, /* 422: same bytes */
	PAR_MALFORMED,	/* 422 json_invalid: same bytes */
	PAR_GET,	/* 200 User: same bytes */
	PAR_GET_404,	/* same bytes */
	PAR_GET_ABC,	/* 422 int_parsing: same bytes */
	PAR_NO_TOKEN,	/* 401: same bytes */
	PAR_LIST_BAD,	/* 422 query: same bytes */
	PAR__MAX
};

/* Iteration _i: row _i / 2 against server _i % 2, and the same as CGI. */
START_TEST(cgi_same_as_server)
{
	enum parity_row	    row = (enum parity_row)(_i / TARGET_SERVERS_MAX);
	enum target	    srv = (enum target)(_i % TARGET_SERVERS_MAX);
	struct api_user	    u;
	struct xchg	    s, c;
	struct json_object *js, *jc;
	char		    body[1024], dup[1024], path[64];
	bool		    exact = true, same;

	api_user_new(srv, &u, "parity", false);
	valid_body(dup, sizeof(dup), "pardup");
	switch (row) {
	case PAR_REGISTER:
		exact = false;
		post_user(&s, srv, valid_body(body, sizeof(body), "par"));
		post_user(&c, TARGET_CGI,
		    valid_body(body, sizeof(body), "par"));
		break;
	case PAR_DUPLICATE:
		post_user(&s, srv, dup);
		xchg_free(&s);
		post_user(&s, srv, dup);
		post_user(&c, TARGET_CGI, dup);
		break;
	case PAR_VALIDATION:
		post_user(&s, srv, "{\"name\":\"A\",\"password\":\"short\"}");
		post_user(&c, TARGET_CGI,
		    "{\"name\":\"A\",\"password\":\"short\"}");
		break;
	case PAR_MALFORMED:
		post_user(&s, srv, "{\"a\":1,}");
		post_user(&c, TARGET_CGI, "{\"a\":1,}");
		break;
	case PAR_GET:
		user_path(path, sizeof(path), u.id, "");
		api_call(&s, srv, "GET", path, u.token, NULL);
		api_call(&c, TARGET_CGI, "GET", path, u.token, NULL);
		break;
	case PAR_GET_404:
		api_call(&s, srv, "GET", "/api/users/" NO_USER_ID, u.token,
		    NULL);
		api_call(&c, TARGET_CGI, "GET", "/api/users/" NO_USER_ID,
		    u.token, NULL);
		break;
	case PAR_GET_ABC:
		api_call(&s, srv, "GET", "/api/users/abc", u.token, NULL);
		api_call(&c, TARGET_CGI, "GET", "/api/users/abc", u.token,
		    NULL);
		break;
	case PAR_NO_TOKEN:
		api_call(&s, srv, "GET", "/api/users/", NULL, NULL);
		api_call(&c, TARGET_CGI, "GET", "/api/users/", NULL, NULL);
		break;
	case PAR_LIST_BAD:
		api_call(&s, srv, "GET", "/api/users/?page=0&limit=abc",
		    u.token, NULL);
		api_call(&c, TARGET_CGI, "GET", "/api/users/?page=0&limit=abc",
		    u.token, NULL);
		break;
	case PAR__MAX:
		ck_abort();
	}
	ck_assert_msg(c.resp.status == s.resp.status,
	    "%s: status %ld, %s "
	    "gave %ld",
	    c.label, c.resp.status, target_name(srv), s.resp.status);
	if (exact)
		ck_assert_msg(c.resp.body_len == s.resp.body_len &&
			memcmp(c.resp.body, s.resp.body, c.resp.body_len) == 0,
		    "%s: body %.400s, %s gave %.400s", c.label, c.resp.body,
		    target_name(srv), s.resp.body);
	js = want_json(&s);
	jc = want_json(&c);
	same = same_shape(js, jc);
	json_object_put(js);
	json_object_put(jc);
	ck_assert_msg(same,
	    "%s: body %.400s has another shape than %s's "
	    "%.400s",
	    c.label, c.resp.body, target_name(srv), s.resp.body);
	want_api_json_headers(&c);
	xchg_free(&s);
	xchg_free(&c);
}
END_TEST

static Suite *
cgi_parity_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("cgi_parity");

	tc = tcase_create("same_answers");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, cgi_same_as_server, 0,
	    (int)(PAR__MAX * TARGET_SERVERS_MAX));
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
	sr = srunner_create(register_suite());
	srunner_add_suite(sr, validation_suite());
	srunner_add_suite(sr, chunked_suite());
	srunner_add_suite(sr, read_suite());
	srunner_add_suite(sr, list_suite());
	srunner_add_suite(sr, patch_suite());
	srunner_add_suite(sr, delete_suite());
	srunner_add_suite(sr, concurrency_suite());
	srunner_add_suite(sr, cgi_parity_suite());
	srunner_add_suite(sr, outage_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	api_cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
