/*
 * utf8.c -- strict UTF-8: decoding one code point, measuring the bad
 * bytes the way Python's decoder does, encoding, counting code points
 * and repairing text as Starlette's form decoding leaves it.  Shared by
 * the field checks and the email rules (utf8-private.h).
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "userapi/alloc.h"
#include "userapi/validate.h"
#include "utf8-private.h"

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

bool
ua_utf8_starts(unsigned char c)
{
	return utf8_lead_of(c) != NULL;
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

/*
 * "s" with every ill-formed UTF-8 sequence replaced by U+FFFD, as
 * Starlette's form decoding leaves it.  Returns a new string (caller
 * frees) and its length in "*outlen".
 */
char *
ua_utf8_repair(const char *s, size_t len, size_t *outlen)
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

char *
ua_utf8_cut(const char *s, size_t max_chars)
{
	size_t	 len, i = 0, n = 0;
	uint32_t cp;
	char	*out = ua_utf8_repair(s, strlen(s), &len);

	while (i < len && n < max_chars && ua_utf8_next(out, len, &i, &cp))
		n++;
	out[i] = '\0';
	return out;
}
