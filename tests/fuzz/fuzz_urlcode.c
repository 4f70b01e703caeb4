/*
 * fuzz_urlcode.c -- query strings and application/x-www-form-urlencoded
 * bodies (ua_query_parse() is the form decoder behind the login form):
 * decoding never reads or writes out of bounds, a decoded value never
 * grows, and the decoded pairs, percent-encoded again, decode to the
 * same pairs in the same order.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "userapi/buf.h"
#include "userapi/urlcode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Append "s" ("len" bytes) with every byte but [A-Za-z0-9] escaped. */
static void
encode(struct ua_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	char		  esc[3] = { '%' };
	size_t		  i;
	unsigned char	  c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))
			ua_buf_append(b, s + i, 1);
		else {
			esc[1] = hex[c >> 4];
			esc[2] = hex[c & 0xf];
			ua_buf_append(b, esc, 3);
		}
	}
}

static void
check_round_trip(const struct ua_kvlist *l)
{
	struct ua_kvlist again;
	struct ua_buf	 b;
	size_t		 i;

	ua_buf_init(&b);
	ua_buf_append(&b, "", 0);
	for (i = 0; i < l->len; i++) {
		if (i > 0)
			ua_buf_append(&b, "&", 1);
		encode(&b, l->items[i].key, strlen(l->items[i].key));
		ua_buf_append(&b, "=", 1);
		encode(&b, l->items[i].val, l->items[i].vlen);
	}
	ua_kvlist_init(&again);
	ua_query_parse(b.data, b.len, &again);
	if (again.len != l->len)
		abort();
	for (i = 0; i < l->len; i++)
		if (strcmp(again.items[i].key, l->items[i].key) != 0 ||
		    again.items[i].vlen != l->items[i].vlen ||
		    memcmp(again.items[i].val, l->items[i].val,
			l->items[i].vlen) != 0)
			abort();
	ua_kvlist_cleanup(&again);
	ua_buf_cleanup(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ua_kvlist l;
	size_t		 i, n, pieces = 1;
	char		*s;

	s = ua_url_decode((const char *)data, size, true, &n);
	if (n > size || s[n] != '\0')
		abort();
	free(s);

	ua_kvlist_init(&l);
	ua_query_parse((const char *)data, size, &l);
	for (i = 0; i < size; i++)
		if (data[i] == '&')
			pieces++;
	if (l.len > pieces)
		abort();
	for (i = 0; i < l.len; i++)
		if (l.items[i].vlen > size ||
		    l.items[i].val[l.items[i].vlen] != '\0')
			abort();
	check_round_trip(&l);
	ua_kvlist_cleanup(&l);
	return 0;
}
