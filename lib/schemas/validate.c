/*
 * validate.c -- validation problems in Pydantic v2's shape, and the
 * table-driven checking of request bodies, forms and parameters.
 *
 * A JSON body is read twice.  First a checker that follows Python's
 * json module rule for rule (its scanner, not just the grammar), so
 * that a malformed body is reported with the message and offset
 * FastAPI gives; it also holds bodies to strict UTF-8 and bounded
 * nesting.  Only a body it accepts goes to json-c, whose strict,
 * depth-bounded tokener builds the tree the field table is read from.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "userapi/alloc.h"
#include "userapi/user.h"
#include "userapi/validate.h"
#include "schemas-private.h"

/* Arrays and objects a body may nest; deeper is json_invalid. */
#define JSON_MAX_DEPTH 32

/* A field without a "has" flag. */
#define NO_HAS ((size_t)-1)

/* Room for an email-validator reason. */
#define REASON_MAX 512

/* Well-formed UTF-8 (Unicode 15, table 3-7), by lead byte. */
static const struct utf8_lead {
	unsigned char first, last; /* lead bytes */
	size_t	      n;	   /* bytes in the sequence */
	unsigned char mask;	   /* payload bits of the lead */
	unsigned char lo, hi;	   /* bounds of the second byte */
} utf8_leads[] = {
	{ 0x00, 0x7f, 1, 0x7f, 0x00, 0x00 },
	{ 0xc2, 0xdf, 2, 0x1f, 0x80, 0xbf },
	{ 0xe0, 0xe0, 3, 0x0f, 0xa0, 0xbf },
	{ 0xe1, 0xec, 3, 0x0f, 0x80, 0xbf },
	{ 0xed, 0xed, 3, 0x0f, 0x80, 0x9f }, /* no surrogates */
	{ 0xee, 0xef, 3, 0x0f, 0x80, 0xbf },
	{ 0xf0, 0xf0, 4, 0x07, 0x90, 0xbf },
	{ 0xf1, 0xf3, 4, 0x07, 0x80, 0xbf },
	{ 0xf4, 0xf4, 4, 0x07, 0x80, 0x8f }, /* up to U+10FFFF */
};

static const struct utf8_lead *
utf8_lead_of(unsigned char c)
{
	size_t i;

	for (i = 0; i < sizeof(utf8_leads) / sizeof(utf8_leads[0]); i++)
		if (c >= utf8_leads[i].first && c <= utf8_leads[i].last)
			return &utf8_leads[i];
	return NULL;
}

/* Is byte "k" (1..n-1) of a sequence led by "l" in range? */
static bool
utf8_cont_ok(const struct utf8_lead *l, size_t k, unsigned char c)
{
	if (k == 1)
		return c >= l->lo && c <= l->hi;
	return c >= 0x80 && c <= 0xbf;
}

bool
ua_utf8_next(const char *s, size_t len, size_t *i, uint32_t *cp)
{
	const unsigned char    *p;
	const struct utf8_lead *l;
	uint32_t		v;
	size_t			k;

	if (*i >= len)
		return false;
	p = (const unsigned char *)s + *i;
	if ((l = utf8_lead_of(p[0])) == NULL || len - *i < l->n)
		return false;
	v = p[0] & l->mask;
	for (k = 1; k < l->n; k++) {
		if (!utf8_cont_ok(l, k, p[k]))
			return false;
		v = v << 6 | (p[k] & 0x3f);
	}
	*cp = v;
	*i += l->n;
	return true;
}

size_t
ua_utf8_bad_span(const char *s, size_t len, size_t i, bool *truncated)
{
	const unsigned char    *p = (const unsigned char *)s + i;
	const struct utf8_lead *l;
	size_t			k;

	*truncated = false;
	if ((l = utf8_lead_of(p[0])) == NULL)
		return 1;
	for (k = 1; k < l->n; k++) {
		if (i + k >= len) {
			*truncated = true;
			return k;
		}
		if (!utf8_cont_ok(l, k, p[k]))
			return k;
	}
	return l->n;
}

size_t
ua_utf8_put(char out[4], uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Code points in "s" ("len" bytes), or -1 unless it is strict UTF-8
 * (no overlong forms, surrogates or code points past U+10FFFF).
 */
long
ua_utf8_length(const char *s, size_t len)
{
	size_t	 i = 0;
	uint32_t cp;
	long	 n = 0;

	while (i < len) {
		if (!ua_utf8_next(s, len, &i, &cp))
			return -1;
		n++;
	}
	return n;
}

void
ua_verrs_init(struct ua_verrs *errs)
{
	errs->list = NULL;
}

void
ua_verrs_cleanup(struct ua_verrs *errs)
{
	json_object_put(errs->list);
	errs->list = NULL;
}

bool
ua_verrs_empty(const struct ua_verrs *errs)
{
	return errs->list == NULL || json_object_array_length(errs->list) == 0;
}

static size_t
verrs_count(const struct ua_verrs *errs)
{
	return errs->list == NULL ? 0 : json_object_array_length(errs->list);
}

/*
 * Append {"type","loc","msg","input"[,"ctx"]}, keys in Pydantic's
 * order.  Takes the references to "loc", "input" and "ctx".
 */
void
ua_verrs_add(struct ua_verrs *errs, const char *type, struct json_object *loc,
    const char *msg, struct json_object *input, struct json_object *ctx)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "loc", loc);
	json_object_object_add(o, "msg", json_object_new_string(msg));
	json_object_object_add(o, "input", input);
	if (ctx != NULL)
		json_object_object_add(o, "ctx", ctx);
	if (errs->list == NULL)
		errs->list = json_object_new_array();
	json_object_array_add(errs->list, o);
}

/*
 * ["where", "name"], or just ["where"] when "name" is NULL.  Returns a
 * new array the caller owns (ua_verrs_add takes it).
 */
struct json_object *
ua_loc(const char *where, const char *name)
{
	struct json_object *a = json_object_new_array_ext(2);

	json_object_array_add(a, json_object_new_string(where));
	if (name != NULL)
		json_object_array_add(a, json_object_new_string(name));
	return a;
}

struct json_object *
ua_verrs_to_json(struct ua_verrs *errs)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "detail",
	    errs->list != NULL ? errs->list : json_object_new_array());
	errs->list = NULL;
	return o;
}

/* {"key": v} */
static struct json_object *
ctx_int(const char *key, int64_t v)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, key, json_object_new_int64(v));
	return o;
}

static struct json_object *
ctx_str(const char *key, const char *v)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, key, json_object_new_string(v));
	return o;
}

/* json_invalid at byte "pos" of the body, with Python's message. */
static void
json_invalid(struct ua_verrs *errs, size_t pos, const char *why)
{
	struct json_object *loc = ua_loc("body", NULL);

	json_object_array_add(loc, json_object_new_int64((int64_t)pos));
	ua_verrs_add(errs, "json_invalid", loc, "JSON decode error",
	    json_object_new_object(), ctx_str("error", why));
}

/*
 * The body's bytes as Python decodes them before json sees them:
 * strict UTF-8.  false: json_invalid added, with the decoder's words.
 */
static bool
body_utf8(const char *s, size_t len, struct ua_verrs *errs)
{
	char	 why[128];
	size_t	 i = 0, n;
	uint32_t cp;
	bool	 trunc;

	while (i < len) {
		if (ua_utf8_next(s, len, &i, &cp))
			continue;
		n = ua_utf8_bad_span(s, len, i, &trunc);
		if (n == 1)
			snprintf(why, sizeof(why),
			    "'utf-8' codec can't decode "
			    "byte 0x%02x in position %zu: %s",
			    (unsigned char)s[i], i,
			    trunc ? "unexpected end of data" :
				utf8_lead_of((unsigned char)s[i]) == NULL ?
				    "invalid start byte" :
				    "invalid continuation byte");
		else
			snprintf(why, sizeof(why),
			    "'utf-8' codec can't decode "
			    "bytes in position %zu-%zu: %s",
			    i, i + n - 1,
			    trunc ? "unexpected end of data" :
				    "invalid continuation byte");
		json_invalid(errs, i, why);
		return false;
	}
	return true;
}

/*
 * Python's json scanner (Modules/_json.c), for its verdict only: the
 * first error, its message and its offset (in bytes here).  Python
 * also reads NaN and Infinity; they are refused here ("Expecting
 * value"), since they are not JSON and could not be echoed as JSON.
 * Python lets an unpaired surrogate escape (\ud800) through into a
 * string that cannot then be encoded; it is refused here too, after
 * the whole text has been read, as an invalid \uXXXX escape.
 */
struct pyjson {
	const char *s;
	size_t	    len;
	int	    depth;
	const char *msg; /* the error, NULL while none */
	size_t	    pos;
	bool	    lone;    /* an unpaired surrogate seen */
	size_t	    lonepos; /* where: its 'u' */
};

static bool pj_value(struct pyjson *, size_t, size_t *);

static bool
pj_fail(struct pyjson *p, const char *msg, size_t pos)
{
	p->msg = msg;
	p->pos = pos;
	return false;
}

static size_t
pj_ws(const struct pyjson *p, size_t i)
{
	while (i < p->len &&
	    (p->s[i] == ' ' || p->s[i] == '\t' || p->s[i] == '\n' ||
		p->s[i] == '\r'))
		i++;
	return i;
}

static bool
pj_digit(const struct pyjson *p, size_t i)
{
	return i < p->len && p->s[i] >= '0' && p->s[i] <= '9';
}

/* The value of four hex digits at "s"; -1 if any is not one. */
static long
pj_hex4(const char *s)
{
	long v = 0;
	int  k;

	for (k = 0; k < 4; k++) {
		v <<= 4;
		if (s[k] >= '0' && s[k] <= '9')
			v |= s[k] - '0';
		else if (s[k] >= 'a' && s[k] <= 'f')
			v |= s[k] - 'a' + 10;
		else if (s[k] >= 'A' && s[k] <= 'F')
			v |= s[k] - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/*
 * A string whose opening quote is at i - 1 (scanstring_unicode).  As
 * for every pj_ function: true with "*end" just past what was read, or
 * false with the error in "p".
 */
static bool
pj_string(struct pyjson *p, size_t i, size_t *end)
{
	const char *s = p->s;
	size_t	    begin = i - 1, hexend;
	long	    c, c2;

	for (;;) {
		for (; i < p->len && s[i] != '"' && s[i] != '\\'; i++)
			if ((unsigned char)s[i] <= 0x1f)
				return pj_fail(p,
				    "Invalid control character "
				    "at",
				    i);
		if (i >= p->len)
			return pj_fail(p, "Unterminated string starting at",
			    begin);
		if (s[i] == '"') {
			*end = i + 1;
			return true;
		}
		if (++i == p->len)
			return pj_fail(p, "Unterminated string starting at",
			    begin);
		if (s[i] != 'u') {
			if (s[i] == '\0' || strchr("\"\\/bfnrt", s[i]) == NULL)
				return pj_fail(p, "Invalid \\escape", i - 1);
			i++;
			continue;
		}
		hexend = i + 5;
		if (hexend >= p->len || (c = pj_hex4(s + i + 1)) < 0)
			return pj_fail(p, "Invalid \\uXXXX escape", i);
		if (c >= 0xd800 && c <= 0xdbff && hexend + 6 < p->len &&
		    s[hexend] == '\\' && s[hexend + 1] == 'u') {
			if ((c2 = pj_hex4(s + hexend + 2)) < 0)
				return pj_fail(p, "Invalid \\uXXXX escape",
				    hexend + 1);
			if (c2 >= 0xdc00 && c2 <= 0xdfff) {
				i = hexend + 6;
				continue;
			}
		}
		if (c >= 0xd800 && c <= 0xdfff && !p->lone) {
			p->lone = true;
			p->lonepos = i;
		}
		i = hexend;
	}
}

/* A number at i (_match_number_unicode); "Expecting value" if none. */
static bool
pj_number(struct pyjson *p, size_t i, size_t *end)
{
	const char *s = p->s;
	size_t	    start = i, e;

	if (s[i] == '-' && ++i >= p->len)
		return pj_fail(p, "Expecting value", start);
	if (s[i] >= '1' && s[i] <= '9')
		while (pj_digit(p, ++i))
			continue;
	else if (s[i] == '0')
		i++;
	else
		return pj_fail(p, "Expecting value", start);
	if (i + 1 < p->len && s[i] == '.' && pj_digit(p, i + 1))
		for (i += 2; pj_digit(p, i); i++)
			continue;
	if (i + 1 < p->len && (s[i] == 'e' || s[i] == 'E')) {
		e = i++;
		if (i + 1 < p->len && (s[i] == '-' || s[i] == '+'))
			i++;
		while (pj_digit(p, i))
			i++;
		if (!pj_digit(p, i - 1))
			i = e;
	}
	*end = i;
	return true;
}

static bool
pj_word(struct pyjson *p, size_t i, const char *w, size_t *end)
{
	size_t n = strlen(w);

	if (p->len - i < n || memcmp(p->s + i, w, n) != 0)
		return pj_fail(p, "Expecting value", i);
	*end = i + n;
	return true;
}

/* An object or array opening at i (_parse_object/_parse_array). */
static bool
pj_container(struct pyjson *p, size_t i, size_t *end)
{
	const char *s = p->s;
	char	    close = s[i] == '{' ? '}' : ']';

	if (++p->depth > JSON_MAX_DEPTH)
		return pj_fail(p, "Maximum nesting depth exceeded", i);
	i = pj_ws(p, i + 1);
	if (i < p->len && s[i] == close) {
		p->depth--;
		*end = i + 1;
		return true;
	}
	for (;;) {
		if (close == '}') {
			if (i >= p->len || s[i] != '"')
				return pj_fail(p,
				    "Expecting property name "
				    "enclosed in double quotes",
				    i);
			if (!pj_string(p, i + 1, &i))
				return false;
			i = pj_ws(p, i);
			if (i >= p->len || s[i] != ':')
				return pj_fail(p, "Expecting ':' delimiter", i);
			i = pj_ws(p, i + 1);
		}
		if (!pj_value(p, i, &i))
			return false;
		i = pj_ws(p, i);
		if (i < p->len && s[i] == close)
			break;
		if (i >= p->len || s[i] != ',')
			return pj_fail(p, "Expecting ',' delimiter", i);
		i = pj_ws(p, i + 1);
	}
	p->depth--;
	*end = i + 1;
	return true;
}

/* Any value at i (scan_once_unicode). */
static bool
pj_value(struct pyjson *p, size_t i, size_t *end)
{
	if (i >= p->len)
		return pj_fail(p, "Expecting value", i);
	switch (p->s[i]) {
	case '"':
		return pj_string(p, i + 1, end);
	case '{':
	case '[':
		return pj_container(p, i, end);
	case 'n':
		return pj_word(p, i, "null", end);
	case 't':
		return pj_word(p, i, "true", end);
	case 'f':
		return pj_word(p, i, "false", end);
	default:
		return pj_number(p, i, end);
	}
}

/*
 * json.loads(): one value, whitespace around it, nothing else.  true,
 * or false with the first error (as Python reports it) in "p".
 */
static bool
pj_document(struct pyjson *p)
{
	size_t end;

	if (!pj_value(p, pj_ws(p, 0), &end))
		return false;
	if ((end = pj_ws(p, end)) != p->len)
		return pj_fail(p, "Extra data", end);
	if (p->lone)
		return pj_fail(p, "Invalid \\uXXXX escape", p->lonepos);
	return true;
}

/*
 * Python's repr() of a finite double: the shortest digits that read
 * back to it, positional from 1e-4 to 1e16, else with an exponent.
 */
static void
py_float_repr(double d, char *buf, size_t len)
{
	char   tmp[40], digits[20];
	int    prec, exp10, decpt, nd = 0, k;
	size_t o = 0;
	char  *p;

	if (d == 0) {
		snprintf(buf, len, "%s", signbit(d) ? "-0.0" : "0.0");
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	p = tmp;
	if (*p == '-')
		buf[o++] = *p++;
	for (; *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	exp10 = atoi(p + 1); /* NOLINT(cert-err34-c): %e's exponent */
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	decpt = exp10 + 1;
	if (decpt <= -4 || decpt > 16) {
		/* NOLINTNEXTLINE(clang-analyzer-core.uninitialized.Assign): %e prints a digit */
		buf[o++] = digits[0];
		if (nd > 1) {
			buf[o++] = '.';
			for (k = 1; k < nd; k++)
				buf[o++] = digits[k];
		}
		snprintf(buf + o, len - o, "e%+.2d", exp10);
		return;
	}
	if (decpt <= 0) {
		buf[o++] = '0';
		buf[o++] = '.';
		for (k = decpt; k < 0; k++)
			buf[o++] = '0';
		for (k = 0; k < nd; k++)
			buf[o++] = digits[k];
	} else {
		for (k = 0; k < decpt; k++)
			buf[o++] = k < nd ? digits[k] : '0';
		buf[o++] = '.';
		if (nd <= decpt)
			buf[o++] = '0';
		for (k = decpt; k < nd; k++)
			buf[o++] = digits[k];
	}
	buf[o] = '\0';
}

/*
 * Give every finite double in "o" Python's spelling (1.50 -> 1.5,
 * 1e3 -> 1000.0), so that inputs are echoed as FastAPI echoes them.
 * The tree is at most JSON_MAX_DEPTH deep.
 */
static void
pythonise_numbers(struct json_object *o)
{
	char   buf[40];
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_double:
		if (!isfinite(json_object_get_double(o)))
			break;
		py_float_repr(json_object_get_double(o), buf, sizeof(buf));
		json_object_set_serializer(o,
		    json_object_userdata_to_json_string, ua_xstrdup(buf),
		    json_object_free_userdata);
		break;
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			pythonise_numbers(json_object_array_get_idx(o, i));
		break;
	case json_type_object: {
		json_object_object_foreach(o, key, val)
		{
			(void)key;
			pythonise_numbers(val);
		}
		break;
	}
	default:
		break;
	}
}

/*
 * Parse "s" ("len" bytes) into "*out" (NULL for JSON null; the caller
 * puts it).  false: the body is not JSON, json_invalid added.
 */
static bool
parse_json(const char *s, size_t len, struct json_object **out,
    struct ua_verrs *errs)
{
	struct pyjson		p;
	struct json_tokener    *tok;
	struct json_object     *o = NULL;
	enum json_tokener_error je = json_tokener_continue;
	size_t			off = 0, n;

	*out = NULL;
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3; /* Python reads bytes as utf-8-sig */
		len -= 3;
	}
	if (!body_utf8(s, len, errs))
		return false;
	memset(&p, 0, sizeof(p));
	p.s = s;
	p.len = len;
	if (!pj_document(&p)) {
		json_invalid(errs, p.pos, p.msg);
		return false;
	}

	if ((tok = json_tokener_new_ex(JSON_MAX_DEPTH + 1)) == NULL) {
		fprintf(stderr, "userapi: out of memory (json_tokener)\n");
		abort();
	}
	json_tokener_set_flags(tok,
	    JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	while (off < len && je == json_tokener_continue) {
		n = len - off > INT32_MAX ? INT32_MAX : len - off;
		o = json_tokener_parse_ex(tok, s + off, (int)n);
		je = json_tokener_get_error(tok);
		off += n;
	}
	if (je == json_tokener_continue) {
		/* A bare number ends only at the end of the text. */
		o = json_tokener_parse_ex(tok, "", 1);
		je = json_tokener_get_error(tok);
	}
	if (je != json_tokener_success) {
		/* Not expected after the check above; still json_invalid. */
		json_object_put(o);
		json_tokener_free(tok);
		json_invalid(errs, 0, "Expecting value");
		return false;
	}
	json_tokener_free(tok);
	pythonise_numbers(o);
	*out = o;
	return true;
}

static void
add_field(struct ua_verrs *errs, const char *type, const char *name,
    const char *msg, struct json_object *input, struct json_object *ctx)
{
	ua_verrs_add(errs, type, ua_loc("body", name), msg, input, ctx);
}

/* string_type; "input" borrowed (NULL: JSON null). */
static void
wrong_string(const struct ua_field *f, struct json_object *input,
    struct ua_verrs *errs)
{
	add_field(errs, "string_type", f->name,
	    "Input should be a valid string", json_object_get(input), NULL);
}

/* enum: "Input should be 'admin' or 'user'", from the role names. */
static void
wrong_role(const struct ua_field *f, struct json_object *input,
    struct ua_verrs *errs)
{
	char	    expected[128], msg[160];
	const char *sep;
	size_t	    o = 0;
	int	    r;

	expected[0] = '\0';
	for (r = 0; r < UA_ROLE__MAX && o < sizeof(expected); r++) {
		/* Python's list: "'a'", "'a' or 'b'", "'a', 'b' or 'c'". */
		if (r == 0)
			sep = "";
		/* cppcheck-suppress knownConditionTrueFalse ; while two roles */
		else if (r == UA_ROLE__MAX - 1)
			sep = " or ";
		else
			sep = ", ";
		o += (size_t)snprintf(expected + o, sizeof(expected) - o,
		    "%s'%s'", sep, ua_role_name((enum ua_role)r));
	}
	snprintf(msg, sizeof(msg), "Input should be %s", expected);
	add_field(errs, "enum", f->name, msg, json_object_get(input),
	    ctx_str("expected", expected));
}

static void
value_error(const struct ua_field *f, struct json_object *input,
    const char *error, struct ua_verrs *errs)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "Value error, %s", error);
	add_field(errs, "value_error", f->name, msg, json_object_get(input),
	    ctx_str("error", error));
}

/* Mark field "f" present in the struct at "base", if it has a flag. */
static void
set_has(const struct ua_field *f, char *base)
{
	bool yes = true;

	if (f->has_off != NO_HAS)
		memcpy(base + f->has_off, &yes, sizeof(yes));
}

/*
 * Text (UA_F_STRING, UA_F_PASSWORD): length in code points, then NUL,
 * then length in bytes (never more than the buffer holds).  The first
 * failing check is the one reported, as Pydantic stops at the first.
 * Returns true if stored, NUL-terminated, at f->off.
 */
static bool
check_text(const struct ua_field *f, const char *s, size_t len,
    struct json_object *input, char *base, struct ua_verrs *errs)
{
	char   msg[128];
	long   n = ua_utf8_length(s, len);
	size_t maxb;

	if (f->min_len > 0 && n < f->min_len) {
		snprintf(msg, sizeof(msg),
		    "String should have at least %d "
		    "character%s",
		    f->min_len, f->min_len == 1 ? "" : "s");
		add_field(errs, "string_too_short", f->name, msg,
		    json_object_get(input), ctx_int("min_length", f->min_len));
		return false;
	}
	if (f->max_len > 0 && n > f->max_len) {
		snprintf(msg, sizeof(msg),
		    "String should have at most %d "
		    "character%s",
		    f->max_len, f->max_len == 1 ? "" : "s");
		add_field(errs, "string_too_long", f->name, msg,
		    json_object_get(input), ctx_int("max_length", f->max_len));
		return false;
	}
	if (memchr(s, '\0', len) != NULL) {
		value_error(f, input, "must not contain NUL characters", errs);
		return false;
	}
	maxb = f->size - 1;
	if (f->max_bytes > 0 && (size_t)f->max_bytes < maxb)
		maxb = (size_t)f->max_bytes;
	if (len > maxb) {
		snprintf(msg, sizeof(msg), "must be at most %zu bytes in UTF-8",
		    maxb);
		value_error(f, input, msg, errs);
		return false;
	}
	memcpy(base + f->off, s, len);
	base[f->off + len] = '\0';
	return true;
}

/*
 * UA_F_EMAIL: NUL, then email-validator's rules; stores the normal
 * form.  Returns true if stored, else adds the problem.
 */
static bool
check_email(const struct ua_field *f, const char *s, size_t len,
    struct json_object *input, char *base, struct ua_verrs *errs)
{
	char reason[REASON_MAX], msg[REASON_MAX + 64];

	if (memchr(s, '\0', len) != NULL) {
		value_error(f, input, "must not contain NUL characters", errs);
		return false;
	}
	if (ua_email_normalise(s, len, base + f->off, f->size, reason,
		sizeof(reason)) == UA_OK)
		return true;
	snprintf(msg, sizeof(msg), "value is not a valid email address: %s",
	    reason);
	add_field(errs, "value_error", f->name, msg, json_object_get(input),
	    ctx_str("reason", reason));
	return false;
}

/*
 * UA_F_ROLE: exactly an API role name; stores an enum ua_role.
 * Returns true if stored, else adds the enum problem.
 */
static bool
check_role(const struct ua_field *f, const char *s, size_t len,
    struct json_object *input, char *base, struct ua_verrs *errs)
{
	enum ua_role r;

	if (f->size != sizeof(r))
		abort(); /* a broken field table */
	if (strlen(s) != len || ua_role_from_api(s, &r) != UA_OK) {
		wrong_role(f, input, errs);
		return false;
	}
	memcpy(base + f->off, &r, sizeof(r));
	return true;
}

/* Per field type: checking a string value, and refusing any other. */
static const struct ftype {
	/* cppcheck-suppress unusedStructMember ; read through ftype_of() */
	bool (*check)(const struct ua_field *, const char *, size_t,
	    struct json_object *, char *, struct ua_verrs *);
	/* cppcheck-suppress unusedStructMember ; read through ftype_of() */
	void (*wrong)(const struct ua_field *, struct json_object *,
	    struct ua_verrs *);
} ftypes[UA_F__MAX] = {
	[UA_F_STRING] = { check_text, wrong_string },
	[UA_F_EMAIL] = { check_email, wrong_string },
	[UA_F_PASSWORD] = { check_text, wrong_string },
	[UA_F_ROLE] = { check_role, wrong_role },
};

static const struct ftype *
ftype_of(const struct ua_field *f)
{
	if ((unsigned)f->type >= UA_F__MAX)
		abort(); /* a broken field table */
	return &ftypes[f->type];
}

/*
 * The fields of "schema" from the object "root" into "base": every
 * problem is appended to "errs", one per field at most.
 */
static void
apply_object(const struct ua_schema *schema, struct json_object *root,
    char *base, struct ua_verrs *errs)
{
	const struct ua_field *f;
	struct json_object    *v;
	size_t		       i;

	for (i = 0; i < schema->nfields; i++) {
		f = &schema->fields[i];
		if (!json_object_object_get_ex(root, f->name, &v)) {
			if (f->required)
				add_field(errs, "missing", f->name,
				    "Field required", json_object_get(root),
				    NULL);
			continue;
		}
		if (v == NULL && f->nullable)
			continue;
		if (!json_object_is_type(v, json_type_string)) {
			ftype_of(f)->wrong(f, v, errs);
			continue;
		}
		if (ftype_of(f)->check(f, json_object_get_string(v),
			(size_t)json_object_get_string_len(v), v, base, errs))
			set_has(f, base);
	}
}

/*
 * Parse JSON "body" against "schema" into "out" (see validate.h).  On
 * UA_ERR_INVALID "out" may be partly filled; the problems found are
 * appended to "errs" (which may already hold others).
 */
enum ua_err
ua_schema_parse(const struct ua_schema *schema, const char *body, size_t len,
    void *out, struct ua_verrs *errs)
{
	struct json_object *root;
	size_t		    before = verrs_count(errs);

	if (body == NULL || len == 0) {
		ua_verrs_add(errs, "missing", ua_loc("body", NULL),
		    "Field required", NULL, NULL);
		return UA_ERR_INVALID;
	}
	if (!parse_json(body, len, &root, errs))
		return UA_ERR_INVALID;
	if (root == NULL)
		ua_verrs_add(errs, "missing", ua_loc("body", NULL),
		    "Field required", NULL, NULL);
	else if (!json_object_is_type(root, json_type_object))
		ua_verrs_add(errs, "model_attributes_type",
		    ua_loc("body", NULL),
		    "Input should be a valid dictionary "
		    "or object to extract fields from",
		    json_object_get(root), NULL);
	else
		apply_object(schema, root, out, errs);
	json_object_put(root);
	return verrs_count(errs) == before ? UA_OK : UA_ERR_INVALID;
}

/*
 * "s" with every ill-formed UTF-8 sequence replaced by U+FFFD, as
 * Starlette's form decoding leaves it.  Returns a new string (caller
 * frees) and its length in "*outlen".
 */
static char *
utf8_repair(const char *s, size_t len, size_t *outlen)
{
	char	*out = ua_xmalloc(3 * len + 1);
	size_t	 i = 0, o = 0, start;
	uint32_t cp;
	bool	 trunc;

	while (i < len) {
		start = i;
		if (ua_utf8_next(s, len, &i, &cp)) {
			memcpy(out + o, s + start, i - start);
			o += i - start;
			continue;
		}
		i += ua_utf8_bad_span(s, len, i, &trunc);
		memcpy(out + o, "\xef\xbf\xbd", 3);
		o += 3;
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

/*
 * The same checks for a form (see validate.h).  An empty value counts
 * as absent, as FastAPI treats empty form fields, so a required one is
 * "missing" with input null.  Returns UA_OK or UA_ERR_INVALID.
 */
enum ua_err
ua_schema_parse_form(const struct ua_schema *schema,
    const char *(*get)(void *arg, const char *name, size_t *len), void *arg,
    void *out, struct ua_verrs *errs)
{
	const struct ua_field *f;
	struct json_object    *input;
	const char	      *v;
	char		      *text;
	size_t		       i, before = verrs_count(errs), len, vlen;

	for (i = 0; i < schema->nfields; i++) {
		f = &schema->fields[i];
		if ((v = get(arg, f->name, &vlen)) == NULL || vlen == 0) {
			if (f->required)
				add_field(errs, "missing", f->name,
				    "Field required", NULL, NULL);
			continue;
		}
		text = utf8_repair(v, vlen, &len);
		input = json_object_new_string_len(text, (int)len);
		if (ftype_of(f)->check(f, text, len, input, out, errs))
			set_has(f, out);
		json_object_put(input);
		free(text);
	}
	return verrs_count(errs) == before ? UA_OK : UA_ERR_INVALID;
}

/* How a query or path integer reads, as pydantic-core's str_as_int. */
enum pyint {
	PYINT_OK,
	PYINT_BAD,   /* not an integer */
	PYINT_BIG,   /* an integer above INT64_MAX */
	PYINT_SMALL, /* an integer below INT64_MIN */
};

/* Unicode White_Space, in UTF-8: what Rust's str::trim() removes. */
static const char *const white_space[] = {
	"\t",
	"\n",
	"\v",
	"\f",
	"\r",
	" ",
	"\xc2\x85",
	"\xc2\xa0",
	"\xe1\x9a\x80",
	"\xe2\x80\x80",
	"\xe2\x80\x81",
	"\xe2\x80\x82",
	"\xe2\x80\x83",
	"\xe2\x80\x84",
	"\xe2\x80\x85",
	"\xe2\x80\x86",
	"\xe2\x80\x87",
	"\xe2\x80\x88",
	"\xe2\x80\x89",
	"\xe2\x80\x8a",
	"\xe2\x80\xa8",
	"\xe2\x80\xa9",
	"\xe2\x80\xaf",
	"\xe2\x81\x9f",
	"\xe3\x80\x80",
};

/* Bytes of white space at the start (or, with "tail", the end) of s..e. */
static size_t
white_at(const char *s, const char *e, bool tail)
{
	size_t i, n;

	for (i = 0; i < sizeof(white_space) / sizeof(white_space[0]); i++) {
		n = strlen(white_space[i]);
		if ((size_t)(e - s) >= n &&
		    memcmp(tail ? e - n : s, white_space[i], n) == 0)
			return n;
	}
	return 0;
}

/*
 * White space trimmed, an optional sign, decimal digits with single
 * '_' between them (as Python's int() reads), and optionally '.' and
 * one or more zeros ("5.0" is 5, "5." is not an integer).  "*out" is
 * set only with PYINT_OK.
 */
static enum pyint
parse_pyint(const char *raw, int64_t *out)
{
	const char *s = raw, *e = raw + strlen(raw), *dot;
	uint64_t    v = 0, lim;
	unsigned    d;
	size_t	    n;
	bool	    neg = false, big = false;

	while (s < e && (n = white_at(s, e, false)) > 0)
		s += n;
	while (e > s && (n = white_at(s, e, true)) > 0)
		e -= n;
	if (s >= e)
		return PYINT_BAD;
	if ((dot = memchr(s, '.', (size_t)(e - s))) != NULL) {
		if (dot + 1 == e)
			return PYINT_BAD;
		for (n = 1; dot + n < e; n++)
			if (dot[n] != '0')
				return PYINT_BAD;
		e = dot;
	}
	if (s < e && (*s == '+' || *s == '-'))
		neg = *s++ == '-';
	if (s == e || *s == '_' || e[-1] == '_')
		return PYINT_BAD;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; s < e; s++) {
		if (*s == '_' && s[1] != '_')
			continue;
		if (*s < '0' || *s > '9')
			return PYINT_BAD;
		d = (unsigned)(*s - '0');
		if (!big && v > (lim - d) / 10)
			big = true;
		else if (!big)
			v = v * 10 + d;
	}
	if (big)
		return neg ? PYINT_SMALL : PYINT_BIG;
	*out = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) :
		     (int64_t)v;
	return PYINT_OK;
}

static void
param_bound(struct ua_verrs *errs, const char *where, const char *name,
    const char *raw, bool upper, int64_t bound)
{
	char msg[96];

	snprintf(msg, sizeof(msg), "Input should be %s than or equal to %lld",
	    upper ? "less" : "greater", (long long)bound);
	ua_verrs_add(errs, upper ? "less_than_equal" : "greater_than_equal",
	    ua_loc(where, name), msg, json_object_new_string(raw),
	    ctx_int(upper ? "le" : "ge", bound));
}

/*
 * An integer query or path parameter (see validate.h).  An integer
 * past int64 is reported against the bound it breaks, or as
 * int_parsing when there is no such bound.
 */
bool
ua_param_int(const char *where, const char *name, const char *raw, int64_t def,
    int64_t min, int64_t max, int64_t *out, struct ua_verrs *errs)
{
	int64_t v = 0;

	if (raw == NULL) {
		*out = def;
		return true;
	}
	switch (parse_pyint(raw, &v)) {
	case PYINT_OK:
		break;
	case PYINT_BIG:
		if (max < INT64_MAX) {
			param_bound(errs, where, name, raw, true, max);
			return false;
		}
		goto bad;
	case PYINT_SMALL:
		if (min > INT64_MIN) {
			param_bound(errs, where, name, raw, false, min);
			return false;
		}
		goto bad;
	case PYINT_BAD:
		goto bad;
	}
	if (v > max) {
		param_bound(errs, where, name, raw, true, max);
		return false;
	}
	if (v < min) {
		param_bound(errs, where, name, raw, false, min);
		return false;
	}
	*out = v;
	return true;
bad:
	ua_verrs_add(errs, "int_parsing", ua_loc(where, name),
	    "Input should "
	    "be a valid integer, unable to parse string as an integer",
	    json_object_new_string(raw), NULL);
	return false;
}
