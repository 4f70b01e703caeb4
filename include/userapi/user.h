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
#include "userapi/model.h"
#include "userapi/password.h"

enum ua_role { UA_ROLE_ADMIN, UA_ROLE_USER, UA_ROLE__MAX };

#define UA_EMAIL_MAX 254    /* octets, whole address */
#define UA_NAME_MIN_CHARS 2 /* Unicode code points */
#define UA_NAME_MAX_CHARS 100
#define UA_NAME_MAX_BYTES 400 /* 100 code points of UTF-8 */
#define UA_PASSWORD_MIN_CHARS 8

/*
 * The User model, declared once (see userapi/model.h): its struct, its
 * JSON (API.md's User, keys in this order), its OpenAPI schema, the
 * columns the user repository selects and its row reader all expand
 * from this list.  Adding a field is one line here (and a migration).
 */
/* clang-format off */
/* F/N kind          member      JSON key      SQL column   (attributes), extra */
#define UA_USER_MODEL(F, N, x)						\
	F(x, INT,           id,         "id",         "id",         ()) \
	N(x, TEXT,          email,      "email",      "email",		\
	    (.format = "email"), UA_EMAIL_MAX + 1)			\
	N(x, TEXT,          name,       "name",       "name",       (),	\
	    UA_NAME_MAX_BYTES + 1)					\
	N(x, ENUM,          role,       "role",       "role",       (),	\
	    enum ua_role, UA_ROLE__MAX, role_api_names, role_db_names)	\
	N(x, TIME,          created_us, "created_at", "created_at", ()) \
	N(x, NULLABLE_TIME, updated_us, "updated_at", "updated_at", (),	\
	    has_updated)
/* clang-format on */

/*
 * A user as stored and shown, in caller storage (no pointers):
 * int64_t id; char email[UA_EMAIL_MAX + 1];
 * char name[UA_NAME_MAX_BYTES + 1]; enum ua_role role;
 * int64_t created_us (microseconds since the epoch);
 * bool has_updated (false: updated_at is null); int64_t updated_us.
 */
struct ua_user {
	UA_MODEL_MEMBERS(UA_USER_MODEL)
};

/* The User model's table (the JSON writer, the schema, the reader). */
extern const struct ua_model ua_user_model;

/* What login and the bearer check need besides the user. */
struct ua_credentials {
	char	hash[UA_PASSWORD_HASH_MAX];
	int64_t token_version; /* bumped by a password change */
	bool	session_live;  /* the token's session, read with the row:
				  not ended, not expired; false if none */
};

/* "admin" / "user", as the API shows roles. */
const char *ua_role_name(enum ua_role);

/* "ADMIN" / "USER", as the template's enum type stores them. */
const char *ua_role_db_name(enum ua_role);

/* Parse either spelling above; UA_ERR_INVALID for anything else. */
enum ua_err ua_role_from_api(const char *, enum ua_role *);
enum ua_err ua_role_from_db(const char *, enum ua_role *);

/*
 * Append the API's User object, keys in API.md's order: id, email,
 * name, role, created_at, updated_at: ua_model_append_json() of
 * ua_user_model.  A whitelist: nothing else is ever added.
 */
void ua_user_append_json(struct ua_buf *, const struct ua_user *);

#pragma GCC visibility pop
#endif
