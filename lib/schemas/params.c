/*
 * params.c -- integers written as text, read as pydantic-core reads
 * them: query and path parameters, and the string values of integer
 * body fields (schema.c, through schemas-private.h).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "userapi/validate.h"
#include "schemas-private.h"

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
 * set only with UA_PYINT_OK.
 */
enum ua_pyint
ua_pyint_parse(const char *raw, size_t len, int64_t *out)
{
	const char *s = raw, *e = raw + len, *dot;
	uint64_t    v = 0, lim;
	unsigned    d;
	size_t	    n;
	bool	    neg = false, big = false;

	while (s < e && (n = white_at(s, e, false)) > 0)
		s += n;
	while (e > s && (n = white_at(s, e, true)) > 0)
		e -= n;
	if (s >= e)
		return UA_PYINT_BAD;
	if ((dot = memchr(s, '.', (size_t)(e - s))) != NULL) {
		if (dot + 1 == e)
			return UA_PYINT_BAD;
		for (n = 1; dot + n < e; n++)
			if (dot[n] != '0')
				return UA_PYINT_BAD;
		e = dot;
	}
	if (s < e && (*s == '+' || *s == '-'))
		neg = *s++ == '-';
	if (s == e || *s == '_' || e[-1] == '_')
		return UA_PYINT_BAD;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; s < e; s++) {
		if (*s == '_' && s[1] != '_')
			continue;
		if (*s < '0' || *s > '9')
			return UA_PYINT_BAD;
		d = (unsigned)(*s - '0');
		if (!big && v > (lim - d) / 10)
			big = true;
		else if (!big)
			v = v * 10 + d;
	}
	if (big)
		return neg ? UA_PYINT_SMALL : UA_PYINT_BIG;
	*out = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) :
		     (int64_t)v;
	return UA_PYINT_OK;
}

/*
 * less_than_equal ("upper") or greater_than_equal at "loc", Pydantic's
 * words.  Takes the references to "loc" and "input".
 */
void
ua_verrs_add_bound(struct ua_verrs *errs, struct json_object *loc,
    struct json_object *input, bool upper, int64_t bound)
{
	char msg[96];

	snprintf(msg, sizeof(msg), "Input should be %s than or equal to %lld",
	    upper ? "less" : "greater", (long long)bound);
	ua_verrs_add(errs, upper ? "less_than_equal" : "greater_than_equal",
	    loc, msg, input, ua_verrs_ctx_int(upper ? "le" : "ge", bound));
}

static void
param_bound(struct ua_verrs *errs, const char *where, const char *name,
    const char *raw, bool upper, int64_t bound)
{
	ua_verrs_add_bound(errs, ua_loc(where, name),
	    json_object_new_string(raw), upper, bound);
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
	switch (ua_pyint_parse(raw, strlen(raw), &v)) {
	case UA_PYINT_OK:
		break;
	case UA_PYINT_BIG:
		if (max < INT64_MAX) {
			param_bound(errs, where, name, raw, true, max);
			return false;
		}
		goto bad;
	case UA_PYINT_SMALL:
		if (min > INT64_MIN) {
			param_bound(errs, where, name, raw, false, min);
			return false;
		}
		goto bad;
	case UA_PYINT_BAD:
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
