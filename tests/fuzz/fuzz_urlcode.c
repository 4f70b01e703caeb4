/*
 * fuzz_urlcode.c -- query strings, forms and .env text: decoding never
 * reads or writes out of bounds, and a decoded value never grows.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "userapi/urlcode.h"
#include "core-private.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ua_kvlist	 l;
	size_t			 n;
	char			*s;

	s = ua_url_decode((const char *)data, size, true, &n);
	if (n > size)
		abort();
	free(s);
	ua_kvlist_init(&l);
	ua_query_parse((const char *)data, size, &l);
	ua_kvlist_cleanup(&l);
	ua_kvlist_init(&l);
	ua_dotenv_parse((const char *)data, size, &l);
	ua_kvlist_cleanup(&l);
	return 0;
}
