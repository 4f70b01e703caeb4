/*
 * jwt.h -- JSON Web Tokens (RFC 7519) signed with HMAC (HS256/384/512).
 *
 * The algorithm is pinned by the settings: a token whose header names
 * any other algorithm, or "none", is refused before its signature is
 * even looked at.  Signatures are compared in constant time.
 */
#ifndef USERAPI_JWT_H
#define USERAPI_JWT_H
#pragma GCC visibility push(default)

#include <stddef.h>
#include <stdint.h>

#include "userapi/errors.h"
#include "userapi/session.h"
#include "userapi/settings.h"

/* Longest token accepted; real ones are a few hundred bytes. */
#define UA_JWT_MAX_LEN 4096

struct ua_jwt_claims {
	int64_t sub; /* user id ("sub" is its decimal string) */
	int64_t iat; /* issued at, seconds since the epoch; 0 if absent */
	int64_t exp; /* expires at, likewise */
	int64_t ver; /* the user's token version; 0 when absent */
	/* The session ("sid"); "" when absent (a token made elsewhere). */
	char sid[UA_SESSION_ID_LEN + 1];
};

/*
 * Sign "claims" with "secret" ("secretlen" bytes) under "alg".  Returns
 * a new NUL-terminated token the caller frees.
 */
char *ua_jwt_sign(enum ua_jwt_alg alg, const char *secret, size_t secretlen,
    const struct ua_jwt_claims *claims);

/*
 * Check "token": three base64url parts, a header naming exactly "alg",
 * a valid signature, and claims "sub" (a positive integer string) and
 * "exp" (an integer) with exp > now; "sid", when present, a session
 * id as this API writes them (ua_session_id_valid()); "iat", when present (python-jose
 * does not require it), an integer <= now + leeway, else 0.
 * UA_OK fills "out"; anything else is UA_ERR_BAD_TOKEN and "out" is
 * zeroed.
 */
enum ua_err ua_jwt_verify(enum ua_jwt_alg alg, const char *secret,
    size_t secretlen, const char *token, int64_t now,
    struct ua_jwt_claims *out);

#pragma GCC visibility pop
#endif
