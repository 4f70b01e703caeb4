/*
 * user.h -- the user model: plain data in caller storage, and its JSON.
 *
 * struct ua_user has no password hash: that lives in struct
 * ua_credentials, which only authentication code sees, so no path that
 * serialises a user can leak one.
 */
#ifndef USERAPI_USER_H
#define USERAPI_USER_H
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stdint.h>

#include "userapi/buf.h"
#include "userapi/errors.h"
#include "userapi/password.h"

enum ua_role { UA_ROLE_ADMIN, UA_ROLE_USER, UA_ROLE__MAX };

#define UA_EMAIL_MAX 254    /* octets, whole address */
#define UA_NAME_MIN_CHARS 2 /* Unicode code points */
#define UA_NAME_MAX_CHARS 100
#define UA_NAME_MAX_BYTES 400 /* 100 code points of UTF-8 */
#define UA_PASSWORD_MIN_CHARS 8

struct ua_user {
	int64_t	     id;
	char	     email[UA_EMAIL_MAX + 1];
	char	     name[UA_NAME_MAX_BYTES + 1];
	enum ua_role role;
	int64_t	     created_us;  /* microseconds since the epoch */
	bool	     has_updated; /* false: updated_at is null */
	int64_t	     updated_us;
};

/* What login and the bearer check need besides the user. */
struct ua_credentials {
	char	hash[UA_PASSWORD_HASH_MAX];
	int64_t token_version; /* bumped by a password change */
};

/* "admin" / "user", as the API shows roles. */
const char *ua_role_name(enum ua_role);

/* "ADMIN" / "USER", as the template's enum type stores them. */
const char *ua_role_db_name(enum ua_role);

/* Parse either spelling above; UA_ERR_INVALID for anything else. */
enum ua_err ua_role_from_api(const char *, enum ua_role *);
enum ua_err ua_role_from_db(const char *, enum ua_role *);

/*
 * Write "us" (microseconds since the epoch) as Pydantic v2 prints a UTC
 * datetime: "2026-11-26T10:00:00.123450Z", or without the fraction
 * when it is zero.  "buf" holds at least UA_TIMESTAMP_LEN bytes.
 */
#define UA_TIMESTAMP_LEN 40
void ua_fmt_timestamp(char *buf, int64_t us);

/* The keys of the User object, in order (the OpenAPI schema uses them). */
extern const char *const ua_user_json_keys[6];

/*
 * Append the API's User object, keys in API.md's order: id, email,
 * name, role, created_at, updated_at.  A whitelist: nothing else is
 * ever added.
 */
void ua_user_append_json(struct ua_buf *, const struct ua_user *);

#pragma GCC visibility pop
#endif
