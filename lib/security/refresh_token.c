/*
 * refresh_token.c -- new refresh tokens and their hashes.
 *
 * getrandom(2) rather than OpenSSL's generator: the token is the
 * operating system's randomness as is, and getrandom blocks only until
 * the kernel's pool is first seeded, never after.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/sha.h>

#include "userapi/alloc.h"
#include "userapi/log.h"
#include "userapi/refresh_token.h"
#include "security-private.h"

/* Fill "buf" entirely, across interrupted or short reads. */
static bool
random_bytes(unsigned char *buf, size_t len)
{
	ssize_t got;

	while (len > 0) {
		got = getrandom(buf, len, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return false;
		buf += got;
		len -= (size_t)got;
	}
	return true;
}

enum ua_err
ua_refresh_token_new(char   token[UA_REFRESH_TOKEN_LEN + 1],
    struct ua_refresh_hash *hash)
{
	unsigned char raw[UA_REFRESH_TOKEN_BYTES];
	char	     *b64;

	if (!random_bytes(raw, sizeof(raw))) {
		ua_log_err("refresh token: getrandom: %s", strerror(errno));
		return UA_ERR_INTERNAL;
	}
	b64 = ua_b64url_encode(raw, sizeof(raw));
	ua_secure_zero(raw, sizeof(raw));
	if (strlen(b64) != UA_REFRESH_TOKEN_LEN)
		abort(); /* 32 bytes are always 43 characters */
	memcpy(token, b64, UA_REFRESH_TOKEN_LEN + 1);
	ua_secure_zero(b64, UA_REFRESH_TOKEN_LEN);
	free(b64);
	ua_refresh_token_hash(token, UA_REFRESH_TOKEN_LEN, hash);
	return UA_OK;
}

void
ua_refresh_token_hash(const char *token, size_t len,
    struct ua_refresh_hash *hash)
{
	SHA256((const unsigned char *)token, len, hash->b);
}
