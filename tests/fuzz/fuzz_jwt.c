/*
 * fuzz_jwt.c -- token verification on arbitrary bytes: no crash, and
 * nothing but a token signed with the secret is ever accepted.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "userapi/jwt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char    secret[] = "fuzz-secret-0123456789abcdef012345";
	struct ua_jwt_claims c;
	char		    *tok = strndup((const char *)data, size);

	if (ua_jwt_verify(UA_JWT_HS256, secret, strlen(secret), tok, 1800000000,
		&c) == UA_OK &&
	    c.sub <= 0)
		abort();
	free(tok);
	return 0;
}
