/*
 * test_validate.c -- request bodies, forms and parameters checked
 * against the field tables, with the 422 problems in Pydantic v2's
 * shape compared byte for byte.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include "userapi/schemas.h"
#include "userapi/validate.h"
#include "schemas-private.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define NO_HAS ((size_t)-1)

/* Expected problems, built the way Pydantic words them. */
#define LOC(f) "\"loc\":[\"body\",\"" f "\"]"
#define MISSING(f, in) \
	"{\"type\":\"missing\"," LOC(f) ",\"msg\":" \
					"\"Field required\",\"input\":" in "}"
#define STRTYPE(f, in) \
	"{\"type\":\"string_type\"," LOC( \
	    f) ",\"msg\":" \
	       "\"Input should be a valid string\",\"input\":" in "}"
#define SHORT(f, in, n) \
	"{\"type\":\"string_too_short\"," LOC( \
	    f) ",\"msg\":\"String should have at least " #n \
	       " characters\",\"input\":" in ",\"ctx\":" \
	       "{\"min_length\":" #n "}}"
#define LONG(f, in, n) \
	"{\"type\":\"string_too_long\"," LOC( \
	    f) ",\"msg\":\"String should have at most " #n \
	       " characters\",\"input\":" in ",\"ctx\":" \
	       "{\"max_length\":" #n "}}"
#define VALERR(f, in, e) \
	"{\"type\":\"value_error\"," LOC(f) ",\"msg\":" \
					    "\"Value error, " e \
					    "\",\"input\":" in ",\"ctx\":" \
					    "{\"error\":\"" e "\"}}"
#define NUL_ERR(f, in) VALERR(f, in, "must not contain NUL characters")
#define EMAILERR(f, in, r) \
	"{\"type\":\"value_error\"," LOC( \
	    f) ",\"msg\":" \
	       "\"value is not a valid email address: " r "\"," \
	       "\"input\":" in ",\"ctx\":{\"reason\":\"" r "\"}}"
#define ENUMERR(in) \
	"{\"type\":\"enum\"," LOC( \
	    "role") ",\"msg\":" \
		    "\"Input should be 'admin' or 'user'\",\"input\":" in \
		    ",\"ctx\":{\"expected\":\"'admin' or 'user'\"}}"
#define BODY_MISSING \
	"[{\"type\":\"missing\",\"loc\":[\"body\"]," \
	"\"msg\":\"Field required\",\"input\":null}]"
#define NOT_OBJECT(in) \
	"[{\"type\":\"model_attributes_type\",\"loc\":" \
	"[\"body\"],\"msg\":\"Input should be a valid " \
	"dictionary or object to extract fields from\"," \
	"\"input\":" in "}]"
#define JSON_INVALID(pos, e) \
	"[{\"type\":\"json_invalid\",\"loc\":" \
	"[\"body\"," #pos "],\"msg\":\"JSON decode error\"," \
	"\"input\":{},\"ctx\":{\"error\":\"" e "\"}}]"

/* The list in "errs" as compact JSON; "errs" is emptied.  Caller frees. */
static char *
take(struct ua_verrs *errs)
{
	struct json_object *o = ua_verrs_to_json(errs), *d = NULL;
	char		   *s;

	ck_assert(json_object_object_get_ex(o, "detail", &d));
	s = strdup(json_object_to_json_string_ext(d,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

/*
 * Parse "len" bytes of "body" against "sc" into "out": the problems
 * found ("[]" for none), after checking the return value agrees.
 */
static char *
parse(const struct ua_schema *sc, const char *body, size_t len, void *out)
{
	struct ua_verrs errs;
	enum ua_err	er;
	char	       *s;

	ua_verrs_init(&errs);
	er = ua_schema_parse(sc, body, len, out, sc->size, &errs);
	ck_assert_int_eq(er, ua_verrs_empty(&errs) ? UA_OK : UA_ERR_INVALID);
	s = take(&errs);
	ua_verrs_cleanup(&errs);
	return s;
}

/* A literal body, embedded NULs and raw bytes included. */
#define PARSE(sc, lit, out) parse((sc), (lit), sizeof(lit) - 1, (out))

#define CK_PROBLEMS(got, want) \
	do { \
		char *got_ = (got); \
		ck_assert_str_eq(got_, (want)); \
		free(got_); \
	} while (0)

/* A schema exercising what the API's own tables do not. */
struct sample {
	char text[8]; /* no limit but its buffer */
	bool has_opt;
	char opt[16]; /* optional, not nullable */
	char one[8];  /* exactly one character */
};

static const struct ua_field sample_fields[] = {
	{ .name = "text",
	    .type = UA_F_STRING,
	    .off = offsetof(struct sample, text),
	    .size = sizeof(((struct sample *)0)->text),
	    .has_off = NO_HAS,
	    .description = "bounded by its buffer" },
	{ .name = "opt",
	    .type = UA_F_STRING,
	    .off = offsetof(struct sample, opt),
	    .size = sizeof(((struct sample *)0)->opt),
	    .has_off = offsetof(struct sample, has_opt),
	    .description = "optional, not nullable" },
	{ .name = "one",
	    .type = UA_F_STRING,
	    .min_len = 1,
	    .max_len = 1,
	    .off = offsetof(struct sample, one),
	    .size = sizeof(((struct sample *)0)->one),
	    .has_off = NO_HAS,
	    .description = "one character" },
};

static const struct ua_schema sample_schema = { "Sample", sample_fields,
	NELEM(sample_fields), sizeof(struct sample) };

/* ---- ua_verrs ---- */

START_TEST(verrs_start_empty)
{
	struct ua_verrs errs;

	ua_verrs_init(&errs);
	ck_assert(ua_verrs_empty(&errs));
	CK_PROBLEMS(take(&errs), "[]");
	ua_verrs_cleanup(&errs);
	ua_verrs_cleanup(&errs);
}
END_TEST

START_TEST(verrs_keys_in_pydantic_order)
{
	struct ua_verrs	    errs;
	struct json_object *ctx = json_object_new_object();

	json_object_object_add(ctx, "ge", json_object_new_int(1));
	ua_verrs_init(&errs);
	ua_verrs_add(&errs, "greater_than_equal", ua_loc("query", "page"),
	    "Input should be greater than or equal to 1",
	    json_object_new_string("0"), ctx);
	ua_verrs_add(&errs, "missing", ua_loc("body", NULL), "Field required",
	    NULL, NULL);
	ck_assert(!ua_verrs_empty(&errs));
	CK_PROBLEMS(take(&errs),
	    "[{\"type\":\"greater_than_equal\","
	    "\"loc\":[\"query\",\"page\"],\"msg\":\"Input should be greater "
	    "than or equal to 1\",\"input\":\"0\",\"ctx\":{\"ge\":1}},"
	    "{\"type\":\"missing\",\"loc\":[\"body\"],\"msg\":"
	    "\"Field required\",\"input\":null}]");
	ua_verrs_cleanup(&errs);
}
END_TEST

START_TEST(verrs_to_json_empties_the_list)
{
	struct ua_verrs	    errs;
	struct json_object *o;

	ua_verrs_init(&errs);
	ua_verrs_add(&errs, "missing", ua_loc("body", "x"), "Field required",
	    NULL, NULL);
	o = ua_verrs_to_json(&errs);
	ck_assert_str_eq(json_object_to_json_string_ext(o,
			     JSON_C_TO_STRING_PLAIN),
	    "{\"detail\":[" MISSING("x", "null") "]}");
	json_object_put(o);
	ck_assert(ua_verrs_empty(&errs));
	ua_verrs_add(&errs, "missing", ua_loc("body", "y"), "Field required",
	    NULL, NULL);
	CK_PROBLEMS(take(&errs), "[" MISSING("y", "null") "]");
	ua_verrs_cleanup(&errs);
}
END_TEST

START_TEST(loc_without_name)
{
	struct json_object *a = ua_loc("body", NULL);

	ck_assert_str_eq(json_object_to_json_string_ext(a,
			     JSON_C_TO_STRING_PLAIN),
	    "[\"body\"]");
	json_object_put(a);
}
END_TEST

/* ---- UTF-8 ---- */

static const struct {
	const char *s;
	size_t	    len;
	long	    want;
} utf8_rows[] = {
	{ "", 0, 0 },
	{ "abc", 3, 3 },
	{ "a\0b", 3, 3 },
	{ "\xc3\xa9", 2, 1 },	      /* é */
	{ "\xe2\x82\xac", 3, 1 },     /* € */
	{ "\xf0\x9f\x98\x80", 4, 1 }, /* 😀 */
	{ "\xf4\x8f\xbf\xbf", 4, 1 }, /* U+10FFFF */
	{ "\xef\xbf\xbd", 3, 1 },     /* U+FFFD */
	{ "\xff", 1, -1 },
	{ "\x80", 1, -1 },	       /* lone continuation */
	{ "\xc0\xaf", 2, -1 },	       /* overlong / */
	{ "\xc1\xbf", 2, -1 },	       /* overlong */
	{ "\xe0\x80\xaf", 3, -1 },     /* overlong / */
	{ "\xf0\x80\x80\xaf", 4, -1 }, /* overlong / */
	{ "\xed\xa0\x80", 3, -1 },     /* U+D800 */
	{ "\xed\xbf\xbf", 3, -1 },     /* U+DFFF */
	{ "\xf4\x90\x80\x80", 4, -1 }, /* past U+10FFFF */
	{ "\xf5\x80\x80\x80", 4, -1 },
	{ "\xf8\x88\x80\x80\x80", 5, -1 }, /* five-byte form */
	{ "\xe2\x82", 2, -1 },		   /* cut short */
	{ "a\xc3", 2, -1 },
	{ "\xe2\x82\x41", 3, -1 },
};

START_TEST(utf8_length_table)
{
	ck_assert_msg(ua_utf8_length(utf8_rows[_i].s, utf8_rows[_i].len) ==
		utf8_rows[_i].want,
	    "row %d", _i);
}
END_TEST

START_TEST(utf8_put_round_trips)
{
	static const uint32_t cps[] = { 0, 0x41, 0x7f, 0x80, 0x7ff, 0x800,
		0xfffd, 0xffff, 0x10000, 0x10ffff };
	char		      buf[4];
	size_t		      i, n, at;
	uint32_t	      cp;

	for (i = 0; i < NELEM(cps); i++) {
		n = ua_utf8_put(buf, cps[i]);
		at = 0;
		ck_assert(ua_utf8_next(buf, n, &at, &cp));
		ck_assert_uint_eq(at, n);
		ck_assert_uint_eq(cp, cps[i]);
	}
}
END_TEST

START_TEST(utf8_next_leaves_position_on_error)
{
	size_t	 at = 1;
	uint32_t cp = 7;

	ck_assert(!ua_utf8_next("a\xff", 2, &at, &cp));
	ck_assert_uint_eq(at, 1);
	ck_assert_uint_eq(cp, 7);
	at = 2;
	ck_assert(!ua_utf8_next("ab", 2, &at, &cp));
}
END_TEST

START_TEST(utf8_bad_span_is_the_maximal_subpart)
{
	bool trunc;

	ck_assert_uint_eq(ua_utf8_bad_span("\xff", 1, 0, &trunc), 1);
	ck_assert(!trunc);
	ck_assert_uint_eq(ua_utf8_bad_span("\xe2\x82\x41", 3, 0, &trunc), 2);
	ck_assert(!trunc);
	ck_assert_uint_eq(ua_utf8_bad_span("\xe2\x82", 2, 0, &trunc), 2);
	ck_assert(trunc);
	ck_assert_uint_eq(ua_utf8_bad_span("\xe0\x80", 2, 0, &trunc), 1);
	ck_assert(!trunc);
}
END_TEST

/* ---- malformed bodies: Python's json messages and offsets ---- */

static const struct {
	const char *body;
	size_t	    len;
	const char *want;
} bad_json[] = {
#define ROW(lit, want) \
	{ \
		lit, sizeof(lit) - 1, want \
	}
	ROW("{",
	    JSON_INVALID(1,
		"Expecting property name enclosed in double quotes")),
	ROW("{\"email\"", JSON_INVALID(8, "Expecting ':' delimiter")),
	ROW("{\"email\":", JSON_INVALID(9, "Expecting value")),
	ROW("{\"email\":\"a\"", JSON_INVALID(12, "Expecting ',' delimiter")),
	ROW("{\"email\":\"a\",}",
	    JSON_INVALID(13,
		"Expecting property name enclosed in double quotes")),
	ROW("{'a':1}",
	    JSON_INVALID(1,
		"Expecting property name enclosed in double quotes")),
	ROW("{\"a\" 1}", JSON_INVALID(5, "Expecting ':' delimiter")),
	ROW("{\"a\":1,\"b\"}", JSON_INVALID(10, "Expecting ':' delimiter")),
	ROW("{\"a\":\"b\"]", JSON_INVALID(8, "Expecting ',' delimiter")),
	ROW("\t\n{\"a\":[1 2]}", JSON_INVALID(10, "Expecting ',' delimiter")),
	ROW("{\"a\":1}x", JSON_INVALID(7, "Extra data")),
	ROW("{\"a\":1} {}", JSON_INVALID(8, "Extra data")),
	ROW("01", JSON_INVALID(1, "Extra data")),
	ROW("1.", JSON_INVALID(1, "Extra data")),
	ROW("{\"email\":\"abc",
	    JSON_INVALID(9, "Unterminated string starting at")),
	ROW("\"\\", JSON_INVALID(0, "Unterminated string starting at")),
	ROW("{\"email\":\"a\x01\"}",
	    JSON_INVALID(11, "Invalid control character at")),
	ROW("{\"email\":\"a\nb\"}",
	    JSON_INVALID(11, "Invalid control character at")),
	ROW("{\"email\":\"a\0b\"}",
	    JSON_INVALID(11, "Invalid control character at")),
	ROW("{\"a\":\"\\x\"}", JSON_INVALID(6, "Invalid \\\\escape")),
	ROW("{\"a\":\"\\u12\"}", JSON_INVALID(7, "Invalid \\\\uXXXX escape")),
	ROW("{\"a\":\"\\uZZZZ\"}", JSON_INVALID(7, "Invalid \\\\uXXXX escape")),
	ROW("{\"a\":\"\\ud83d\\uZZZZ\"}",
	    JSON_INVALID(13, "Invalid \\\\uXXXX escape")),
	ROW("[1,]", JSON_INVALID(3, "Expecting value")),
	ROW("tru", JSON_INVALID(0, "Expecting value")),
	ROW("-", JSON_INVALID(0, "Expecting value")),
	ROW("  ", JSON_INVALID(2, "Expecting value")),
	ROW("\xef\xbb\xbf", JSON_INVALID(0, "Expecting value")),
	/* Python reads these; they are not JSON and are refused. */
	ROW("NaN", JSON_INVALID(0, "Expecting value")),
	ROW("{\"name\":Infinity}", JSON_INVALID(8, "Expecting value")),
	ROW("{\"name\":-Infinity}", JSON_INVALID(8, "Expecting value")),
	/* Unpaired surrogates: refused where Python would fail later. */
	ROW("{\"name\":\"\\ud800\"}",
	    JSON_INVALID(10, "Invalid \\\\uXXXX escape")),
	ROW("\"\\udc00\"", JSON_INVALID(2, "Invalid \\\\uXXXX escape")),
	ROW("\"\\ud800\\u0041\"", JSON_INVALID(2, "Invalid \\\\uXXXX escape")),
	ROW("\"\\ud800\" x", JSON_INVALID(9, "Extra data")),
	/* Not UTF-8: the decoder's own words. */
	ROW("\xff",
	    JSON_INVALID(0,
		"'utf-8' codec can't decode byte 0xff "
		"in position 0: invalid start byte")),
	ROW("{\"a\":\"\xc3\"}",
	    JSON_INVALID(6,
		"'utf-8' codec can't decode "
		"byte 0xc3 in position 6: invalid continuation byte")),
	ROW("\"\xc0\xaf\"",
	    JSON_INVALID(1,
		"'utf-8' codec can't decode byte "
		"0xc0 in position 1: invalid start byte")),
	ROW("\"\xe0\x80\xaf\"",
	    JSON_INVALID(1,
		"'utf-8' codec can't decode "
		"byte 0xe0 in position 1: invalid continuation byte")),
	ROW("\"\xed\xa0\x80\"",
	    JSON_INVALID(1,
		"'utf-8' codec can't decode "
		"byte 0xed in position 1: invalid continuation byte")),
	ROW("\"\xf4\x90\x80\x80\"",
	    JSON_INVALID(1,
		"'utf-8' codec can't "
		"decode byte 0xf4 in position 1: invalid continuation byte")),
	ROW("\"\xe2\x82",
	    JSON_INVALID(1,
		"'utf-8' codec can't decode bytes "
		"in position 1-2: unexpected end of data")),
	ROW("\"\xe2\x82\x41\"",
	    JSON_INVALID(1,
		"'utf-8' codec can't decode "
		"bytes in position 1-2: invalid continuation byte")),
	ROW("{\"a\":1}\xff",
	    JSON_INVALID(7,
		"'utf-8' codec can't decode "
		"byte 0xff in position 7: invalid start byte")),
#undef ROW
};

START_TEST(malformed_json_table)
{
	struct ua_user_create out;

	memset(&out, 0, sizeof(out));
	CK_PROBLEMS(parse(&ua_schema_user_create, bad_json[_i].body,
			bad_json[_i].len, &out),
	    bad_json[_i].want);
}
END_TEST

/* "[[[...]]]" nested "depth" deep, as a new string. */
static char *
nested(size_t depth)
{
	char  *s = malloc(2 * depth + 1);
	size_t i;

	ck_assert_ptr_nonnull(s);
	for (i = 0; i < depth; i++) {
		s[i] = '[';
		s[2 * depth - 1 - i] = ']';
	}
	s[2 * depth] = '\0';
	return s;
}

START_TEST(nesting_of_32_is_read)
{
	struct ua_user_create out;
	char		     *s = nested(32), *want;
	size_t		      n;

	n = strlen(NOT_OBJECT("")) + strlen(s) + 1;
	want = malloc(n);
	ck_assert_ptr_nonnull(want);
	snprintf(want, n,
	    "[{\"type\":\"model_attributes_type\",\"loc\":"
	    "[\"body\"],\"msg\":\"Input should be a valid dictionary or object "
	    "to extract fields from\",\"input\":%s}]",
	    s);
	CK_PROBLEMS(parse(&ua_schema_user_create, s, strlen(s), &out), want);
	free(want);
	free(s);
}
END_TEST

START_TEST(nesting_of_33_is_refused)
{
	struct ua_user_create out;
	char		     *s = nested(33);

	CK_PROBLEMS(parse(&ua_schema_user_create, s, strlen(s), &out),
	    JSON_INVALID(32, "Maximum nesting depth exceeded"));
	free(s);
}
END_TEST

START_TEST(deep_nesting_does_not_crash)
{
	struct ua_user_create out;
	char		     *s = nested(200000);

	CK_PROBLEMS(parse(&ua_schema_user_create, s, strlen(s), &out),
	    JSON_INVALID(32, "Maximum nesting depth exceeded"));
	free(s);
}
END_TEST

START_TEST(deep_object_nesting_is_refused_inside_a_field)
{
	struct ua_user_create out;
	char		      body[512];
	size_t		      i, o;

	o = (size_t)snprintf(body, sizeof(body), "{\"name\":");
	for (i = 0; i < 40; i++)
		o += (size_t)snprintf(body + o, sizeof(body) - o, "{\"a\":");
	body[o++] = '1';
	for (i = 0; i < 41; i++)
		body[o++] = '}';
	body[o] = '\0';
	/* The 33rd container opens at 8 + 31 * 5. */
	CK_PROBLEMS(parse(&ua_schema_user_create, body, o, &out),
	    JSON_INVALID(163, "Maximum nesting depth exceeded"));
}
END_TEST

/* ---- the body as a whole ---- */

START_TEST(empty_body_is_missing)
{
	struct ua_user_create out;

	CK_PROBLEMS(parse(&ua_schema_user_create, NULL, 0, &out), BODY_MISSING);
	CK_PROBLEMS(parse(&ua_schema_user_create, "", 0, &out), BODY_MISSING);
}
END_TEST

START_TEST(null_body_is_missing)
{
	struct ua_user_create out;

	CK_PROBLEMS(PARSE(&ua_schema_user_create, " null ", &out),
	    BODY_MISSING);
}
END_TEST

START_TEST(body_not_an_object)
{
	struct ua_user_create out;

	CK_PROBLEMS(PARSE(&ua_schema_user_create, "[1,\"a\"]", &out),
	    NOT_OBJECT("[1,\"a\"]"));
	CK_PROBLEMS(PARSE(&ua_schema_user_create, "\"abc\"", &out),
	    NOT_OBJECT("\"abc\""));
	CK_PROBLEMS(PARSE(&ua_schema_user_create, "5", &out), NOT_OBJECT("5"));
	CK_PROBLEMS(PARSE(&ua_schema_user_create, "true", &out),
	    NOT_OBJECT("true"));
}
END_TEST

START_TEST(numbers_are_echoed_as_python_prints_them)
{
	static const struct {
		const char *in, *echo;
	} rows[] = {
		{ "1.50", "1.5" },
		{ "1e3", "1000.0" },
		{ "1E+2", "100.0" },
		{ "-0", "0" },
		{ "-0.0", "-0.0" },
		{ "0.0001", "0.0001" },
		{ "1e-05", "1e-05" },
		{ "1e16", "1e+16" },
		{ "123456789.125", "123456789.125" },
		{ "0.1", "0.1" },
		{ "1234567890123456.0", "1234567890123456.0" },
		{ "2.5e-300", "2.5e-300" },
		{ "12", "12" },
	};
	struct ua_user_create out;
	char		      body[64], want[256];
	size_t		      i;

	for (i = 0; i < NELEM(rows); i++) {
		snprintf(body, sizeof(body), "%s", rows[i].in);
		snprintf(want, sizeof(want),
		    "[{\"type\":\"model_attributes_"
		    "type\",\"loc\":[\"body\"],\"msg\":\"Input should be a valid "
		    "dictionary or object to extract fields from\",\"input\":%s}]",
		    rows[i].echo);
		CK_PROBLEMS(parse(&ua_schema_user_create, body, strlen(body),
				&out),
		    want);
	}
}
END_TEST

START_TEST(utf8_bom_is_skipped)
{
	struct ua_user_create out;

	memset(&out, 0, sizeof(out));
	CK_PROBLEMS(
	    PARSE(&ua_schema_user_create,
		"\xef\xbb\xbf{\"email\":"
		"\"a@example.com\",\"name\":\"Al\",\"password\":\"12345678\"}",
		&out),
	    "[]");
	ck_assert_str_eq(out.name, "Al");
}
END_TEST

START_TEST(problems_add_to_earlier_ones)
{
	struct ua_user_create out;
	struct ua_verrs	      errs;
	static const char     ok[] = "{\"email\":\"a@example.com\",\"name\":"
				     "\"Al\",\"password\":\"12345678\"}";

	ua_verrs_init(&errs);
	ua_verrs_add(&errs, "missing", ua_loc("path", "user_id"),
	    "Field required", NULL, NULL);
	ck_assert_int_eq(ua_schema_parse(&ua_schema_user_create, ok, strlen(ok),
			     &out, sizeof(out), &errs),
	    UA_OK);
	ck_assert_int_eq(ua_schema_parse(&ua_schema_user_create, "{}", 2, &out,
			     sizeof(out), &errs),
	    UA_ERR_INVALID);
	CK_PROBLEMS(take(&errs),
	    "[{\"type\":\"missing\",\"loc\":[\"path\","
	    "\"user_id\"],\"msg\":\"Field required\",\"input\":null}," MISSING(
		"email", "{}") "," MISSING("name", "{}") "," MISSING("password",
		"{}") "]");
	ua_verrs_cleanup(&errs);
}
END_TEST

/* ---- UserCreate ---- */

START_TEST(user_create_accepts_and_stores)
{
	struct ua_user_create out;

	memset(&out, 0, sizeof(out));
	CK_PROBLEMS(
	    PARSE(&ua_schema_user_create,
		" {\"email\": "
		"\"Ann@Example.COM\", \"name\": \"Ann Lee\", \"password\": "
		"\"correct horse\"}\n",
		&out),
	    "[]");
	ck_assert_str_eq(out.email, "Ann@example.com");
	ck_assert_str_eq(out.name, "Ann Lee");
	ck_assert_str_eq(out.password, "correct horse");
}
END_TEST

START_TEST(user_create_ignores_unknown_fields)
{
	struct ua_user_create out;

	CK_PROBLEMS(
	    PARSE(&ua_schema_user_create,
		"{\"email\":\"a@example.com"
		"\",\"name\":\"Al\",\"password\":\"12345678\",\"role\":\"admin\","
		"\"id\":7,\"x\":{\"y\":[null]}}",
		&out),
	    "[]");
}
END_TEST

START_TEST(user_create_last_duplicate_wins)
{
	struct ua_user_create out;

	CK_PROBLEMS(
	    PARSE(&ua_schema_user_create,
		"{\"email\":\"a@example.com"
		"\",\"name\":\"A\",\"password\":\"12345678\",\"name\":\"Bob\"}",
		&out),
	    "[]");
	ck_assert_str_eq(out.name, "Bob");
}
END_TEST

START_TEST(user_create_all_missing)
{
	struct ua_user_create out;

	CK_PROBLEMS(PARSE(&ua_schema_user_create, "{}", &out),
	    "[" MISSING("email", "{}") "," MISSING("name",
		"{}") "," MISSING("password", "{}") "]");
}
END_TEST

START_TEST(missing_echoes_the_whole_body)
{
	struct ua_user_create out;

	CK_PROBLEMS(PARSE(&ua_schema_user_create,
			"{\"zeta\":1,\"name\":"
			"\"Al\",\"name\":\"Bo\"}",
			&out),
	    "[" MISSING("email",
		"{\"zeta\":1,\"name\":\"Bo\"}") "," MISSING("password",
		"{\"zeta\":1,\"name\":\"Bo\"}") "]");
}
END_TEST

START_TEST(wrong_types_are_string_type)
{
	struct ua_user_create out;

	CK_PROBLEMS(PARSE(&ua_schema_user_create,
			"{\"email\":5,\"name\":"
			"true,\"password\":null}",
			&out),
	    "[" STRTYPE("email", "5") "," STRTYPE("name",
		"true") "," STRTYPE("password", "null") "]");
	CK_PROBLEMS(PARSE(&ua_schema_user_create,
			"{\"email\":[\"a\"],"
			"\"name\":{\"first\":\"Al\"},\"password\":1.0}",
			&out),
	    "[" STRTYPE("email", "[\"a\"]") "," STRTYPE("name",
		"{\"first\":\"Al\"}") "," STRTYPE("password", "1.0") "]");
}
END_TEST

START_TEST(name_too_short)
{
	struct ua_user_create out;

	CK_PROBLEMS(PARSE(&ua_schema_user_create,
			"{\"email\":\"a@example.com"
			"\",\"name\":\"A\",\"password\":\"12345678\"}",
			&out),
	    "[" SHORT("name", "\"A\"", 2) "]");
	CK_PROBLEMS(PARSE(&ua_schema_user_create,
			"{\"email\":\"a@example.com"
			"\",\"name\":\"\",\"password\":\"12345678\"}",
			&out),
	    "[" SHORT("name", "\"\"", 2) "]");
}
END_TEST

/* "n" copies of "unit", as a new string. */
static char *
repeat(const char *unit, size_t n)
{
	size_t ul = strlen(unit), i;
	char  *s = malloc(n * ul + 1);

	ck_assert_ptr_nonnull(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * ul, unit, ul);
	s[n * ul] = '\0';
	return s;
}

/* "{...,"name":"<n copies of unit>",...}" as a new string. */
static char *
body_with_name(const char *unit, size_t n)
{
	size_t ul = strlen(unit), i, cap = n * ul + 128, o;
	char  *s = malloc(cap);

	ck_assert_ptr_nonnull(s);
	o = (size_t)snprintf(s, cap,
	    "{\"email\":\"a@example.com\","
	    "\"password\":\"12345678\",\"name\":\"");
	for (i = 0; i < n; i++, o += ul)
		memcpy(s + o, unit, ul);
	snprintf(s + o, cap - o, "\"}");
	return s;
}

/*
 * Is a name of "n" copies of "unit" (JSON string content) accepted,
 * and stored whole, "each" bytes a copy?
 */
static bool
name_ok(const char *unit, size_t each, size_t n)
{
	struct ua_user_create out;
	char		     *body = body_with_name(unit, n), *got;
	bool		      ok;

	memset(&out, 0, sizeof(out));
	got = parse(&ua_schema_user_create, body, strlen(body), &out);
	ok = strcmp(got, "[]") == 0;
	if (ok)
		ck_assert_uint_eq(strlen(out.name), n * each);
	free(got);
	free(body);
	return ok;
}

START_TEST(name_limits_count_code_points)
{
	ck_assert(name_ok("x", 1, 2));
	ck_assert(name_ok("x", 1, 100));
	ck_assert(!name_ok("x", 1, 101));
	ck_assert(!name_ok("\xc3\xa9", 2, 1)); /* é */
	ck_assert(name_ok("\xc3\xa9", 2, 2));
	ck_assert(name_ok("\xc3\xa9", 2, 100)); /* 200 bytes */
	ck_assert(!name_ok("\xc3\xa9", 2, 101));
	ck_assert(name_ok("\xf0\x9f\x98\x80", 4, 2));	/* 😀 */
	ck_assert(name_ok("\xf0\x9f\x98\x80", 4, 100)); /* 400 bytes */
	ck_assert(!name_ok("\xf0\x9f\x98\x80", 4, 101));
	ck_assert(name_ok("\\u00e9", 2, 100));	      /* escaped */
	ck_assert(name_ok("\\ud83d\\ude00", 4, 100)); /* a pair each */
	ck_assert(!name_ok("\\ud83d\\ude00", 4, 101));
}
END_TEST

START_TEST(name_too_long_message)
{
	struct ua_user_create out;
	char		     *body = body_with_name("\xc3\xa9", 101);
	char		     *name = repeat("\xc3\xa9", 101), want[1024];

	snprintf(want, sizeof(want), "[" LONG("name", "\"%s\"", 100) "]", name);
	CK_PROBLEMS(parse(&ua_schema_user_create, body, strlen(body), &out),
	    want);
	free(name);
	free(body);
}
END_TEST

START_TEST(nul_in_a_string_is_refused)
{
	struct ua_user_create out;

	CK_PROBLEMS(PARSE(&ua_schema_user_create,
			"{\"email\":\"a@example.com"
			"\",\"name\":\"A\\u0000l\",\"password\":\"12345678\"}",
			&out),
	    "[" NUL_ERR("name", "\"A\\u0000l\"") "]");
	CK_PROBLEMS(
	    PARSE(&ua_schema_user_create,
		"{\"email\":\"a@example.com"
		"\\u0000\",\"name\":\"Al\",\"password\":\"1234\\u00005678\"}",
		&out),
	    "[" NUL_ERR("email",
		"\"a@example.com\\u0000\"") "," NUL_ERR("password",
		"\"1234\\u00005678\"") "]");
}
END_TEST

START_TEST(length_is_checked_before_nul)
{
	struct ua_user_create out;

	CK_PROBLEMS(PARSE(&ua_schema_user_create,
			"{\"email\":\"a@example.com"
			"\",\"name\":\"\\u0000\",\"password\":\"12345678\"}",
			&out),
	    "[" SHORT("name", "\"\\u0000\"", 2) "]");
}
END_TEST

/* Is "pw" (JSON string content) accepted as a new password? */
static char *
with_password(const char *pw)
{
	struct ua_user_create out;
	char		      body[1024];

	memset(&out, 0, sizeof(out));
	snprintf(body, sizeof(body),
	    "{\"email\":\"a@example.com\",\"name\":"
	    "\"Al\",\"password\":\"%s\"}",
	    pw);
	return parse(&ua_schema_user_create, body, strlen(body), &out);
}

START_TEST(password_limits)
{
	static const struct {
		const char *unit;
		size_t	    n;
		bool	    ok;
	} rows[] = {
		{ "x", 8, true },
		{ "x", 72, true },
		{ "x", 73, false },
		{ "\xc3\xa9", 8, true },	  /* 16 bytes */
		{ "\xc3\xa9", 36, true },	  /* 72 bytes */
		{ "\xc3\xa9", 37, false },	  /* 74 bytes */
		{ "\xf0\x9f\x98\x80", 8, true },  /* 32 bytes */
		{ "\xf0\x9f\x98\x80", 18, true }, /* 72 bytes */
		{ "\xf0\x9f\x98\x80", 19, false },
		{ "\\u20ac", 24, true }, /* 72 bytes */
		{ "\\u20ac", 25, false },
	};
	char  *pw, *got;
	size_t i;

	for (i = 0; i < NELEM(rows); i++) {
		pw = repeat(rows[i].unit, rows[i].n);
		got = with_password(pw);
		ck_assert_msg((strcmp(got, "[]") == 0) == rows[i].ok,
		    "row %zu: %s", i, got);
		free(got);
		free(pw);
	}
}
END_TEST

START_TEST(password_too_short)
{
	CK_PROBLEMS(with_password("1234567"),
	    "[" SHORT("password", "\"1234567\"", 8) "]");
	CK_PROBLEMS(with_password("\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
				  "\\u00e9"),
	    "[" SHORT("password",
		"\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3"
		"\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"",
		8) "]");
}
END_TEST

START_TEST(password_over_72_bytes)
{
	char *pw = repeat("x", 73), want[512];

	snprintf(want, sizeof(want),
	    "[" VALERR("password", "\"%s\"",
		"must be at most 72 bytes in UTF-8") "]",
	    pw);
	CK_PROBLEMS(with_password(pw), want);
	free(pw);
}
END_TEST

START_TEST(bad_email_reason)
{
	struct ua_user_create out;

	CK_PROBLEMS(PARSE(&ua_schema_user_create,
			"{\"email\":\"ann.example"
			".com\",\"name\":\"Al\",\"password\":\"12345678\"}",
			&out),
	    "[" EMAILERR("email", "\"ann.example.com\"",
		"An email address must have an @-sign.") "]");
	CK_PROBLEMS(PARSE(&ua_schema_user_create,
			"{\"email\":\"ann@x.test\","
			"\"name\":\"Al\",\"password\":\"12345678\"}",
			&out),
	    "[" EMAILERR("email", "\"ann@x.test\"",
		"The part after the @-sign "
		"is a special-use or reserved name that cannot be used with "
		"email.") "]");
}
END_TEST

START_TEST(email_is_normalised_on_the_way_in)
{
	struct ua_user_create out;

	memset(&out, 0, sizeof(out));
	CK_PROBLEMS(
	    PARSE(&ua_schema_user_create,
		"{\"email\":\" Ann Lee "
		"<Ann.Lee@Mail.EXAMPLE.org> \",\"name\":\"Al\",\"password\":"
		"\"12345678\"}",
		&out),
	    "[]");
	ck_assert_str_eq(out.email, "Ann.Lee@mail.example.org");
}
END_TEST

START_TEST(every_problem_in_field_order)
{
	struct ua_user_create out;

	CK_PROBLEMS(PARSE(&ua_schema_user_create,
			"{\"password\":\"short\","
			"\"name\":\"A\",\"email\":\"x\"}",
			&out),
	    "[" EMAILERR("email", "\"x\"",
		"An email address must have an "
		"@-sign.") "," SHORT("name", "\"A\"", 2) "," SHORT("password",
		"\"short\"", 8) "]");
}
END_TEST

/* ---- UserUpdate ---- */

START_TEST(user_update_nothing_is_fine)
{
	struct ua_user_update out;

	memset(&out, 0, sizeof(out));
	CK_PROBLEMS(PARSE(&ua_schema_user_update, "{}", &out), "[]");
	ck_assert(!out.has_name && !out.has_email && !out.has_role);
	CK_PROBLEMS(PARSE(&ua_schema_user_update,
			"{\"name\":null,\"email\":"
			"null,\"role\":null}",
			&out),
	    "[]");
	ck_assert(!out.has_name && !out.has_email && !out.has_role);
}
END_TEST

START_TEST(user_update_sets_what_came)
{
	struct ua_user_update out;

	memset(&out, 0, sizeof(out));
	CK_PROBLEMS(PARSE(&ua_schema_user_update,
			"{\"name\":\"Bo\",\"email\":"
			"\"Bo@Example.ORG\",\"role\":\"admin\"}",
			&out),
	    "[]");
	ck_assert(out.has_name && out.has_email && out.has_role);
	ck_assert_str_eq(out.name, "Bo");
	ck_assert_str_eq(out.email, "Bo@example.org");
	ck_assert_int_eq(out.role, UA_ROLE_ADMIN);
	memset(&out, 0, sizeof(out));
	CK_PROBLEMS(PARSE(&ua_schema_user_update, "{\"role\":\"user\"}", &out),
	    "[]");
	ck_assert(!out.has_name && !out.has_email && out.has_role);
	ck_assert_int_eq(out.role, UA_ROLE_USER);
}
END_TEST

START_TEST(user_update_role_enum)
{
	struct ua_user_update out;

	CK_PROBLEMS(PARSE(&ua_schema_user_update, "{\"role\":\"ADMIN\"}", &out),
	    "[" ENUMERR("\"ADMIN\"") "]");
	CK_PROBLEMS(PARSE(&ua_schema_user_update, "{\"role\":\"\"}", &out),
	    "[" ENUMERR("\"\"") "]");
	CK_PROBLEMS(PARSE(&ua_schema_user_update,
			"{\"role\":\"admin\\u0000"
			"\"}",
			&out),
	    "[" ENUMERR("\"admin\\u0000\"") "]");
	CK_PROBLEMS(PARSE(&ua_schema_user_update, "{\"role\":1}", &out),
	    "[" ENUMERR("1") "]");
	CK_PROBLEMS(PARSE(&ua_schema_user_update, "{\"role\":[\"admin\"]}",
			&out),
	    "[" ENUMERR("[\"admin\"]") "]");
}
END_TEST

START_TEST(user_update_same_rules)
{
	struct ua_user_update out;

	CK_PROBLEMS(PARSE(&ua_schema_user_update,
			"{\"name\":\"B\",\"email\":"
			"\"bo@\",\"role\":true}",
			&out),
	    "[" SHORT("name", "\"B\"", 2) "," EMAILERR("email", "\"bo@\"",
		"There must be something after the "
		"@-sign.") "," ENUMERR("true") "]");
	CK_PROBLEMS(PARSE(&ua_schema_user_update, "{\"name\":7}", &out),
	    "[" STRTYPE("name", "7") "]");
}
END_TEST

/* ---- Login, PasswordChange ---- */

START_TEST(login_json_takes_any_text)
{
	struct ua_login out;

	memset(&out, 0, sizeof(out));
	CK_PROBLEMS(PARSE(&ua_schema_login_json,
			"{\"email\":\"not an "
			"address\",\"password\":\"\"}",
			&out),
	    "[]");
	ck_assert_str_eq(out.email, "not an address");
	ck_assert_str_eq(out.password, "");
}
END_TEST

START_TEST(login_json_missing)
{
	struct ua_login out;

	CK_PROBLEMS(PARSE(&ua_schema_login_json, "{\"username\":\"a\"}", &out),
	    "[" MISSING("email", "{\"username\":\"a\"}") "," MISSING("password",
		"{\"username\":\"a\"}") "]");
}
END_TEST

START_TEST(login_json_bounded)
{
	struct ua_login out;
	char	       *id = repeat("a", UA_LOGIN_ID_MAX), *id2, *body, *want;
	size_t		n = 3 * UA_LOGIN_ID_MAX + 512;

	body = malloc(n);
	want = malloc(n);
	ck_assert_ptr_nonnull(body);
	ck_assert_ptr_nonnull(want);
	snprintf(body, n, "{\"email\":\"%s\",\"password\":\"x\"}", id);
	CK_PROBLEMS(parse(&ua_schema_login_json, body, strlen(body), &out),
	    "[]");
	ck_assert_uint_eq(strlen(out.email), UA_LOGIN_ID_MAX);
	id2 = repeat("a", UA_LOGIN_ID_MAX + 1);
	snprintf(body, n, "{\"email\":\"%s\",\"password\":\"x\"}", id2);
	snprintf(want, n,
	    "[" VALERR("email", "\"%s\"",
		"must be at most 1024 bytes in UTF-8") "]",
	    id2);
	CK_PROBLEMS(parse(&ua_schema_login_json, body, strlen(body), &out),
	    want);
	free(id);
	free(id2);
	free(body);
	free(want);
}
END_TEST

START_TEST(password_change_rules)
{
	struct ua_password_change out;

	memset(&out, 0, sizeof(out));
	CK_PROBLEMS(PARSE(&ua_schema_password_change,
			"{\"current_password\":"
			"\"old\",\"new_password\":\"new secret\"}",
			&out),
	    "[]");
	ck_assert_str_eq(out.current_password, "old");
	ck_assert_str_eq(out.new_password, "new secret");
	CK_PROBLEMS(PARSE(&ua_schema_password_change,
			"{\"new_password\":"
			"\"new\"}",
			&out),
	    "[" MISSING("current_password",
		"{\"new_password\":\"new\"}") "," SHORT("new_password",
		"\"new\"", 8) "]");
}
END_TEST

/* ---- a table's own limits ---- */

START_TEST(buffer_bounds_a_field_without_limits)
{
	struct sample out;

	memset(&out, 0, sizeof(out));
	CK_PROBLEMS(PARSE(&sample_schema, "{\"text\":\"1234567\"}", &out),
	    "[]");
	ck_assert_str_eq(out.text, "1234567");
	CK_PROBLEMS(PARSE(&sample_schema, "{\"text\":\"12345678\"}", &out),
	    "[" VALERR("text", "\"12345678\"",
		"must be at most 7 bytes in UTF-8") "]");
}
END_TEST

START_TEST(optional_but_not_nullable)
{
	struct sample out;

	memset(&out, 0, sizeof(out));
	CK_PROBLEMS(PARSE(&sample_schema, "{}", &out), "[]");
	ck_assert(!out.has_opt);
	CK_PROBLEMS(PARSE(&sample_schema, "{\"opt\":\"x\"}", &out), "[]");
	ck_assert(out.has_opt);
	CK_PROBLEMS(PARSE(&sample_schema, "{\"opt\":null}", &out),
	    "[" STRTYPE("opt", "null") "]");
}
END_TEST

START_TEST(one_character_is_singular)
{
	struct sample out;

	CK_PROBLEMS(PARSE(&sample_schema, "{\"one\":\"\"}", &out),
	    "[{\"type\":\"string_too_short\"," LOC(
		"one") ",\"msg\":\"String "
		       "should have at least 1 character\",\"input\":\"\",\"ctx\":"
		       "{\"min_length\":1}}]");
	CK_PROBLEMS(PARSE(&sample_schema, "{\"one\":\"ab\"}", &out),
	    "[{\"type\":\"string_too_long\"," LOC(
		"one") ",\"msg\":\"String "
		       "should have at most 1 character\",\"input\":\"ab\",\"ctx\":"
		       "{\"max_length\":1}}]");
}
END_TEST

/* ---- forms ---- */

struct kv {
	const char *k, *v;
};

static const char *
kv_get(void *arg, const char *name, size_t *len)
{
	const struct kv *p;

	for (p = arg; p->k != NULL; p++)
		if (strcmp(p->k, name) == 0) {
			*len = strlen(p->v);
			return p->v;
		}
	return NULL;
}

/* Parse the form "kvs" against "sc" into "out"; the problems. */
static char *
parse_form(const struct ua_schema *sc, struct kv *kvs, void *out)
{
	struct ua_verrs errs;
	enum ua_err	er;
	char	       *s;

	ua_verrs_init(&errs);
	er = ua_schema_parse_form(sc, kv_get, kvs, out, sc->size, &errs);
	ck_assert_int_eq(er, ua_verrs_empty(&errs) ? UA_OK : UA_ERR_INVALID);
	s = take(&errs);
	ua_verrs_cleanup(&errs);
	return s;
}

START_TEST(form_login_accepts)
{
	struct kv	kvs[] = { { "password", "pw" },
		      { "username", "Ann@Example.com" }, { NULL, NULL } };
	struct ua_login out;

	memset(&out, 0, sizeof(out));
	CK_PROBLEMS(parse_form(&ua_schema_login_form, kvs, &out), "[]");
	ck_assert_str_eq(out.email, "Ann@Example.com");
	ck_assert_str_eq(out.password, "pw");
}
END_TEST

START_TEST(form_missing_input_is_null)
{
	struct kv kvs[] = { { "grant_type", "password" }, { NULL, NULL } };
	struct ua_login out;

	CK_PROBLEMS(parse_form(&ua_schema_login_form, kvs, &out),
	    "[" MISSING("username", "null") "," MISSING("password",
		"null") "]");
}
END_TEST

START_TEST(form_empty_value_is_missing)
{
	struct kv	kvs[] = { { "username", "" }, { "password", "x" },
		      { NULL, NULL } };
	struct ua_login out;

	CK_PROBLEMS(parse_form(&ua_schema_login_form, kvs, &out),
	    "[" MISSING("username", "null") "]");
}
END_TEST

START_TEST(form_invalid_utf8_is_replaced)
{
	struct kv	kvs[] = { { "username",
				      "a\xff"
					    "b\xe2\x82" },
		      { "password", "p\xc0\xafw" }, { NULL, NULL } };
	struct ua_login out;

	memset(&out, 0, sizeof(out));
	CK_PROBLEMS(parse_form(&ua_schema_login_form, kvs, &out), "[]");
	ck_assert_str_eq(out.email,
	    "a\xef\xbf\xbd"
	    "b\xef\xbf\xbd");
	ck_assert_str_eq(out.password, "p\xef\xbf\xbd\xef\xbf\xbdw");
}
END_TEST

START_TEST(form_same_checks_as_json)
{
	char		big[UA_LOGIN_ID_MAX + 2];
	struct kv	kvs[] = { { "username", "a" }, { "password", big },
		      { NULL, NULL } };
	struct kv	create[] = { { "email", "bad" }, { "name", "A" },
		      { "password", "12345678" }, { NULL, NULL } };
	struct ua_login out;
	struct ua_user_create uc;
	char		     *want;

	memset(big, 'p', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	want = malloc(2 * sizeof(big) + 256);
	ck_assert_ptr_nonnull(want);
	snprintf(want, 2 * sizeof(big) + 256,
	    "[" VALERR("password", "\"%s\"",
		"must be at most 1024 bytes in UTF-8") "]",
	    big);
	CK_PROBLEMS(parse_form(&ua_schema_login_form, kvs, &out), want);
	free(want);
	CK_PROBLEMS(parse_form(&ua_schema_user_create, create, &uc),
	    "[" EMAILERR("email", "\"bad\"",
		"An email address must have an "
		"@-sign.") "," SHORT("name", "\"A\"", 2) "]");
}
END_TEST

START_TEST(form_sets_has_flags)
{
	struct kv	      kvs[] = { { "role", "user" }, { NULL, NULL } };
	struct ua_user_update out;

	memset(&out, 0, sizeof(out));
	CK_PROBLEMS(parse_form(&ua_schema_user_update, kvs, &out), "[]");
	ck_assert(out.has_role && !out.has_name && !out.has_email);
	ck_assert_int_eq(out.role, UA_ROLE_USER);
}
END_TEST

/* ---- query and path integers ---- */

#define INT_PARSING(w, n, in) \
	"[{\"type\":\"int_parsing\",\"loc\":[\"" w "\",\"" n \
	"\"],\"msg\":\"Input should be a valid " \
	"integer, unable to parse string as an integer\"," \
	"\"input\":\"" in "\"}]"
#define GE(n, in, b) \
	"[{\"type\":\"greater_than_equal\",\"loc\":" \
	"[\"query\",\"" n "\"],\"msg\":\"Input should be " \
	"greater than or equal to " #b "\",\"input\":\"" in \
	"\",\"ctx\":{\"ge\":" #b "}}]"
#define LE(n, in, b) \
	"[{\"type\":\"less_than_equal\",\"loc\":" \
	"[\"query\",\"" n "\"],\"msg\":\"Input should be " \
	"less than or equal to " #b "\",\"input\":\"" in \
	"\",\"ctx\":{\"le\":" #b "}}]"

static const struct {
	const char *raw;
	int64_t	    want;     /* when accepted */
	const char *problems; /* "[]" when accepted */
} limit_rows[] = {
	{ "1", 1, "[]" },
	{ "100", 100, "[]" },
	{ "20", 20, "[]" },
	{ "007", 7, "[]" },
	{ " 5 ", 5, "[]" },
	{ "\t7\n", 7, "[]" },
	{ "\xc2\xa0"
	  "8\xe3\x80\x80",
	    8, "[]" }, /* Unicode spaces */
	{ "+5", 5, "[]" },
	{ "5.0", 5, "[]" },
	{ "5.000", 5, "[]" },
	{ "1_0", 10, "[]" },
	{ "+1_0.0", 10, "[]" },
	{ "0", 0, GE("limit", "0", 1) },
	{ "-1", 0, GE("limit", "-1", 1) },
	{ "-0", 0, GE("limit", "-0", 1) },
	{ "101", 0, LE("limit", "101", 100) },
	{ "1_000", 0, LE("limit", "1_000", 100) },
	{ "99999999999999999999", 0, LE("limit", "99999999999999999999", 100) },
	{ "-99999999999999999999", 0, GE("limit", "-99999999999999999999", 1) },
	{ "abc", 0, INT_PARSING("query", "limit", "abc") },
	{ "", 0, INT_PARSING("query", "limit", "") },
	{ " ", 0, INT_PARSING("query", "limit", " ") },
	{ "5.", 0, INT_PARSING("query", "limit", "5.") },
	{ ".0", 0, INT_PARSING("query", "limit", ".0") },
	{ "5.5", 0, INT_PARSING("query", "limit", "5.5") },
	{ "5.0_0", 0, INT_PARSING("query", "limit", "5.0_0") },
	{ "1e2", 0, INT_PARSING("query", "limit", "1e2") },
	{ "0x10", 0, INT_PARSING("query", "limit", "0x10") },
	{ "1__0", 0, INT_PARSING("query", "limit", "1__0") },
	{ "_1", 0, INT_PARSING("query", "limit", "_1") },
	{ "1_", 0, INT_PARSING("query", "limit", "1_") },
	{ "-_1", 0, INT_PARSING("query", "limit", "-_1") },
	{ "+", 0, INT_PARSING("query", "limit", "+") },
	{ "--1", 0, INT_PARSING("query", "limit", "--1") },
	{ "1 2", 0, INT_PARSING("query", "limit", "1 2") },
	{ "12abc", 0, INT_PARSING("query", "limit", "12abc") },
	{ "\x1c"
	  "5",
	    0, INT_PARSING("query", "limit", "\\u001c5") },
};

START_TEST(param_int_table)
{
	struct ua_verrs errs;
	int64_t		v = -42;
	bool		ok;

	ua_verrs_init(&errs);
	ok = ua_param_int("query", "limit", limit_rows[_i].raw, 20, 1, 100, &v,
	    &errs);
	ck_assert(ok == (strcmp(limit_rows[_i].problems, "[]") == 0));
	if (ok)
		ck_assert_int_eq(v, limit_rows[_i].want);
	else
		ck_assert_int_eq(v, -42);
	CK_PROBLEMS(take(&errs), limit_rows[_i].problems);
	ua_verrs_cleanup(&errs);
}
END_TEST

START_TEST(param_int_default_when_absent)
{
	struct ua_verrs errs;
	int64_t		v = 0;

	ua_verrs_init(&errs);
	ck_assert(ua_param_int("query", "limit", NULL, 20, 1, 100, &v, &errs));
	ck_assert_int_eq(v, 20);
	ck_assert(ua_verrs_empty(&errs));
	ua_verrs_cleanup(&errs);
}
END_TEST

START_TEST(param_int_full_range)
{
	struct ua_verrs errs;
	int64_t		v = 0;

	ua_verrs_init(&errs);
	ck_assert(ua_param_int("path", "user_id", "9223372036854775807", 0,
	    INT64_MIN, INT64_MAX, &v, &errs));
	ck_assert(v == INT64_MAX);
	ck_assert(ua_param_int("path", "user_id", "-9223372036854775808", 0,
	    INT64_MIN, INT64_MAX, &v, &errs));
	ck_assert(v == INT64_MIN);
	ck_assert(!ua_param_int("path", "user_id", "9223372036854775808", 0,
	    INT64_MIN, INT64_MAX, &v, &errs));
	CK_PROBLEMS(take(&errs),
	    INT_PARSING("path", "user_id", "9223372036854775808"));
	ua_verrs_cleanup(&errs);
}
END_TEST

START_TEST(param_int_problems_accumulate)
{
	struct ua_verrs errs;
	int64_t		page = 0, limit = 0;
	bool		ok;

	ua_verrs_init(&errs);
	ok = ua_param_int("query", "page", "0", 1, 1, INT64_MAX, &page, &errs);
	ok = ua_param_int("query", "limit", "abc", 20, 1, 100, &limit, &errs) &&
	    ok;
	ck_assert(!ok);
	CK_PROBLEMS(take(&errs),
	    "["
	    "{\"type\":\"greater_than_equal\","
	    "\"loc\":[\"query\",\"page\"],\"msg\":\"Input should be greater "
	    "than or equal to 1\",\"input\":\"0\",\"ctx\":{\"ge\":1}},"
	    "{\"type\":\"int_parsing\",\"loc\":[\"query\",\"limit\"],\"msg\":"
	    "\"Input should be a valid integer, unable to parse string as an "
	    "integer\",\"input\":\"abc\"}]");
	ua_verrs_cleanup(&errs);
}
END_TEST

static Suite *
validate_suite(void)
{
	Suite *s = suite_create("validate");
	TCase *tc;

	tc = tcase_create("ua_verrs");
	tcase_add_test(tc, verrs_start_empty);
	tcase_add_test(tc, verrs_keys_in_pydantic_order);
	tcase_add_test(tc, verrs_to_json_empties_the_list);
	tcase_add_test(tc, loc_without_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("utf8");
	tcase_add_loop_test(tc, utf8_length_table, 0, NELEM(utf8_rows));
	tcase_add_test(tc, utf8_put_round_trips);
	tcase_add_test(tc, utf8_next_leaves_position_on_error);
	tcase_add_test(tc, utf8_bad_span_is_the_maximal_subpart);
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	tcase_add_loop_test(tc, malformed_json_table, 0, NELEM(bad_json));
	tcase_add_test(tc, nesting_of_32_is_read);
	tcase_add_test(tc, nesting_of_33_is_refused);
	tcase_add_test(tc, deep_nesting_does_not_crash);
	tcase_add_test(tc, deep_object_nesting_is_refused_inside_a_field);
	tcase_add_test(tc, empty_body_is_missing);
	tcase_add_test(tc, null_body_is_missing);
	tcase_add_test(tc, body_not_an_object);
	tcase_add_test(tc, numbers_are_echoed_as_python_prints_them);
	tcase_add_test(tc, utf8_bom_is_skipped);
	tcase_add_test(tc, problems_add_to_earlier_ones);
	suite_add_tcase(s, tc);

	tc = tcase_create("UserCreate");
	tcase_add_test(tc, user_create_accepts_and_stores);
	tcase_add_test(tc, user_create_ignores_unknown_fields);
	tcase_add_test(tc, user_create_last_duplicate_wins);
	tcase_add_test(tc, user_create_all_missing);
	tcase_add_test(tc, missing_echoes_the_whole_body);
	tcase_add_test(tc, wrong_types_are_string_type);
	tcase_add_test(tc, name_too_short);
	tcase_add_test(tc, name_limits_count_code_points);
	tcase_add_test(tc, name_too_long_message);
	tcase_add_test(tc, nul_in_a_string_is_refused);
	tcase_add_test(tc, length_is_checked_before_nul);
	tcase_add_test(tc, password_limits);
	tcase_add_test(tc, password_too_short);
	tcase_add_test(tc, password_over_72_bytes);
	tcase_add_test(tc, bad_email_reason);
	tcase_add_test(tc, email_is_normalised_on_the_way_in);
	tcase_add_test(tc, every_problem_in_field_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("UserUpdate");
	tcase_add_test(tc, user_update_nothing_is_fine);
	tcase_add_test(tc, user_update_sets_what_came);
	tcase_add_test(tc, user_update_role_enum);
	tcase_add_test(tc, user_update_same_rules);
	suite_add_tcase(s, tc);

	tc = tcase_create("Login and PasswordChange");
	tcase_add_test(tc, login_json_takes_any_text);
	tcase_add_test(tc, login_json_missing);
	tcase_add_test(tc, login_json_bounded);
	tcase_add_test(tc, password_change_rules);
	suite_add_tcase(s, tc);

	tc = tcase_create("field table limits");
	tcase_add_test(tc, buffer_bounds_a_field_without_limits);
	tcase_add_test(tc, optional_but_not_nullable);
	tcase_add_test(tc, one_character_is_singular);
	suite_add_tcase(s, tc);

	tc = tcase_create("ua_schema_parse_form");
	tcase_add_test(tc, form_login_accepts);
	tcase_add_test(tc, form_missing_input_is_null);
	tcase_add_test(tc, form_empty_value_is_missing);
	tcase_add_test(tc, form_invalid_utf8_is_replaced);
	tcase_add_test(tc, form_same_checks_as_json);
	tcase_add_test(tc, form_sets_has_flags);
	suite_add_tcase(s, tc);

	tc = tcase_create("ua_param_int");
	tcase_add_loop_test(tc, param_int_table, 0, NELEM(limit_rows));
	tcase_add_test(tc, param_int_default_when_absent);
	tcase_add_test(tc, param_int_full_range);
	tcase_add_test(tc, param_int_problems_accumulate);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(validate_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
