/*
 * refresh_token.h -- refresh tokens: 256 bits from the operating
 * system's random source, written as base64url, and the SHA-256 that
 * is all the database keeps of them.
 */
#ifndef USERAPI_REFRESH_TOKEN_H
#define USERAPI_REFRESH_TOKEN_H
#pragma GCC visibility push(default)

#include <stddef.h>

#include "userapi/errors.h"
#include "userapi/session.h"

/*
 * A new token into "token" and its hash into "hash".  UA_OK, or
 * UA_ERR_INTERNAL (logged) if the system has no randomness to give.
 */
enum ua_err ua_refresh_token_new(char token[UA_REFRESH_TOKEN_LEN + 1],
    struct ua_refresh_hash	     *hash);

/* The hash of "token" ("len" bytes, any text a client sent). */
void ua_refresh_token_hash(const char *token, size_t len,
    struct ua_refresh_hash *hash);

#pragma GCC visibility pop
#endif
