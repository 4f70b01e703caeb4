/*
 * test_users_validation.c -- POST /api/users/ refused with 422, as
 * FastAPI and Pydantic word it (the UserCreate rules of API.md,
 * "Request bodies"): missing fields, names and passwords at and past
 * their limits in characters and bytes, wrong JSON types, a body that is
 * not an object, malformed JSON (json_invalid at the offset json.loads
 * stops), an empty body, bytes that are not UTF-8, NULs, deep nesting,
 * and the email addresses refused (with their ctx "reason") and
 * accepted.
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
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include "api_helpers.h"
#include "http.h"
#include "stack.h"

#define TGT ((enum target)_i)

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

START_TEST(val_missing_all)
{
	struct xchg x;
	char	    want[2048], e1[256], e2[256], e3[256];

	post_user(&x, TGT, "{}");
	entry_json(e1, sizeof(e1), "missing", "[\"body\",\"email\"]",
	    MSG_MISSING, "{}", NULL);
	entry_json(e2, sizeof(e2), "missing", "[\"body\",\"name\"]",
	    MSG_MISSING, "{}", NULL);
	entry_json(e3, sizeof(e3), "missing", "[\"body\",\"password\"]",
	    MSG_MISSING, "{}", NULL);
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
	    entry_json(e, sizeof(e), "missing", "[\"body\",\"email\"]",
		MSG_MISSING, "{\"name\":\"Al\",\"password\":\"longenough\"}",
		NULL),
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
	entry_json(e1, sizeof(e1), "missing", "[\"body\",\"email\"]",
	    MSG_MISSING, "{\"name\":\"A\"}", NULL);
	entry_json(e2, sizeof(e2), "string_too_short", "[\"body\",\"name\"]",
	    "String should have at least 2 characters", "\"A\"",
	    "{\"min_length\":2}");
	entry_json(e3, sizeof(e3), "missing", "[\"body\",\"password\"]",
	    MSG_MISSING, "{\"name\":\"A\"}", NULL);
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
	    entry_json(e, sizeof(e), "string_too_short", "[\"body\",\"name\"]",
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
	    entry_json(e, sizeof(e), "string_too_long", "[\"body\",\"name\"]",
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
	    entry_json(e, sizeof(e), "string_too_short",
		"[\"body\",\"password\"]",
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
	    entry_json(e, sizeof(e), "string_type", "[\"body\",\"email\"]",
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
	    entry_json(e, sizeof(e), "string_type", "[\"body\",\"name\"]",
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
	    entry_json(e, sizeof(e), "string_type", "[\"body\",\"password\"]",
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
	    entry_json(e, sizeof(e), "string_type", "[\"body\",\"name\"]",
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
	    entry_json(e, sizeof(e), "model_attributes_type", "[\"body\"]",
		MSG_DICT, "[1,2]", NULL),
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
	    entry_json(e, sizeof(e), "model_attributes_type", "[\"body\"]",
		MSG_DICT, "\"just text\"", NULL),
	    NULL);
	xchg_free(&x);
}
END_TEST

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

int
main(void)
{
	return api_run_suite(validation_suite);
}
