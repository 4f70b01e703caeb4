/*
 * email.c -- email addresses by the syntax rules of Python's
 * email-validator 2 with deliverability checks off, applied the way
 * Pydantic's EmailStr applies them: longer than 2048 characters is
 * refused, "Name <addr>" is unwrapped, surrounding whitespace is
 * stripped, then the address is checked and email-validator's reason
 * for the first problem is given word for word.
 *
 * Narrower than the original where it needs Unicode tables this file
 * does not carry: the domain must be ASCII (an internationalised one is
 * refused with its own reason, xn-- labels pass as written), the local
 * part is not NFC-normalised, and "unsafe" characters are the controls,
 * format characters, separators, private-use code points and leading
 * combining marks listed below rather than whole Unicode categories.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "userapi/alloc.h"
#include "userapi/validate.h"
#include "utf8-private.h"

#define PYDANTIC_MAX 2048 /* characters EmailStr looks at */
#define EMAIL_MAX 254	  /* octets, the whole address */
#define LOCAL_MAX 64	  /* characters before the @-sign */
#define DOMAIN_MAX 253	  /* octets after it */
#define LABEL_MAX 63	  /* octets between two periods */
#define SHOWN_MAX 32	  /* distinct characters a reason names */
#define SHOWN_LEN 48	  /* room for one of them, quoted or named */

/*
 * Quoted local parts ("john doe"@example.com).  email-validator 2
 * refuses them unless the caller opts in (its ALLOW_QUOTED_LOCAL is
 * false, and Pydantic does not opt in); API.md accepts them.
 */
static const bool allow_quoted_local = true;

/* IANA special-use names, refused as the domain or as its suffix. */
static const char *const special_use[] = {
	"arpa",
	"invalid",
	"local",
	"localhost",
	"onion",
	"test",
};

/* RFC 2142 mailboxes: case-insensitive, so lower-cased. */
static const char *const rfc2142[] = {
	"info",
	"marketing",
	"sales",
	"support",
	"abuse",
	"noc",
	"security",
	"postmaster",
	"hostmaster",
	"usenet",
	"news",
	"webmaster",
	"www",
	"uucp",
	"ftp",
};

/* What Python's str.strip() and the regex \s treat as whitespace. */
static const struct cprange {
	uint32_t lo, hi;
} py_spaces[] = {
	{ 0x0009, 0x000d },
	{ 0x001c, 0x0020 },
	{ 0x0085, 0x0085 },
	{ 0x00a0, 0x00a0 },
	{ 0x1680, 0x1680 },
	{ 0x2000, 0x200a },
	{ 0x2028, 0x2029 },
	{ 0x202f, 0x202f },
	{ 0x205f, 0x205f },
	{ 0x3000, 0x3000 },
};

/*
 * Unsafe anywhere (Unicode categories C and Z): controls, format
 * characters, separators, surrogates, private use.  Spaces (Zs) are
 * allowed inside quotes.
 */
static const struct unsafe {
	uint32_t lo, hi;
	bool	 space;
} unsafe_ranges[] = {
	{ 0x0000, 0x001f, false },
	{ 0x0020, 0x0020, true },
	{ 0x007f, 0x009f, false },
	{ 0x00a0, 0x00a0, true },
	{ 0x00ad, 0x00ad, false },
	{ 0x0600, 0x0605, false },
	{ 0x061c, 0x061c, false },
	{ 0x06dd, 0x06dd, false },
	{ 0x070f, 0x070f, false },
	{ 0x08e2, 0x08e2, false },
	{ 0x1680, 0x1680, true },
	{ 0x180e, 0x180e, false },
	{ 0x2000, 0x200a, true },
	{ 0x200b, 0x200f, false },
	{ 0x2028, 0x202e, false },
	{ 0x202f, 0x202f, true },
	{ 0x205f, 0x205f, true },
	{ 0x2060, 0x2064, false },
	{ 0x2066, 0x206f, false },
	{ 0x3000, 0x3000, true },
	{ 0xd800, 0xf8ff, false },
	{ 0xfdd0, 0xfdef, false },
	{ 0xfeff, 0xfeff, false },
	{ 0xfff9, 0xfffb, false },
	{ 0x110bd, 0x110bd, false },
	{ 0x1d173, 0x1d17a, false },
	{ 0xe0001, 0xe0001, false },
	{ 0xe0020, 0xe007f, false },
	{ 0xf0000, 0x10ffff, false },
};

/* Combining marks (category M): unsafe as the first character. */
static const struct cprange marks[] = {
	{ 0x0300, 0x036f },
	{ 0x0483, 0x0489 },
	{ 0x0591, 0x05bd },
	{ 0x064b, 0x065f },
	{ 0x1ab0, 0x1aff },
	{ 0x1dc0, 0x1dff },
	{ 0x20d0, 0x20ff },
	{ 0x302a, 0x302f },
	{ 0x3099, 0x309a },
	{ 0xfe00, 0xfe0f },
	{ 0xfe20, 0xfe2f },
	{ 0xe0100, 0xe01ef },
};

/* Unicode's names for the characters a reason may have to name. */
static const struct cpname {
	uint32_t    cp;
	const char *name;
} cpnames[] = {
	{ 0x0020, "SPACE" },
	{ 0x00a0, "NO-BREAK SPACE" },
	{ 0x00ad, "SOFT HYPHEN" },
	{ 0x061c, "ARABIC LETTER MARK" },
	{ 0x1680, "OGHAM SPACE MARK" },
	{ 0x180e, "MONGOLIAN VOWEL SEPARATOR" },
	{ 0x2000, "EN QUAD" },
	{ 0x2001, "EM QUAD" },
	{ 0x2002, "EN SPACE" },
	{ 0x2003, "EM SPACE" },
	{ 0x2004, "THREE-PER-EM SPACE" },
	{ 0x2005, "FOUR-PER-EM SPACE" },
	{ 0x2006, "SIX-PER-EM SPACE" },
	{ 0x2007, "FIGURE SPACE" },
	{ 0x2008, "PUNCTUATION SPACE" },
	{ 0x2009, "THIN SPACE" },
	{ 0x200a, "HAIR SPACE" },
	{ 0x200b, "ZERO WIDTH SPACE" },
	{ 0x200c, "ZERO WIDTH NON-JOINER" },
	{ 0x200d, "ZERO WIDTH JOINER" },
	{ 0x200e, "LEFT-TO-RIGHT MARK" },
	{ 0x200f, "RIGHT-TO-LEFT MARK" },
	{ 0x2028, "LINE SEPARATOR" },
	{ 0x2029, "PARAGRAPH SEPARATOR" },
	{ 0x202a, "LEFT-TO-RIGHT EMBEDDING" },
	{ 0x202b, "RIGHT-TO-LEFT EMBEDDING" },
	{ 0x202c, "POP DIRECTIONAL FORMATTING" },
	{ 0x202d, "LEFT-TO-RIGHT OVERRIDE" },
	{ 0x202e, "RIGHT-TO-LEFT OVERRIDE" },
	{ 0x202f, "NARROW NO-BREAK SPACE" },
	{ 0x205f, "MEDIUM MATHEMATICAL SPACE" },
	{ 0x2060, "WORD JOINER" },
	{ 0x2061, "FUNCTION APPLICATION" },
	{ 0x2062, "INVISIBLE TIMES" },
	{ 0x2063, "INVISIBLE SEPARATOR" },
	{ 0x2064, "INVISIBLE PLUS" },
	{ 0x2066, "LEFT-TO-RIGHT ISOLATE" },
	{ 0x2067, "RIGHT-TO-LEFT ISOLATE" },
	{ 0x2068, "FIRST STRONG ISOLATE" },
	{ 0x2069, "POP DIRECTIONAL ISOLATE" },
	{ 0x3000, "IDEOGRAPHIC SPACE" },
	{ 0xfeff, "ZERO WIDTH NO-BREAK SPACE" },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* One address being checked; large, so it lives on the heap. */
struct addr {
	uint32_t in[PYDANTIC_MAX]; /* the input, decoded */
	size_t	 n;
	uint32_t dname[PYDANTIC_MAX]; /* display name, unquoted */
	size_t	 ndname;
	bool	 display;	      /* "Name <addr>" form */
	uint32_t local[PYDANTIC_MAX]; /* local part, unquoted */
	size_t	 nlocal;
	bool	 quoted;		  /* it came in quotes */
	uint32_t norm[2 * LOCAL_MAX + 2]; /* its normal form */
	size_t	 nnorm;
	bool	 smtputf8;  /* it is not ASCII */
	size_t	 dom, ndom; /* domain: in[dom..+ndom) */
	char	*reason;
	size_t	 reasonlen;
};

/* Characters for a reason: distinct, in the order Python sorts them. */
struct shown {
	char   s[SHOWN_MAX][SHOWN_LEN];
	size_t n;
};

static enum ua_err fail(struct addr *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Write the reason (truncated to fit); returns UA_ERR_INVALID. */
static enum ua_err
fail(struct addr *a, const char *fmt, ...)
{
	va_list ap;

	if (a->reasonlen == 0)
		return UA_ERR_INVALID;
	va_start(ap, fmt);
	vsnprintf(a->reason, a->reasonlen, fmt, ap);
	va_end(ap);
	return UA_ERR_INVALID;
}

static bool
in_ranges(const struct cprange *r, size_t n, uint32_t cp)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cp >= r[i].lo && cp <= r[i].hi)
			return true;
	return false;
}

static bool
py_space(uint32_t cp)
{
	return in_ranges(py_spaces, NELEM(py_spaces), cp);
}

static bool
is_mark(uint32_t cp)
{
	return in_ranges(marks, NELEM(marks), cp);
}

/* The unsafe range holding "cp", or NULL; noncharacters included. */
static const struct unsafe *
unsafe_range(uint32_t cp)
{
	static const struct unsafe nonchar = { 0, 0, false };
	size_t			   i;

	for (i = 0; i < NELEM(unsafe_ranges); i++)
		if (cp >= unsafe_ranges[i].lo && cp <= unsafe_ranges[i].hi)
			return &unsafe_ranges[i];
	return (cp & 0xfffe) == 0xfffe ? &nonchar : NULL;
}

static bool
is_alnum(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* RFC 5322 atext, ASCII only. */
static bool
is_atext(uint32_t c)
{
	return is_alnum(c) ||
	    (c != 0 && c < 0x80 && strchr("!#$%&'*+-/=?^_`{|}~", (int)c));
}

static uint32_t
lower(uint32_t c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static size_t
utf8_len(uint32_t cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/*
 * How email-validator shows a character in a reason: quoted if it is
 * a letter, digit, punctuation or symbol, else by its Unicode name or,
 * lacking one, as U+XXXX.
 */
static void
char_display(uint32_t cp, char *buf, size_t len)
{
	char   u[5];
	size_t i;

	if (cp == '\\') {
		snprintf(buf, len, "\"\\\"");
		return;
	}
	if (cp == '\'') {
		snprintf(buf, len, "\"'\"");
		return;
	}
	if (cp > 0x20 && cp < 0x7f) {
		snprintf(buf, len, "'%c'", (int)cp);
		return;
	}
	for (i = 0; i < NELEM(cpnames); i++)
		if (cpnames[i].cp == cp) {
			snprintf(buf, len, "%s", cpnames[i].name);
			return;
		}
	if (unsafe_range(cp) != NULL || is_mark(cp)) {
		snprintf(buf, len, cp < 0xffff ? "U+%04X" : "U+%08X",
		    (unsigned)cp);
		return;
	}
	u[ua_utf8_put(u, cp)] = '\0';
	snprintf(buf, len, "'%s'", u);
}

/* Add how "cp" is shown, unless already there or the list is full. */
static void
shown_add(struct shown *sh, uint32_t cp)
{
	char   buf[SHOWN_LEN];
	size_t i;

	char_display(cp, buf, sizeof(buf));
	for (i = 0; i < sh->n; i++)
		if (strcmp(sh->s[i], buf) == 0)
			return;
	if (sh->n < SHOWN_MAX)
		memcpy(sh->s[sh->n++], buf, sizeof(buf));
}

static int
shown_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Sorted, ", "-separated, into "buf". */
static const char *
shown_join(struct shown *sh, char *buf, size_t len)
{
	size_t i, o = 0;

	qsort(sh->s, sh->n, sizeof(sh->s[0]), shown_cmp);
	buf[0] = '\0';
	for (i = 0; i < sh->n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s",
		    i > 0 ? ", " : "", sh->s[i]);
	return buf;
}

/* "(N character(s) too many)", email-validator's get_length_reason. */
static const char *
too_many(size_t diff, char *buf, size_t len)
{
	snprintf(buf, len, "(%zu character%s too many)", diff,
	    diff > 1 ? "s" : "");
	return buf;
}

/*
 * email-validator's check_unsafe_chars over c[0..n): the offending
 * characters are named in code point order.  UA_OK or UA_ERR_INVALID.
 */
static enum ua_err
unsafe_chars(struct addr *a, const uint32_t *c, size_t n, bool allow_space)
{
	const struct unsafe *r;
	uint32_t	     bad[SHOWN_MAX], t;
	char		     list[SHOWN_MAX * (SHOWN_LEN + 2)];
	char		     one[SHOWN_LEN];
	size_t		     i, j, nbad = 0, o = 0;

	for (i = 0; i < n; i++) {
		if (is_mark(c[i])) {
			if (i != 0)
				continue;
		} else if ((r = unsafe_range(c[i])) == NULL ||
		    (r->space && allow_space))
			continue;
		for (j = 0; j < nbad && bad[j] != c[i]; j++)
			continue;
		if (j == nbad && nbad < SHOWN_MAX)
			bad[nbad++] = c[i];
	}
	if (nbad == 0)
		return UA_OK;
	for (i = 1; i < nbad; i++) /* insertion sort: a handful */
		for (j = i; j > 0 && bad[j - 1] > bad[j]; j--) {
			t = bad[j];
			bad[j] = bad[j - 1];
			bad[j - 1] = t;
		}
	list[0] = '\0';
	for (i = 0; i < nbad && o < sizeof(list); i++) {
		char_display(bad[i], one, sizeof(one));
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
		    i > 0 ? ", " : "", one);
	}
	return fail(a, "The email address contains unsafe characters: %s.",
	    list);
}

/*
 * Pydantic's "pretty" form, the regex
 * \s*(?:unquoted-name|"quoted-name")?\s*<(.+)>\s* matched in full:
 * on a match, [*s, *e) is set to what is inside the angle brackets.
 */
static bool
pretty_unwrap(const uint32_t *c, size_t n, size_t *s, size_t *e)
{
	size_t i = 0, j = n, gt, lt, q, t, k;
	bool   word = false;

	while (j > 0 && py_space(c[j - 1]))
		j--;
	if (j == 0 || c[j - 1] != '>')
		return false;
	gt = j - 1;
	while (i < gt && py_space(c[i]))
		i++;
	lt = gt;
	if (c[i] == '<')
		lt = i;
	else if (c[i] == '"') {
		/* The longest quoted name after which "<...>" follows. */
		for (q = gt - 1; q >= i + 2; q--) {
			if (c[q] != '"')
				continue;
			for (t = q + 1; t < gt && py_space(c[t]); t++)
				continue;
			if (t < gt && c[t] == '<') {
				for (k = t + 1; k < gt && c[k] != '\n'; k++)
					continue;
				if (k == gt && t + 1 < gt) {
					lt = t;
					break;
				}
			}
		}
	} else {
		/* Words of \w and atext symbols, blanks between. */
		for (k = i; k < gt && c[k] != '<'; k++) {
			if (py_space(c[k]))
				continue;
			if (c[k] < 0x80 && !is_atext(c[k]))
				return false;
			word = true;
		}
		if (!word || k == gt)
			return false;
		lt = k;
	}
	if (lt + 1 >= gt)
		return false;
	for (k = lt + 1; k < gt; k++)
		if (c[k] == '\n')
			return false;
	*s = lt + 1;
	*e = gt;
	return true;
}

/* The first '@' (or '<' too, with "angle") outside quotes, or "e". */
static size_t
unquoted_special(const uint32_t *c, size_t s, size_t e, bool angle)
{
	bool inq = false, esc = false;

	for (; s < e; s++) {
		if (inq) {
			if (c[s] == '\\' && !esc)
				esc = true;
			else if (c[s] == '"' && !esc)
				inq = false;
			else
				esc = false;
		} else if (c[s] == '"')
			inq = true;
		else if (c[s] == '@' || (angle && c[s] == '<'))
			return s;
	}
	return e;
}

/*
 * Remove surrounding quotes from in[s..e) and undo backslash escapes,
 * into "out" ("*nout" code points); "*quoted" says whether it was.
 * UA_ERR_INVALID if anything follows the closing quote.
 */
static enum ua_err
unquote(struct addr *a, size_t s, size_t e, uint32_t *out, size_t *nout,
    bool *quoted)
{
	char   list[SHOWN_MAX * (SHOWN_LEN + 2)], one[SHOWN_LEN];
	size_t k, j, n = 0, o = 0;
	bool   esc = false;

	*quoted = false;
	for (k = s; k < e; k++) {
		if (!*quoted) {
			if (k == s && a->in[k] == '"')
				*quoted = true;
			else
				out[n++] = a->in[k];
		} else if (esc) {
			out[n++] = a->in[k];
			esc = false;
		} else if (a->in[k] == '\\')
			esc = true;
		else if (a->in[k] == '"') {
			if (k == e - 1)
				break;
			list[0] = '\0';
			for (j = k + 1; j < e && o < sizeof(list); j++) {
				char_display(a->in[j], one, sizeof(one));
				o +=
				    (size_t)snprintf(list + o, sizeof(list) - o,
					"%s%s", j > k + 1 ? ", " : "", one);
			}
			return fail(a,
			    "Extra character(s) found after close "
			    "quote: %s",
			    list);
		} else
			out[n++] = a->in[k];
	}
	*nout = n;
	return UA_OK;
}

/*
 * email-validator's split_email over in[s..e): the display name (when
 * "Name <addr>" survived Pydantic), the local part and the domain into
 * "a".  Returns UA_OK or UA_ERR_INVALID.
 */
static enum ua_err
split(struct addr *a, size_t s, size_t e)
{
	struct shown sh;
	char	     list[SHOWN_MAX * (SHOWN_LEN + 2)];
	size_t	     k, l, r, as, ae, i;
	enum ua_err  er;
	bool	     dq;

	k = unquoted_special(a->in, s, e, true);
	if (k == e)
		return fail(a, "An email address must have an @-sign.");
	if (a->in[k] == '@') {
		a->dom = k + 1;
		a->ndom = e - k - 1;
		return unquote(a, s, k, a->local, &a->nlocal, &a->quoted);
	}

	for (l = k; l > s && py_space(a->in[l - 1]); l--)
		continue;
	if ((er = unquote(a, s, l, a->dname, &a->ndname, &dq)) != UA_OK)
		return er;
	if (!dq) {
		sh.n = 0;
		for (i = 0; i < a->ndname; i++)
			if ((!is_atext(a->dname[i]) && a->dname[i] != ' ') ||
			    a->dname[i] == '.')
				shown_add(&sh, a->dname[i]);
		if (sh.n > 0)
			return fail(a,
			    "The display name contains invalid "
			    "characters when not quoted: %s.",
			    shown_join(&sh, list, sizeof(list)));
	}
	if ((er = unsafe_chars(a, a->dname, a->ndname, true)) != UA_OK)
		return er;
	for (i = k; i < e && a->in[i] != '>'; i++)
		continue;
	if (i == e)
		return fail(a,
		    "An open angle bracket at the start of the "
		    "email address has to be followed by a close angle "
		    "bracket at the end.");
	for (r = e; r > k && a->in[r - 1] == ' '; r--)
		continue;
	if (a->in[r - 1] != '>')
		return fail(a,
		    "There can't be anything after the email "
		    "address.");
	as = k + 1;
	for (ae = r; ae > as && a->in[ae - 1] == '>'; ae--)
		continue;
	if ((k = unquoted_special(a->in, as, ae, false)) == ae)
		return fail(a, "An email address must have an @-sign.");
	a->display = true;
	a->dom = k + 1;
	a->ndom = ae - k - 1;
	return unquote(a, as, k, a->local, &a->nlocal, &a->quoted);
}

/* RFC 5322 dot-atom text; "intl" lets in everything from U+0080. */
static bool
dot_atom(const uint32_t *c, size_t n, bool intl)
{
	size_t i;
	bool   dot = true; /* as if after a period: none may lead */

	for (i = 0; i < n; i++) {
		if (c[i] == '.') {
			if (dot)
				return false;
			dot = true;
		} else if (is_atext(c[i]) || (intl && c[i] >= 0x80))
			dot = false;
		else
			return false;
	}
	return n > 0 && !dot;
}

/*
 * email-validator's validate_email_local_part, then its refusal of
 * quotes (when so configured) and RFC 2142 lower-casing.  Fills
 * a->norm; returns UA_OK or UA_ERR_INVALID.
 */
static enum ua_err
local_part(struct addr *a)
{
	const uint32_t *c = a->local;
	struct shown	sh;
	char		list[SHOWN_MAX * (SHOWN_LEN + 2)], why[64];
	size_t		n = a->nlocal, i, j;
	enum ua_err	er;

	if (n == 0)
		return fail(a, "There must be something before the @-sign.");
	if (n > LOCAL_MAX)
		return fail(a,
		    "The email address is too long before the "
		    "@-sign %s.",
		    too_many(n - LOCAL_MAX, why, sizeof(why)));

	a->smtputf8 = false;
	if (dot_atom(c, n, false)) {
		memcpy(a->norm, c, n * sizeof(c[0]));
		a->nnorm = n;
	} else if (dot_atom(c, n, true)) {
		a->smtputf8 = true;
		memcpy(a->norm, c, n * sizeof(c[0]));
		a->nnorm = n;
		if ((er = unsafe_chars(a, c, n, false)) != UA_OK)
			return er;
	} else if (a->quoted) {
		sh.n = 0;
		for (i = 0; i < n; i++) {
			if (c[i] < 0x20 || c[i] == 0x7f)
				shown_add(&sh, c[i]);
			if (c[i] >= 0x80)
				a->smtputf8 = true;
		}
		if (sh.n > 0)
			return fail(a,
			    "The email address contains invalid "
			    "characters in quotes before the @-sign: %s.",
			    shown_join(&sh, list, sizeof(list)));
		if ((er = unsafe_chars(a, c, n, true)) != UA_OK)
			return er;
		/* Re-quoted with the fewest escapes: " and \ only. */
		j = 0;
		a->norm[j++] = '"';
		for (i = 0; i < n; i++) {
			if (c[i] == '"' || c[i] == '\\')
				a->norm[j++] = '\\';
			a->norm[j++] = c[i];
		}
		a->norm[j++] = '"';
		a->nnorm = j;
	} else {
		sh.n = 0;
		for (i = 0; i < n; i++)
			if (c[i] < 0x80 && !is_atext(c[i]) && c[i] != '.')
				shown_add(&sh, c[i]);
		if (sh.n > 0)
			return fail(a,
			    "The email address contains invalid "
			    "characters before the @-sign: %s.",
			    shown_join(&sh, list, sizeof(list)));
		if (c[n - 1] == '.')
			return fail(a,
			    "An email address cannot have a period "
			    "immediately before the @-sign.");
		if (c[0] == '.')
			return fail(a,
			    "An email address cannot start with a "
			    "period.");
		for (i = 1; i < n; i++)
			if (c[i] == '.' && c[i - 1] == '.')
				return fail(a,
				    "An email address cannot have "
				    "two periods in a row.");
		return fail(a,
		    "The email address contains invalid "
		    "characters before the @-sign.");
	}

	if (a->quoted && !allow_quoted_local)
		return fail(a,
		    "Quoting the part before the @-sign is not "
		    "allowed here.");

	if (!a->smtputf8 && a->nnorm < 16)
		for (i = 0; i < NELEM(rfc2142); i++) {
			for (j = 0; j < a->nnorm && rfc2142[i][j] != '\0' &&
			     lower(a->norm[j]) == (uint32_t)rfc2142[i][j];
			     j++)
				continue;
			if (j == a->nnorm && rfc2142[i][j] == '\0') {
				for (j = 0; j < a->nnorm; j++)
					a->norm[j] = lower(a->norm[j]);
				break;
			}
		}
	return UA_OK;
}

/*
 * Python's ipaddress.IPv4Address() on "s" (digits and periods only):
 * NULL if it is an address, else its complaint, written into "buf".
 */
static const char *
ipv4_error(const char *s, char *buf, size_t len)
{
	const char *p = s, *dot;
	size_t	    parts = 1, n;
	int	    v;
	char	    oct[PYDANTIC_MAX + 1];

	for (dot = s; *dot != '\0'; dot++)
		parts += *dot == '.';
	if (parts != 4) {
		snprintf(buf, len, "Expected 4 octets in '%s'", s);
		return buf;
	}
	for (;;) {
		n = (dot = strchr(p, '.')) != NULL ? (size_t)(dot - p) :
						     strlen(p);
		memcpy(oct, p, n);
		oct[n] = '\0';
		if (n == 0)
			snprintf(buf, len, "Empty octet not permitted in '%s'",
			    s);
		else if (n > 3)
			snprintf(buf, len,
			    "At most 3 characters permitted in "
			    "'%s' in '%s'",
			    oct, s);
		else if (n > 1 && oct[0] == '0')
			snprintf(buf, len,
			    "Leading zeros are not permitted in "
			    "'%s' in '%s'",
			    oct, s);
		/* NOLINTNEXTLINE(cert-err34-c): 1 to 3 digits, checked above */
		else if ((v = atoi(oct)) > 255)
			snprintf(buf, len,
			    "Octet %d (> 255) not permitted in "
			    "'%s'",
			    v, s);
		else if (dot == NULL)
			return NULL;
		else {
			p = dot + 1;
			continue;
		}
		return buf;
	}
}

/*
 * email-validator's validate_email_domain_literal, then the refusal it
 * gives without allow_domain_literal: no bracketed address passes, so
 * this always returns UA_ERR_INVALID, with the reason that applies.
 */
static enum ua_err
domain_literal(struct addr *a, const uint32_t *c, size_t n)
{
	struct shown	sh;
	struct in6_addr in6;
	char		s[PYDANTIC_MAX + 1], why[PYDANTIC_MAX * 3];
	char		list[SHOWN_MAX * (SHOWN_LEN + 2)];
	size_t		i;
	bool		v4 = n > 0, colon = false, ascii = true;

	for (i = 0; i < n; i++) {
		if ((c[i] < '0' || c[i] > '9') && c[i] != '.')
			v4 = false;
		if (c[i] == ':')
			colon = true;
		if (c[i] >= 0x80)
			ascii = false;
		s[i] = c[i] < 0x80 ? (char)c[i] : '?';
	}
	s[n] = '\0';
	if (v4 && ipv4_error(s, why, sizeof(why)) != NULL)
		return fail(a,
		    "The address in brackets after the @-sign is "
		    "not valid: It is not an IPv4 address (%s) or is missing "
		    "an address literal tag.",
		    why);
	if (v4)
		return fail(a,
		    "A bracketed IP address after the @-sign is "
		    "not allowed here.");
	if (n >= 5 && memcmp(s, "IPv6:", 5) == 0) {
		if (!ascii || inet_pton(AF_INET6, s + 5, &in6) != 1)
			return fail(a,
			    "The IPv6 address in brackets after "
			    "the @-sign is not valid.");
		return fail(a,
		    "A bracketed IP address after the @-sign is "
		    "not allowed here.");
	}
	if (!colon)
		return fail(a,
		    "The part after the @-sign in brackets is not "
		    "an IPv4 address and has no address literal tag.");
	sh.n = 0;
	for (i = 0; i < n; i++)
		if (c[i] < 0x21 || c[i] > 0xfa)
			shown_add(&sh, c[i]);
	if (sh.n > 0)
		return fail(a,
		    "The part after the @-sign contains invalid "
		    "characters in brackets: %s.",
		    shown_join(&sh, list, sizeof(list)));
	return fail(a,
	    "The part after the @-sign contains an invalid "
	    "address literal tag in brackets.");
}

/*
 * email-validator's validate_email_domain_name for an ASCII domain;
 * lower-cases it in place.  Returns UA_OK or UA_ERR_INVALID.
 */
static enum ua_err
domain_part(struct addr *a)
{
	uint32_t    *d = a->in + a->dom;
	struct shown sh;
	char	     list[SHOWN_MAX * (SHOWN_LEN + 2)], why[64];
	size_t	     n = a->ndom, i, j, start, k;
	enum ua_err  er;
	bool	     ascii = true, dot = false;

	if (n == 0)
		return fail(a, "There must be something after the @-sign.");
	if (d[0] == '[' && d[n - 1] == ']')
		return domain_literal(a, d + 1, n - 2);

	sh.n = 0;
	for (i = 0; i < n; i++) {
		if (d[i] >= 0x80)
			ascii = false;
		else if (!is_alnum(d[i]) && d[i] != '-' && d[i] != '.')
			shown_add(&sh, d[i]);
	}
	if (sh.n > 0)
		return fail(a,
		    "The part after the @-sign contains invalid "
		    "characters: %s.",
		    shown_join(&sh, list, sizeof(list)));
	if ((er = unsafe_chars(a, d, n, false)) != UA_OK)
		return er;
	if (!ascii)
		return fail(a,
		    "Internationalized domain names are not "
		    "supported here; write the part after the @-sign in its "
		    "xn-- (Punycode) form.");
	for (i = 0; i < n; i++)
		d[i] = lower(d[i]);

	if (d[n - 1] == '.')
		return fail(a, "An email address cannot end with a period.");
	if (d[0] == '.')
		return fail(a,
		    "An email address cannot have a period "
		    "immediately after the @-sign.");
	for (i = 1; i < n; i++)
		if (d[i] == '.' && d[i - 1] == '.')
			return fail(a,
			    "An email address cannot have two "
			    "periods in a row.");
	if (d[n - 1] == '-')
		return fail(a, "An email address cannot end with a hyphen.");
	if (d[0] == '-')
		return fail(a,
		    "An email address cannot have a hyphen "
		    "immediately after the @-sign.");
	for (i = 1; i < n; i++)
		if ((d[i] == '-' && d[i - 1] == '.') ||
		    (d[i] == '.' && d[i - 1] == '-'))
			return fail(a,
			    "An email address cannot have a period "
			    "and a hyphen next to each other.");
	for (start = 0; start < n; start = k + 1) {
		for (k = start; k < n && d[k] != '.'; k++)
			continue;
		if (k - start >= 4 && d[start + 2] == '-' &&
		    d[start + 3] == '-' &&
		    !(d[start] == 'x' && d[start + 1] == 'n'))
			return fail(a,
			    "An email address cannot have two "
			    "letters followed by two dashes immediately "
			    "after the @-sign or after a period, except "
			    "Punycode.");
	}
	if (n > DOMAIN_MAX)
		return fail(a,
		    "The email address is too long after the "
		    "@-sign %s.",
		    too_many(n - DOMAIN_MAX, why, sizeof(why)));
	for (start = 0; start < n; start = k + 1) {
		for (k = start; k < n && d[k] != '.'; k++)
			continue;
		if (k - start > LABEL_MAX)
			return fail(a,
			    "After the @-sign, periods cannot be "
			    "separated by so many characters %s.",
			    too_many(k - start - LABEL_MAX, why, sizeof(why)));
		if (k < n)
			dot = true;
	}
	if (!dot)
		return fail(a,
		    "The part after the @-sign is not valid. It "
		    "should have a period.");
	if (d[n - 1] < 'a' || d[n - 1] > 'z')
		return fail(a,
		    "The part after the @-sign is not valid. It is "
		    "not within a valid top-level domain.");
	for (i = 0; i < NELEM(special_use); i++) {
		k = strlen(special_use[i]);
		if (n < k || (n > k && d[n - k - 1] != '.'))
			continue;
		for (j = 0;
		     j < k && d[n - k + j] == (uint32_t)special_use[i][j]; j++)
			continue;
		if (j == k)
			return fail(a,
			    "The part after the @-sign is a "
			    "special-use or reserved name that cannot be used "
			    "with email.");
	}
	return UA_OK;
}

/*
 * email-validator's validate_email_length: the address as given (the
 * local part unquoted, re-wrapped in bare quotes) and then its normal
 * form, each at most 254 octets of UTF-8.  UA_OK or UA_ERR_INVALID.
 */
static enum ua_err
lengths(struct addr *a)
{
	size_t chars, bytes, mbpc = 1, diff, mchars, i, b;

	chars = a->nlocal + (a->quoted ? 2 : 0) + 1 + a->ndom;
	bytes = chars - a->nlocal;
	for (i = 0; i < a->nlocal; i++) {
		b = utf8_len(a->local[i]);
		bytes += b;
		if (b > mbpc)
			mbpc = b;
	}
	if (bytes > EMAIL_MAX) {
		diff = bytes - EMAIL_MAX;
		if (chars == bytes)
			return fail(a,
			    "The email address is too long (%zu "
			    "character%s too many).",
			    diff, diff > 1 ? "s" : "");
		mchars = diff / mbpc > 1 ? diff / mbpc : 1;
		if (mchars == diff)
			return fail(a,
			    "The email address is too long (%zu "
			    "character%s too many).",
			    diff, diff > 1 ? "s" : "");
		return fail(a,
		    "The email address is too long (%zu-%zu "
		    "character%s too many).",
		    mchars, diff, diff > 1 ? "s" : "");
	}
	bytes = 1 + a->ndom;
	for (i = 0; i < a->nnorm; i++)
		bytes += utf8_len(a->norm[i]);
	if (bytes > EMAIL_MAX) {
		diff = bytes - EMAIL_MAX;
		return fail(a,
		    "The email address is too long after "
		    "normalization (%zu byte%s too many).",
		    diff, diff > 1 ? "s" : "");
	}
	return UA_OK;
}

/* Append "cp" as UTF-8 to out[*o]; false if it does not fit. */
static bool
emit(char *out, size_t outlen, size_t *o, uint32_t cp)
{
	char   u[4];
	size_t n = ua_utf8_put(u, cp);

	if (*o + n >= outlen)
		return false;
	memcpy(out + *o, u, n);
	*o += n;
	out[*o] = '\0';
	return true;
}

/*
 * The whole pipeline for "email" into "out": decode, unwrap, strip,
 * split, check each part, check lengths, write the normal form.
 * Returns UA_OK, UA_ERR_INVALID, or UA_ERR_INTERNAL if "out" is short.
 */
static enum ua_err
normalise(struct addr *a, const char *email, size_t len, char *out,
    size_t outlen)
{
	size_t	    i = 0, s, e, o = 0;
	uint32_t    cp;
	enum ua_err er;

	while (i < len) {
		if (a->n == PYDANTIC_MAX)
			return fail(a, "Length must not exceed %d characters",
			    PYDANTIC_MAX);
		if (!ua_utf8_next(email, len, &i, &cp))
			return fail(a,
			    "The email address contains an invalid "
			    "character.");
		a->in[a->n++] = cp;
	}
	s = 0;
	e = a->n;
	pretty_unwrap(a->in, a->n, &s, &e);
	while (s < e && py_space(a->in[s]))
		s++;
	while (e > s && py_space(a->in[e - 1]))
		e--;

	if ((er = split(a, s, e)) != UA_OK || (er = local_part(a)) != UA_OK ||
	    (er = domain_part(a)) != UA_OK || (er = lengths(a)) != UA_OK)
		return er;
	if (a->display)
		return fail(a,
		    "A display name and angle brackets around the "
		    "email address are not permitted here.");

	for (i = 0; i < a->nnorm; i++)
		if (!emit(out, outlen, &o, a->norm[i]))
			goto small;
	if (!emit(out, outlen, &o, '@'))
		goto small;
	for (i = 0; i < a->ndom; i++)
		if (!emit(out, outlen, &o, a->in[a->dom + i]))
			goto small;
	return UA_OK;
small:
	if (outlen > 0)
		out[0] = '\0';
	fail(a, "The email address is too long.");
	return UA_ERR_INTERNAL;
}

/*
 * Check "email" ("len" bytes of UTF-8; a NUL terminator is not needed)
 * and write its normal form, NUL-terminated, into "out": the address
 * without any "Name <...>" wrapping or surrounding whitespace, domain
 * lower-cased, RFC 2142 role mailboxes (postmaster, info, ...) lower-
 * cased, needless quotes removed.  Returns UA_OK; UA_ERR_INVALID with
 * email-validator's reason in "reason"; or UA_ERR_INTERNAL if "outlen"
 * is too small for a valid address (never with UA_EMAIL_MAX + 1).
 * "out" is empty on failure.
 */
enum ua_err
ua_email_normalise(const char *email, size_t len, char *out, size_t outlen,
    char *reason, size_t reasonlen)
{
	struct addr *a;
	enum ua_err  er;

	if (reasonlen > 0)
		reason[0] = '\0';
	if (outlen > 0)
		out[0] = '\0';
	a = ua_xcalloc(1, sizeof(*a));
	a->reason = reason;
	a->reasonlen = reasonlen;
	er = normalise(a, email, len, out, outlen);
	free(a);
	if (er != UA_OK && outlen > 0)
		out[0] = '\0';
	return er;
}
