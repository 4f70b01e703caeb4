/*
 * pyjson.c -- a JSON body read as FastAPI reads it.
 *
 * A body is read twice.  First a checker that follows Python's json
 * module rule for rule (its scanner, not just the grammar), so that a
 * malformed body is reported with the message and offset FastAPI
 * gives; it also holds bodies to strict UTF-8 and bounded nesting.
 * Only a body it accepts goes to json-c, whose strict, depth-bounded
 * tokener builds the tree the field tables are read from; its numbers
 * are then given Python's spelling, so inputs are echoed as FastAPI
 * echoes them.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "userapi/alloc.h"
#include "userapi/validate.h"
#include "schemas-private.h"

/* Arrays and objects a body may nest; deeper is json_invalid. */
#define JSON_MAX_DEPTH 32

/* json_invalid at byte "pos" of the body, with Python's message. */
static void
json_invalid(struct ua_verrs *errs, size_t pos, const char *why)
{
	struct json_object *loc = ua_loc("body", NULL);

	json_object_array_add(loc, json_object_new_int64((int64_t)pos));
	ua_verrs_add(errs, "json_invalid", loc, "JSON decode error",
	    json_object_new_object(), ua_verrs_ctx_str("error", why));
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
				ua_utf8_starts((unsigned char)s[i]) ?
				    "invalid continuation byte" :
				    "invalid start byte");
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
bool
ua_json_parse_body(const char *s, size_t len, struct json_object **out,
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
