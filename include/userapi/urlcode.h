/*
 * urlcode.h -- percent-decoding of paths, query strings and
 * application/x-www-form-urlencoded bodies.
 */
#ifndef USERAPI_URLCODE_H
#define USERAPI_URLCODE_H
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>

struct ua_kv {
	char  *key;
	char  *val;
	size_t vlen; /* of val: a decoded %00 may sit inside */
};

/* A list of decoded pairs in the order they came; owns its strings. */
struct ua_kvlist {
	struct ua_kv *items;
	size_t	      len;
	size_t	      cap;
};

void ua_kvlist_init(struct ua_kvlist *);
void ua_kvlist_cleanup(struct ua_kvlist *);

/* First value for "key", or NULL.  Borrowed from the list. */
const char *ua_kvlist_get(const struct ua_kvlist *, const char *key);

/* The same, with its length (which counts decoded NUL bytes). */
const char *ua_kvlist_get_len(const struct ua_kvlist *, const char *key,
    size_t *len);

/*
 * Percent-decode "in" ("len" bytes).  With "plus_is_space", '+' means a
 * space (query strings and forms).  A malformed escape ("%4", "%zz") is
 * kept literally, as browsers and Starlette do.  Returns a new
 * NUL-terminated string (caller frees) and its length in "*outlen"
 * (may be NULL); decoded NUL bytes are kept, so check the length.
 */
char *ua_url_decode(const char *in, size_t len, bool plus_is_space,
    size_t *outlen);

/*
 * Split "qs" on '&' into decoded key/value pairs appended to "out".
 * Empty pieces are skipped; "a" alone is key "a" with value "".
 */
void ua_query_parse(const char *qs, size_t len, struct ua_kvlist *out);

#pragma GCC visibility pop
#endif
