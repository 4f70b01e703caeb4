/*
 * security-private.h -- helpers shared inside lib/security and with its
 * unit tests; not installed.
 */
#ifndef USERAPI_SECURITY_PRIVATE_H
#define USERAPI_SECURITY_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "userapi/errors.h"
#include "userapi/settings.h"

/* base64url without padding; returns a new string the caller frees. */
char *ua_b64url_encode(const unsigned char *in, size_t len);

/*
 * Decode base64url "in" ("len" bytes, no padding, no other characters).
 * On success "*out" is a new NUL-terminated buffer the caller frees.
 */
bool ua_b64url_decode(const char *in, size_t len, unsigned char **out,
    size_t *outlen);

struct json_object;

/*
 * Check a JWS compact token's header (alg exactly "alg", no "crit") and
 * HMAC signature, with no look at the claims.  UA_OK: "*payload" is the
 * decoded claims object (the caller puts it).  Else UA_ERR_BAD_TOKEN.
 */
enum ua_err ua_jws_verify(enum ua_jwt_alg alg, const char *secret,
    size_t secretlen, const char *token, struct json_object **payload);

#endif
