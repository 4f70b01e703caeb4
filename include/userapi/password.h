/*
 * password.h -- password hashing through libcrypt (libxcrypt).
 *
 * bcrypt ("$2b$", readable by Python passlib) by default, yescrypt by
 * setting.  Verification accepts either scheme whatever the setting, so
 * a stored hash can be upgraded on the next successful login.
 */
#ifndef USERAPI_PASSWORD_H
#define USERAPI_PASSWORD_H
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>

#include "userapi/errors.h"
#include "userapi/settings.h"

/* bcrypt ignores everything past this many bytes: longer is refused. */
#define UA_PASSWORD_MAX_BYTES 72

/* Room for any hash libcrypt writes (CRYPT_OUTPUT_SIZE). */
#define UA_PASSWORD_HASH_MAX 384

/*
 * Hash "pw" under "scheme" (bcrypt at "cost", 4..31; yescrypt at its
 * default cost) with a fresh random salt into "out".  UA_OK, or
 * UA_ERR_INTERNAL (logged) if libcrypt refuses.
 */
enum ua_err ua_password_hash(enum ua_pw_scheme scheme, int cost, const char *pw,
    char out[UA_PASSWORD_HASH_MAX]);

/*
 * Hash "pw" with the salt and parameters of "setting" (a hash or a
 * bare setting string).  For known-answer tests and verification.
 */
enum ua_err ua_password_hash_with(const char *setting, const char *pw,
    char out[UA_PASSWORD_HASH_MAX]);

/*
 * Does "pw" match "hash"?  The comparison is constant-time.  A hash
 * libcrypt cannot read never matches.
 */
bool ua_password_verify(const char *pw, const char *hash);

/*
 * Should "hash" be replaced after a successful login: another scheme
 * than "scheme", or a bcrypt cost below "cost"?
 */
bool ua_password_needs_rehash(enum ua_pw_scheme scheme, int cost,
    const char *hash);

/*
 * Something to check an unknown email's password against, so that it
 * costs the same time as a wrong password: a setting of the configured
 * scheme and cost that no password matches.  Made once per process;
 * borrowed.
 */
const char *ua_password_dummy_hash(enum ua_pw_scheme scheme, int cost);

#pragma GCC visibility pop
#endif
