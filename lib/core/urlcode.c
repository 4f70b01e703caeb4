/*
 * urlcode.c -- percent-decoding and query/form splitting.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "userapi/alloc.h"
#include "userapi/urlcode.h"

void
ua_kvlist_init(struct ua_kvlist *l)
{
	memset(l, 0, sizeof(*l));
}

void
ua_kvlist_cleanup(struct ua_kvlist *l)
{
	size_t i;

	for (i = 0; i < l->len; i++) {
		free(l->items[i].key);
		free(l->items[i].val);
	}
	free(l->items);
	ua_kvlist_init(l);
}

const char *
ua_kvlist_get(const struct ua_kvlist *l, const char *key)
{
	size_t len;

	return ua_kvlist_get_len(l, key, &len);
}

const char *
ua_kvlist_get_len(const struct ua_kvlist *l, const char *key, size_t *len)
{
	size_t i;

	for (i = 0; i < l->len; i++)
		if (strcmp(l->items[i].key, key) == 0) {
			*len = l->items[i].vlen;
			return l->items[i].val;
		}
	*len = 0;
	return NULL;
}

/* Append a pair; the list takes ownership of both strings. */
static void
kvlist_push(struct ua_kvlist *l, char *key, char *val, size_t vlen)
{
	if (l->len == l->cap) {
		l->cap = l->cap == 0 ? 8 : l->cap * 2;
		l->items = ua_xrealloc(l->items, l->cap * sizeof(*l->items));
	}
	l->items[l->len].key = key;
	l->items[l->len].val = val;
	l->items[l->len].vlen = vlen;
	l->len++;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
ua_url_decode(const char *in, size_t len, bool plus_is_space, size_t *outlen)
{
	char  *out, *o;
	size_t i;
	int    hi, lo;

	o = out = ua_xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		if (in[i] == '+' && plus_is_space) {
			*o++ = ' ';
		} else if (in[i] == '%' && i + 2 < len &&
		    (hi = hexval(in[i + 1])) >= 0 &&
		    (lo = hexval(in[i + 2])) >= 0) {
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else
			*o++ = in[i];
	}
	*o = '\0';
	if (outlen != NULL)
		*outlen = (size_t)(o - out);
	return out;
}

void
ua_query_parse(const char *qs, size_t len, struct ua_kvlist *out)
{
	const char *p = qs, *end = qs + len, *amp, *eq;
	char	   *val;
	size_t	    vlen;

	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp > p) {
			eq = memchr(p, '=', (size_t)(amp - p));
			if (eq == NULL)
				kvlist_push(out,
				    ua_url_decode(p, (size_t)(amp - p), true,
					NULL),
				    ua_xstrdup(""), 0);
			else {
				val = ua_url_decode(eq + 1,
				    (size_t)(amp - eq - 1), true, &vlen);
				kvlist_push(out,
				    ua_url_decode(p, (size_t)(eq - p), true,
					NULL),
				    val, vlen);
			}
		}
		p = amp + 1;
	}
}
